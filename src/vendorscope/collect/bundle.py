"""The evidence bundle: one gzip'd JSON document per collection, versioned.

The bytes are deterministic for a collection (fixed key order, sorted items, gzip without name or time), so the same
bundle ingested twice, or copied and ingested again, is one artifact in the store.
"""

from __future__ import annotations

import gzip
from dataclasses import asdict
from typing import Any

import orjson

from vendorscope import __version__
from vendorscope.collect.bundle_format import SCHEMA, VERSION
from vendorscope.collect.model import Collection
from vendorscope.sources.base import TITLE_FIELDS


def document(collection: Collection, collected_at: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "collector": {"name": "vendorscope", "version": __version__},
        "collected_at": collected_at,
        "host": collection.host,
        "sources": [asdict(r) for r in sorted(collection.sources.values(), key=lambda r: r.name)],
        "items": sorted(collection.items, key=_order),
        "problems": collection.problems,
    }


def _order(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row.get(f, "")) for f in TITLE_FIELDS)


def to_bytes(doc: dict[str, Any]) -> bytes:
    """Compressed, reproducible bytes: equal documents give equal bytes (and so equal SHA-256).

    Keys keep the order they were built in (``schema`` first, so a reader can tell the format from the
    first bytes); every dict in a document is built in a fixed order, and items are sorted.
    """
    return gzip.compress(orjson.dumps(doc), compresslevel=6, mtime=0)
