"""Input formats. Each module defines one ``FORMAT``; adding a format = one module + one line below."""

from __future__ import annotations

from vendorscope.sources import (
    ftm_json,
    hosts_csv,
    inventory_csv,
    inventory_jsonl,
    orgs_csv,
    osquery_json,
    osquery_log,
    ownership_rules,
    procurement_csv,
)
from vendorscope.sources.base import SourceFormat

# Order matters only where two formats could both claim a file: the more specific first.
FORMATS: tuple[SourceFormat, ...] = (
    osquery_log.FORMAT,
    ftm_json.FORMAT,
    inventory_jsonl.FORMAT,
    osquery_json.FORMAT,
    orgs_csv.FORMAT,
    hosts_csv.FORMAT,
    ownership_rules.FORMAT,
    procurement_csv.FORMAT,
    inventory_csv.FORMAT,
)


def detect(filename: str, head: bytes) -> SourceFormat | None:
    """The first format that recognizes this head, or None."""
    for fmt in FORMATS:
        if fmt.identify(filename, head):
            return fmt
    return None


def by_name(name: str) -> SourceFormat | None:
    return next((fmt for fmt in FORMATS if fmt.name == name), None)
