"""Input formats. Each module defines one ``FORMAT``; adding a format = one module + one line below."""

from __future__ import annotations

from vendorscope.sources import (
    android_packages,
    collector_bundle,
    inventory_csv,
    inventory_jsonl,
    mdm_apps,
    osquery_json,
    osquery_log,
    reg_export,
    windows_hive,
)
from vendorscope.sources.base import SourceFormat

# Order matters only where two formats could both claim a file: the more specific first.
FORMATS: tuple[SourceFormat, ...] = (
    windows_hive.FORMAT,
    collector_bundle.FORMAT,
    reg_export.FORMAT,
    osquery_log.FORMAT,
    inventory_jsonl.FORMAT,
    mdm_apps.FORMAT,
    osquery_json.FORMAT,
    inventory_csv.FORMAT,
    android_packages.FORMAT,
)


def detect(filename: str, head: bytes) -> SourceFormat | None:
    """The first format that recognizes this head, or None."""
    for fmt in FORMATS:
        if fmt.identify(filename, head):
            return fmt
    return None


def by_name(name: str) -> SourceFormat | None:
    return next((fmt for fmt in FORMATS if fmt.name == name), None)
