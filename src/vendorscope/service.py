"""The one API that the CLI and the web layer call.

It owns the store and the matcher, so callers never touch SQL or catalogs
directly; every method returns plain data.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vendorscope.catalog.loader import load_catalog, load_catalogs
from vendorscope.catalog.schema import Catalog
from vendorscope.collect.collector import Push, Request
from vendorscope.collect.collector import collect as collect_host
from vendorscope.collect.collector import write as write_bundle
from vendorscope.config import database_url
from vendorscope.errors import NotFoundError
from vendorscope.findings import query
from vendorscope.findings.network import refresh_network_findings
from vendorscope.findings.refresh import refresh_findings
from vendorscope.findings.title_matches import ensure_current, rematch_all
from vendorscope.ingest import FileResult, IngestReport, Progress, ingest_bytes, ingest_paths
from vendorscope.match.matcher import Matcher
from vendorscope.orgs import flags, rollup
from vendorscope.orgs.products import ProductSearch
from vendorscope.orgs.screening.lists import covered_entities
from vendorscope.orgs.screening.screener import Query, Screener
from vendorscope.records import index, produce, review, search
from vendorscope.records.ingest import RecordsIngestReport, ingest_records
from vendorscope.records.produce import ProductionReport
from vendorscope.records.search import Filters
from vendorscope.records.store import Originals, originals_root
from vendorscope.records.terms import vendor_terms
from vendorscope.respond import remediation
from vendorscope.respond.providers import Providers, default_providers
from vendorscope.server import documents, packages, views
from vendorscope.server.accounts import Accounts
from vendorscope.server.push import AgentIngest
from vendorscope.sources.base import Hints
from vendorscope.store.store import Store
from vendorscope.store.writer import Caches
from vendorscope.web.scope import Scope

if TYPE_CHECKING:
    from vendorscope.respond.directives import FarReport
    from vendorscope.respond.package import PackageResult


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
        refresh_network_findings(self.store, self.matcher)
        self.refresh_org_findings()
        return report

    def rematch(self) -> dict[str, int]:
        """Re-evaluate every title against the current catalogs, then refresh findings."""
        titles, attributed = rematch_all(self.store, self.matcher)
        new, updated, withdrawn = refresh_findings(self.store)
        net_new, net_updated, net_withdrawn = refresh_network_findings(self.store, self.matcher)
        new, updated, withdrawn = new + net_new, updated + net_updated, withdrawn + net_withdrawn
        self.refresh_org_findings()
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

    # -- collect ---------------------------------------------------------------------------

    @staticmethod
    def collect(request: Request, out: Path, push: Push | None = None) -> dict[str, Any]:
        """Examine a system (see ``collect/``), write its bundle to ``out``; ``push`` gets the bytes."""
        doc = collect_host(request)
        write_bundle(doc, out, push)
        return doc

    # -- organizations: registry, ownership, screening, procurement (orgs/) ------------------

    @cached_property
    def screener(self) -> Screener:
        return Screener(covered_entities(self.catalogs))

    @cached_property
    def product_search(self) -> ProductSearch:
        return ProductSearch(self.catalogs)

    def refresh_org_findings(self) -> tuple[int, int, int]:
        """Flagged purchases and covered contractors, reconciled with the store (new, updated, withdrawn)."""
        return flags.refresh_org_findings(self.store, self.screener, self.product_search)

    def orgs(self) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            return rollup.tree(conn)

    def exposure(self, by: str) -> list[dict[str, Any]]:
        if by not in rollup.BY:
            raise NotFoundError(f"cannot roll up by {by!r} (by: {', '.join(rollup.BY)})")
        with self.store.engine.connect() as conn:
            return rollup.exposure(conn, by)

    def screen(self, queries: list[Query], lists: list[Path] | None = None) -> list[dict[str, Any]]:
        """Screen names (and identifiers) against the covered-entity lists, plus any extra list files."""
        screener = Screener(covered_entities(self.catalogs, lists)) if lists else self.screener
        return [r.as_dict() for r in screener.screen_many(queries)]

    def screen_registry(self) -> list[dict[str, Any]]:
        """Every registry organization screened; covered contractors become findings."""
        self.refresh_org_findings()
        with self.store.engine.connect() as conn:
            results = flags.screen_registry(conn, self.screener)
        return [{"org": n.key, "kind": n.kind} | r.as_dict() for n, r in results]

    def org_findings(self, kind: str | None = None, include_withdrawn: bool = False) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            return flags.list_org_findings(conn, kind, include_withdrawn)

    # -- responses (respond/) --------------------------------------------------------------

    @cached_property
    def providers(self) -> Providers:
        """Organizations and documents for responses; see respond/providers.py."""
        return default_providers(self)

    def respond(self, request_path: Path, out_dir: Path) -> PackageResult:
        """Answer a request file with a package in ``out_dir``."""
        from vendorscope.respond.build import build_response

        return build_response(self, request_path, out_dir)

    def respond_each(self, request_path: Path, out_dir: Path) -> list[PackageResult]:
        """Answer a request naming one vendor or several: one package per vendor (``out_dir/VENDOR``)."""
        from vendorscope.respond.build import build_responses

        return build_responses(self, request_path, out_dir)

    def bod_17_01(self, vendor: str, replacements: dict[str, str] | None = None) -> dict[str, Any]:
        from vendorscope.respond.directives import bod_17_01

        work = self.remediation(vendor, include_closed=True)  # exceptions are still present: they stay in the plan
        return bod_17_01(self.vendor(vendor), work, self.hosts(), self.policy(), replacements)

    def far_report(
        self, clause: str, contract: str, vendor: str = "", rule: str = "current", identified: date | None = None
    ) -> FarReport:
        """The clause's report for one contract; without ``vendor``, every vendor the clause covers
        (52.204-23: Kaspersky; 52.204-25: Huawei, ZTE, Hytera, Hikvision, Dahua) in one report."""
        from vendorscope.respond.build import ad_hoc_request, answer_for
        from vendorscope.respond.directives import CLAUSE_VENDORS, far_report, merge_far_reports

        vendors = [vendor] if vendor else [v for v in CLAUSE_VENDORS.get(clause, ()) if self._has_catalog(v)]
        reports = []
        for vid in vendors:
            systems = answer_for(self, ad_hoc_request(vid, ("systems",))).systems
            orgs = self.providers.orgs
            reports.append(far_report(clause, contract, self.vendor(vid), systems, orgs, rule, identified))
        return merge_far_reports(reports)

    def _has_catalog(self, vendor: str) -> bool:
        return any(c.vendor.id == vendor for c in self.catalogs)

    def remediation(
        self,
        vendor: str | None = None,
        today: date | None = None,
        overdue: bool = False,
        include_closed: bool = False,
    ) -> list[dict[str, Any]]:
        """The remediation work: each finding's status, owner and due date (closed ones when asked)."""
        with self.store.engine.connect() as conn:
            items = remediation.work_items(
                conn, self.policy(), today or date.today(), vendor, include_closed and not overdue
            )
        return [i for i in items if i["overdue"]] if overdue else items

    def set_remediation(self, finding_ids: list[int], change: remediation.Change) -> int:
        return remediation.apply_change(self.store, finding_ids, change)

    def finding_history(self, finding_id: int) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            return remediation.history(conn, finding_id)

    def policy(self) -> remediation.Policy:
        return remediation.load_policy(self.store)

    def set_policy(self, policy: remediation.Policy) -> None:
        remediation.save_policy(self.store, policy)

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

    def records_produce(
        self, out_dir: Path, prefix: str, records_dir: Path | None = None, cumulative: bool = False
    ) -> ProductionReport:
        with self.store.transaction() as conn:
            return produce.produce(conn, self.records_originals(records_dir), out_dir, prefix, cumulative=cumulative)

    def records_reindex(self) -> int:
        with self.store.transaction() as conn:
            return index.rebuild(conn)

    def records_exceptions(self) -> list[list[str]]:
        with self.store.engine.connect() as conn:
            return produce.exception_rows(conn)

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

    def scope(self, org: str) -> Scope:
        """What a user or token of ``org`` may reach: its subtree of the org registry."""
        with self.store.engine.connect() as conn:
            return Scope.resolve(conn, org)

    def host_filter(self, scope: Scope) -> query.HostFilter:
        """The hosts within ``scope`` (None: every host), to pass to the scoped reads."""
        if scope.everything:
            return None
        with self.store.engine.connect() as conn:
            return scope.host_filter(conn)

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

    # -- web pages (issue 8): records review, request packages ------------------------------------

    def records_page(self, words: str, vendor: str, filters: Filters, privileged: bool) -> list[dict[str, Any]]:
        """Search results for the web: a vendor's terms or the words, with tags; privileged hidden unless allowed."""
        results = self.records_vendor_search(vendor, filters) if vendor else self.records_search(words, filters)
        with self.store.engine.connect() as conn:
            return documents.visible_results(conn, results, privileged)

    def records_document(self, doc_id: int, privileged: bool) -> dict[str, Any]:
        """One document with its family, locations and reviews (privileged ones for ``privileged`` readers only)."""
        with self.store.engine.connect() as conn:
            found = documents.document(conn, doc_id, privileged)
        if found is None:
            raise NotFoundError(f"no document {doc_id}")
        return found

    def records_review(self, doc_id: int, tag: str, reviewer: str, addr: str = "", **options: Any) -> list[int]:
        """Tag a document (``family=True``: its family) and record the review in the audit log."""
        with self.store.transaction() as conn:
            return documents.tag_with_audit(conn, doc_id, tag, reviewer, addr, **options)

    @cached_property
    def server_dir(self) -> Path:
        """Where the server keeps what it builds (request packages); see server/packages.py."""
        return packages.data_root(self.url)

    def request_packages(self) -> list[dict[str, Any]]:
        return packages.listing(self.server_dir)

    def build_request_package(self, data: bytes, filename: str) -> dict[str, Any]:
        """Check an uploaded request file and answer it with a package in its own folder."""
        return packages.build(self, self.server_dir, data, filename)

    def request_package_zip(self, name: str) -> Path:
        return packages.zip_path(self.server_dir, name)
