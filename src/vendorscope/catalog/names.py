"""Vendor and product names of a set of catalog files, kept in the store so listings need not parse catalogs.

Parsing and validating the catalogs (YAML, pydantic) costs a listing command more than reading its rows. So
whatever matches (ingest, a push, a re-match, the server's start) stores the names beside a digest of the
catalog files' bytes; a listing computes that digest (hashing a few files, no parsing) and uses the stored
names only when the files are the very ones — otherwise it loads the catalogs, as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vendorscope.catalog.schema import Catalog

KEY = "catalog_names"  # the store_meta row
BUILTIN = Path(__file__).with_name("data")  # the same folder as catalog/loader.py's BUILTIN


def catalog_files(extra: Iterable[Path] = ()) -> list[Path]:
    """The files the catalogs are loaded from, in loading order (catalog/loader.py: built-in, then the user's)."""
    return [*sorted(BUILTIN.glob("*.yaml")), *extra]


def files_digest(extra: Iterable[Path] = ()) -> str:
    """SHA-256 over the catalog files' names and bytes; unreadable files make it unique (so never a match).

    Built-in files are named relative to the package, so a store listed from another checkout or environment
    still finds its names (their absolute paths made it parse the catalogs every time).
    """
    digest = hashlib.sha256()
    for path in catalog_files(extra):
        name = f"builtin/{path.name}" if path.parent == BUILTIN else str(path)
        digest.update(name.encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def record(catalogs: Iterable[Catalog], extra: Iterable[Path] = ()) -> str:
    """The meta value to store: the files' digest and every vendor's and product's name (sorted, stable)."""
    vendors = {c.vendor.id: {"name": c.vendor.name, "products": {p.id: p.name for p in c.products}} for c in catalogs}
    return json.dumps({"files": files_digest(extra), "vendors": vendors}, sort_keys=True, ensure_ascii=False)


class Names:
    """Stored names, answering as Service.product_name does from the catalogs themselves."""

    def __init__(self, vendors: dict[str, Any]) -> None:
        self.vendors = vendors

    @classmethod
    def from_record(cls, value: str | None, extra: Iterable[Path] = ()) -> Names | None:
        """The stored names when they were made from the current catalog files; None otherwise."""
        if not value:
            return None
        try:
            stored = json.loads(value)
        except ValueError:
            return None
        if not isinstance(stored, dict) or stored.get("files") != files_digest(extra):
            return None
        return cls(stored.get("vendors") or {})

    def vendor_id(self, vendor_id: str) -> str | None:
        """The vendor id as its catalog spells it ('Kaspersky' is kaspersky); None when no catalog has it."""
        wanted = vendor_id.strip().lower()
        return next((v for v in self.vendors if v.lower() == wanted), None)

    def known(self) -> str:
        return ", ".join(self.vendors)

    def product_name(self, vendor_id: str, product_id: str) -> str | None:
        vendor = self.vendors.get(vendor_id)
        if vendor is None:
            return None
        return vendor["products"].get(product_id) or f"{vendor['name']} (product not identified)"
