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
from vendorscope.ingest import FileResult, IngestReport, Progress, ingest_bytes, ingest_paths
from vendorscope.match.matcher import Matcher
from vendorscope.server import views
from vendorscope.server.accounts import Accounts
from vendorscope.server.push import AgentIngest
from vendorscope.sources.base import Hints
from vendorscope.store.store import Store
from vendorscope.store.writer import Caches


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

    # -- server (issue 8): accounts, agent pushes, scoped views ---------------------------------

    @cached_property
    def accounts(self) -> Accounts:
        """Users, sessions and enrollment tokens."""
        return Accounts(self.store)

    @cached_property
    def agents(self) -> AgentIngest:
        """Receives agents' pushed bundles (thread-safe; shares a cache of ids across pushes)."""
        return AgentIngest(self.store, self.matcher)

    def prepare_server(self) -> None:
        """Before serving: verdicts current with the catalogs, findings current with the evidence."""
        ensure_current(self.store, self.matcher)
        refresh_findings(self.store)

    def ingest_bytes(self, data: bytes, name: str, hints: Hints | None = None) -> FileResult:
        """Ingest content received as bytes (same custody and idempotence as a file), then refresh its hosts."""
        ensure_current(self.store, self.matcher)
        result = ingest_bytes(self.store, Caches(), self.matcher, data, name, hints or Hints())
        if result.host_ids:
            refresh_findings(self.store, result.host_ids)
        return result

    def scoped_findings(self, hosts: query.HostFilter, flt: views.FindingFilter) -> list[dict[str, Any]]:
        if flt.vendor:
            self.vendor(flt.vendor)
        with self.store.engine.connect() as conn:
            return views.findings(conn, hosts, flt)

    def scoped_finding(self, hosts: query.HostFilter, finding_id: int) -> dict[str, Any]:
        with self.store.engine.connect() as conn:
            found = views.finding(conn, hosts, finding_id)
        if found is None:
            raise NotFoundError(f"no finding {finding_id}")
        return found

    def scoped_hosts(self, hosts: query.HostFilter) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            return views.host_list(conn, hosts)

    def dashboard(self, hosts: query.HostFilter) -> views.Dashboard:
        with self.store.engine.connect() as conn:
            return views.dashboard(conn, hosts)
