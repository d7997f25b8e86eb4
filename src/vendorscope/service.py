"""The one API that the CLI and the web layer call.

It owns the store and the matcher, so callers never touch SQL or catalogs
directly; every method returns plain data.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from vendorscope.catalog.loader import load_catalog, load_catalogs
from vendorscope.catalog.schema import Catalog
from vendorscope.config import database_url
from vendorscope.errors import NotFoundError
from vendorscope.findings import query
from vendorscope.findings.refresh import refresh_findings
from vendorscope.findings.title_matches import ensure_current, rematch_all
from vendorscope.ingest import IngestReport, Progress, ingest_paths
from vendorscope.match.matcher import Matcher
from vendorscope.records import index, produce, review, search
from vendorscope.records.ingest import RecordsIngestReport, ingest_records
from vendorscope.records.produce import ProductionReport
from vendorscope.records.search import Filters
from vendorscope.records.store import Originals, originals_root
from vendorscope.records.terms import vendor_terms
from vendorscope.sources.base import Hints
from vendorscope.store.store import Store


class Service:
    """vendorscope's operations over one store and one set of catalogs."""

    def __init__(self, db: str | None = None, catalogs: list[Path] | None = None) -> None:
        self.url = database_url(db)
        self.extra_catalogs = list(catalogs or [])

    @cached_property
    def store(self) -> Store:
        return Store.open(self.url)

    @cached_property
    def catalogs(self) -> list[Catalog]:
        return load_catalogs(self.extra_catalogs)

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.catalogs)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    # -- evidence --------------------------------------------------------------------------

    def ingest(self, paths: list[Path], hints: Hints | None = None, progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders, then bring findings up to date."""
        ensure_current(self.store, self.matcher)
        report = ingest_paths(self.store, self.matcher, paths, hints, progress)
        refresh_findings(self.store)
        return report

    def rematch(self) -> dict[str, int]:
        """Re-evaluate every title against the current catalogs, then refresh findings."""
        titles, attributed = rematch_all(self.store, self.matcher)
        new, updated, withdrawn = refresh_findings(self.store)
        return {
            "titles": titles,
            "attributed": attributed,
            "new_findings": new,
            "updated_findings": updated,
            "withdrawn_findings": withdrawn,
        }

    # -- answers ---------------------------------------------------------------------------

    def findings(self, vendor: str | None = None, include_absent: bool = False) -> list[dict[str, Any]]:
        if vendor:
            self.vendor(vendor)
        with self.store.engine.connect() as conn:
            return query.list_findings(conn, vendor, include_absent)

    def hosts_with(self, vendor: str) -> list[str]:
        self.vendor(vendor)
        with self.store.engine.connect() as conn:
            return query.hosts_with(conn, vendor)

    def hosts(self) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            return query.list_hosts(conn)

    def summary(self, vendor: str | None = None) -> list[query.ProductExposure]:
        with self.store.engine.connect() as conn:
            return query.exposure_summary(conn, vendor)

    # -- catalogs --------------------------------------------------------------------------

    def vendor(self, vendor_id: str) -> Catalog:
        for catalog in self.catalogs:
            if catalog.vendor.id == vendor_id:
                return catalog
        known = ", ".join(c.vendor.id for c in self.catalogs)
        raise NotFoundError(f"no catalog for vendor {vendor_id!r} (known: {known})")

    def product_name(self, vendor_id: str, product_id: str) -> str:
        catalog = self.vendor(vendor_id)
        try:
            return catalog.product(product_id).name
        except KeyError:
            return f"{catalog.vendor.name} (product not identified)"

    @staticmethod
    def validate_catalog(path: Path) -> Catalog:
        return load_catalog(path)

    # -- records (documents assessing a vendor) --------------------------------------------

    def records_originals(self, folder: Path | None = None) -> Originals:
        return Originals(originals_root(self.url, folder))

    def records_ingest(self, paths: list[Path], custodian: str, **options: Any) -> RecordsIngestReport:
        """Ingest files (email, PDF, Office, HTML, text, ZIP…) as records of one custodian."""
        folder = options.pop("records_dir", None)
        return ingest_records(self.store, self.records_originals(folder), paths, custodian, **options)

    def records_search(self, query: str, filters: Filters) -> list[dict[str, Any]]:
        with self.store.engine.begin() as conn:
            index.ensure(conn)
            return search.search(conn, search.word_terms(query), filters, require_all=True)

    def records_vendor_search(self, vendor: str, filters: Filters) -> list[dict[str, Any]]:
        terms = vendor_terms(self.vendor(vendor))
        with self.store.engine.begin() as conn:
            index.ensure(conn)
            return search.search(conn, terms, filters, require_all=False)

    def records_tag(self, ids: list[int], tag: str, reviewer: str, **options: Any) -> list[int]:
        with self.store.transaction() as conn:
            return review.tag(conn, ids, tag, reviewer, **options)

    def records_produce(self, out_dir: Path, prefix: str, records_dir: Path | None = None) -> ProductionReport:
        with self.store.transaction() as conn:
            return produce.produce(conn, self.records_originals(records_dir), out_dir, prefix)

    def records_reindex(self) -> int:
        with self.store.transaction() as conn:
            return index.rebuild(conn)

    def records_exceptions(self) -> list[list[str]]:
        with self.store.engine.connect() as conn:
            return produce.exception_rows(conn)
