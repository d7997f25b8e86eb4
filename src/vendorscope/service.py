"""The one API that the CLI and the web layer call.

It owns the store and the matcher, so callers never touch SQL or catalogs
directly; every method returns plain data.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vendorscope.config import Settings
from vendorscope.errors import CatalogError, InputError, NotFoundError

if TYPE_CHECKING:
    from vendorscope.catalog.names import Names
    from vendorscope.catalog.schema import Catalog
    from vendorscope.collect.collector import Push, Request
    from vendorscope.findings import lifecycle as remediation
    from vendorscope.findings import query
    from vendorscope.findings.update import Refreshed
    from vendorscope.ingest import FileResult, IngestReport, Progress
    from vendorscope.match.matcher import Matcher
    from vendorscope.orgs.products import ProductSearch
    from vendorscope.orgs.scope import Scope
    from vendorscope.orgs.screening.screener import Query, Screener
    from vendorscope.records import produce
    from vendorscope.records.ingest import RecordsIngestReport
    from vendorscope.records.produce import ProductionReport
    from vendorscope.records.search import Filters
    from vendorscope.records.store import Originals
    from vendorscope.respond.answer import Answer
    from vendorscope.respond.build import BuildOptions
    from vendorscope.respond.changes import Changes
    from vendorscope.respond.directives import FarReport
    from vendorscope.respond.keys import SigningKey
    from vendorscope.respond.package import PackageResult
    from vendorscope.respond.providers import Providers
    from vendorscope.respond.request import Request as RespondRequest
    from vendorscope.respond.sshsig import PublicKey
    from vendorscope.respond.summary import Summary
    from vendorscope.respond.verify import VerifyReport
    from vendorscope.server import trend, views
    from vendorscope.server.accounts import Accounts
    from vendorscope.server.push import AgentIngest
    from vendorscope.sources.base import Hints
    from vendorscope.store.custody import ChainReport, Head
    from vendorscope.store.store import Store

DEFAULT_VENDOR = "kaspersky"


class Service:
    """vendorscope's operations over one store and one set of catalogs."""

    def __init__(
        self,
        db: str | None = None,
        catalogs: list[Path] | None = None,
        *,
        settings: Settings | None = None,
        create: bool = True,
    ) -> None:
        """Over ``settings`` (read once by the caller), or settings made from ``db`` and ``catalogs``.

        ``create`` False (reading commands): a missing store is an error, never a new empty one.
        """
        self.settings = settings or Settings.load(db=db, catalogs=list(catalogs or []))
        self.create = create
        self._providers: Providers | None = None

    @property
    def url(self) -> str:
        return self.settings.db_url

    @property
    def extra_catalogs(self) -> list[Path]:
        return list(self.settings.catalogs)

    @cached_property
    def store(self) -> Store:
        from vendorscope.store.store import Store

        # A connection per request thread (a push's refresh runs in one), the custody linker's, the push
        # applier's two (its group's, its titles'), and one spare.
        return Store.open(self.url, create=self.create, connections=self.settings.threads + 4)

    @property
    def store_name(self) -> str:
        """The store as outputs name it (a path, or a URL without its password)."""
        from vendorscope.store.url import describe as describe_store

        return describe_store(self.url)

    @cached_property
    def catalogs(self) -> list[Catalog]:
        from vendorscope.catalog.loader import load_catalogs

        return load_catalogs(self.extra_catalogs)

    @cached_property
    def matcher(self) -> Matcher:
        from vendorscope.match.matcher import Matcher

        return Matcher(self.catalogs)

    def close(self) -> None:
        if "agents" in self.__dict__:
            self.agents.close()
        if self.__dict__.get("_readonly") is not None:
            self._readonly.close()  # type: ignore[union-attr]
        if "store" in self.__dict__:
            self.store.close()

    @property
    def store_opened(self) -> bool:
        """Whether the store was read (through ``store``, or read-only by a listing)."""
        return "store" in self.__dict__ or self.__dict__.get("_readonly") is not None

    @cached_property
    def _readonly(self) -> sqlite3.Connection | None:
        """The store read-only through sqlite3 (store/readonly.py), for listings; None unless SQLite and current."""
        if "store" in self.__dict__:
            return None
        from vendorscope.store.readonly import open_readonly

        return open_readonly(self.url)

    @cached_property
    def _names(self) -> Names | None:
        """Vendor and product names stored by the last match with these very catalog files (catalog/names.py),
        read without parsing the catalogs; None when the catalogs are loaded anyway, or the names are not stored."""
        if "catalogs" in self.__dict__ or self._readonly is None:
            return None
        from vendorscope.catalog.names import KEY, Names
        from vendorscope.store.readonly import meta

        return Names.from_record(meta(self._readonly, KEY), self.extra_catalogs)

    def _matched(self) -> None:
        """After matching with the current catalogs: keep their names in the store for listings (catalog/names.py)."""
        from vendorscope.catalog.names import KEY, record

        value = record(self.catalogs, self.extra_catalogs)
        if self.store.get_meta(KEY) != value:
            with self.store.transaction() as conn:
                self.store.set_meta(conn, KEY, value)

    # -- evidence --------------------------------------------------------------------------

    def ingest(self, paths: list[Path], hints: Hints | None = None, progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders, then bring findings up to date."""
        from vendorscope.ingest import ingest_paths

        report = ingest_paths(self.store, self._current_matcher, paths, hints, progress, beside=[self._org_screening])
        self.refresh()
        return report

    def _org_screening(self) -> None:
        """What the refresh's organization findings screen with, built from the catalogs alone (~0.2 s): during
        an ingest, while it waits for its parse worker rather than after it."""
        self.screener  # noqa: B018 - built and kept
        self.product_search  # noqa: B018

    def _current_matcher(self) -> Matcher:
        """The matcher, with the store's verdicts made with its catalogs (a re-match first if they changed)."""
        from vendorscope.findings.title_matches import ensure_current

        ensure_current(self.store, self.matcher)
        self._matched()
        return self.matcher

    def refresh_pushed(self, host_ids: Collection[int]) -> Refreshed:
        """After agents' pushes (findings/update.py): their hosts' software findings, network ones if contacts exist."""
        from vendorscope.findings.update import refresh_pushed

        return refresh_pushed(self.store, self.matcher, host_ids)

    def refresh(self, host_ids: Collection[int] | None = None) -> Refreshed:
        """The one refresh (findings/update.py): software findings of the hosts touched, network and org findings."""
        from vendorscope.findings.update import refresh

        return refresh(self.store, self.matcher, host_ids, self.refresh_org_findings)

    def rematch(self) -> dict[str, int]:
        """Re-evaluate every title against the current catalogs, then refresh findings."""
        from vendorscope.findings.title_matches import rematch_all

        titles, attributed = rematch_all(self.store, self.matcher)
        self._matched()
        refreshed = self.refresh()
        new, updated, withdrawn = refreshed.software
        net_new, net_updated, net_withdrawn = refreshed.network
        new, updated, withdrawn = new + net_new, updated + net_updated, withdrawn + net_withdrawn
        return {
            "titles": titles,
            "attributed": attributed,
            "new_findings": new,
            "updated_findings": updated,
            "withdrawn_findings": withdrawn,
        }

    # -- answers ---------------------------------------------------------------------------

    def findings(self, vendor: str | None = None, include_absent: bool = False) -> list[dict[str, Any]]:
        """Findings with their host (present ones unless ``include_absent``); an SQLite store is read read-only
        through sqlite3 (findings/listing.py), without SQLAlchemy."""
        if vendor:
            vendor = self.vendor_id(vendor)
        if self._readonly is not None:
            from vendorscope.findings import listing

            return listing.list_findings(self._readonly, vendor, include_absent)
        from vendorscope.findings import query

        with self.store.engine.connect() as conn:
            return query.list_findings(conn, vendor, include_absent)

    def hosts_with(self, vendor: str) -> list[str]:
        from vendorscope.findings import query

        vendor = self.vendor(vendor).vendor.id
        with self.store.engine.connect() as conn:
            return query.hosts_with(conn, vendor)

    def hosts(self) -> list[dict[str, Any]]:
        from vendorscope.findings import query
        from vendorscope.orgs.ownership import host_orgs

        with self.store.engine.connect() as conn:
            return query.list_hosts(conn, org_of=host_orgs(conn))

    # -- catalogs --------------------------------------------------------------------------

    def vendor(self, vendor_id: str) -> Catalog:
        """The catalog of a vendor id, in any case ('Kaspersky' is kaspersky)."""
        wanted = vendor_id.strip().lower()
        for catalog in self.catalogs:
            if catalog.vendor.id.lower() == wanted:
                return catalog
        known = ", ".join(c.vendor.id for c in self.catalogs)
        raise NotFoundError(f"no catalog for vendor {vendor_id!r} (known: {known})")

    def vendor_id(self, vendor_id: str) -> str:
        """A vendor id as its catalog spells it, from the stored names when they are current (no catalog parsing)."""
        if self._names is not None and (known := self._names.vendor_id(vendor_id)) is not None:
            return known
        return self.vendor(vendor_id).vendor.id

    def product_name(self, vendor_id: str, product_id: str) -> str:
        if self._names is not None and (name := self._names.product_name(vendor_id, product_id)) is not None:
            return name
        catalog = self.vendor(vendor_id)
        try:
            return catalog.product(product_id).name
        except KeyError:
            return f"{catalog.vendor.name} (product not identified)"

    @staticmethod
    def validate_catalog(path: Path) -> Catalog:
        from vendorscope.catalog.loader import load_catalog

        catalog = load_catalog(path)
        problems = catalog.registry_problems()
        if problems:
            raise CatalogError(f"{path}: {'; '.join(problems)}")
        return catalog

    # -- collect ---------------------------------------------------------------------------

    @staticmethod
    def collect(request: Request, out: Path, push: Push | None = None) -> dict[str, Any]:
        """Examine a system (see ``collect/``), write its bundle to ``out``; ``push`` gets the bytes."""
        from vendorscope.collect.collector import collect as collect_host
        from vendorscope.collect.collector import write as write_bundle

        doc = collect_host(request)
        write_bundle(doc, out, push)
        return doc

    # -- organizations: registry, ownership, screening, procurement (orgs/) ------------------

    @cached_property
    def screener(self) -> Screener:
        from vendorscope.orgs.screening.lists import covered_entities, relabelers
        from vendorscope.orgs.screening.screener import Screener

        return Screener(covered_entities(self.catalogs), relabelers(self.catalogs))

    @cached_property
    def product_search(self) -> ProductSearch:
        from vendorscope.orgs.products import ProductSearch

        return ProductSearch(self.catalogs)

    def refresh_org_findings(self) -> tuple[int, int, int]:
        """Flagged purchases and covered contractors, reconciled with the store (new, updated, withdrawn)."""
        from vendorscope.orgs import flags

        return flags.refresh_org_findings(self.store, self.screener, self.product_search)

    def orgs(self) -> list[dict[str, Any]]:
        from vendorscope.orgs import rollup

        with self.store.engine.connect() as conn:
            return rollup.tree(conn)

    def org_names(self) -> dict[str, str]:
        """Registry id → name, for pages that show names instead of ids."""
        return {row["org"]: row["name"] for row in self.orgs()}

    def exposure(self, by: str) -> list[dict[str, Any]]:
        from vendorscope.orgs import rollup

        if by not in rollup.BY:
            raise NotFoundError(f"cannot roll up by {by!r} (by: {', '.join(rollup.BY)})")
        with self.store.engine.connect() as conn:
            return rollup.exposure(conn, by)

    def screen(self, queries: list[Query], lists: list[Path] | None = None) -> list[dict[str, Any]]:
        """Screen names (and identifiers) against the covered-entity lists, plus any extra list files."""
        from vendorscope.orgs.screening.lists import covered_entities, relabelers
        from vendorscope.orgs.screening.screener import Screener

        if not lists:
            return [r.as_dict() for r in self.screener.screen_many(queries)]
        screener = Screener(covered_entities(self.catalogs, lists), relabelers(self.catalogs))
        return [r.as_dict() for r in screener.screen_many(queries)]

    def screen_registry(self) -> list[dict[str, Any]]:
        """Every registry organization screened (a read: covered contractors became findings at ingest)."""
        from vendorscope.orgs import flags

        with self.store.engine.connect() as conn:
            results = flags.screen_registry(conn, self.screener)
        return [{"org": n.key, "kind": n.kind} | r.as_dict() for n, r in results]

    def org_findings(self, kind: str | None = None, include_withdrawn: bool = False) -> list[dict[str, Any]]:
        from vendorscope.orgs import flags

        with self.store.engine.connect() as conn:
            return flags.list_org_findings(conn, kind, include_withdrawn)

    # -- responses (respond/) --------------------------------------------------------------

    @property
    def providers(self) -> Providers:
        """Organizations and documents for responses (respond/providers.py), built here from the store's data.

        Built afresh for each answer (a long-running server sees new evidence); a test may set its own.
        """
        from vendorscope.orgs.provider import RegistryOrgs
        from vendorscope.records.provider import RecordsProduction
        from vendorscope.respond.providers import Providers

        if self._providers is not None:
            return self._providers
        with self.store.engine.connect() as conn:
            registry = RegistryOrgs(conn, self.vendor)
            records = RecordsProduction(
                conn,
                self.records_vendor_search,
                lambda folder, prefix: self.records_produce(folder, prefix, cumulative=True),
            )
        return Providers(orgs=registry, documents=records)  # each says itself when it has nothing

    @providers.setter
    def providers(self, providers: Providers | None) -> None:
        self._providers = providers

    def answer(self, request: RespondRequest, hosts: query.HostFilter = None, scope: Scope | None = None) -> Answer:
        """The answer to a request (rows and counts), within a reader's hosts and org scope (None: everything).

        Every output renders this one object: the package, the summary, the directive reports, the dashboard
        and the API. Documents are counted when the request asks for them, and for readers of the whole
        agency only (records are the agency's, not an org's).
        """
        return self._answer(request, self.providers, hosts, scope)

    def _answer(
        self, request: RespondRequest, providers: Providers, hosts: query.HostFilter = None, scope: Scope | None = None
    ) -> Answer:
        """``answer`` from given providers: a package reuses them to produce the documents they counted."""
        from vendorscope.findings import lifecycle as remediation
        from vendorscope.findings import query
        from vendorscope.findings.coverage import catalog_questions
        from vendorscope.findings.status import DEVICE_CANDIDATE
        from vendorscope.respond.answer import Evidence, build_answer

        catalog = self.vendor(request.vendor)
        with self.store.engine.connect() as conn:
            evidence = Evidence(
                findings=query.list_findings(conn, request.vendor, hosts=hosts),
                hosts=query.list_hosts(conn, hosts, questions=catalog_questions(catalog)),
                work=remediation.work_items(conn, self.policy(), date.today(), request.vendor, True, hosts),
            )
        if request.asks("documents") and (scope is None or scope.everything):
            since = request.documents.since if request.documents else None
            evidence.documents = providers.documents.counts(request.vendor, since)
        candidates = sorted(f["host"] for f in evidence.findings if f["kind"] == DEVICE_CANDIDATE)
        evidence.findings = [f for f in evidence.findings if f["kind"] != DEVICE_CANDIDATE]
        in_scope = None if scope is None or scope.everything else scope.allows
        answer = build_answer(request, catalog, evidence, providers.orgs, in_scope)
        if candidates:  # a MAC prefix alone is a lead, not covered equipment: named, not counted
            answer.notes.append(
                f"{len(candidates)} device(s) only a candidate for {catalog.vendor.name} (one weak clue, e.g. a MAC "
                f"prefix), to confirm before reporting: {', '.join(candidates)}"
            )
        return answer

    def answer_summary(self, vendor: str, hosts: query.HostFilter = None, scope: Scope | None = None) -> Summary:
        """The headline counts and products for one vendor: what ``summary``, the dashboard and the API show."""
        from vendorscope.respond.build import ad_hoc_request
        from vendorscope.respond.request import ITEM_NAMES

        return self.answer(ad_hoc_request(vendor, ITEM_NAMES), hosts, scope).summary

    def default_vendor(self) -> str:
        """The vendor a summary is about when none is named: Kaspersky (the committee's), else the first catalog's."""
        ids = [c.vendor.id for c in self.catalogs]
        return DEFAULT_VENDOR if DEFAULT_VENDOR in ids else ids[0]

    def store_fingerprint(self) -> str:
        from vendorscope.respond.build import store_fingerprint

        with self.store.engine.connect() as conn:
            return store_fingerprint(conn, self.matcher.fingerprint)

    def respond(
        self, request_path: Path, out_dir: Path, csv_bom: bool = True, options: BuildOptions | None = None
    ) -> PackageResult:
        """Answer a request file about one vendor with a package in ``out_dir`` (signed when a signing key is
        configured; CSVs with a UTF-8 BOM unless not)."""
        from vendorscope.respond.build import load_checked_request

        request = load_checked_request(request_path, [c.vendor.id for c in self.catalogs])
        if len(request.vendor_ids) > 1:
            message = "vendors: a request naming several vendors gets one package per vendor (vendorscope respond)"
            raise InputError(str(request_path), message)
        return self._package(request, request_path, out_dir, csv_bom, options)

    def respond_each(
        self, request_path: Path, out_dir: Path, csv_bom: bool = True, options: BuildOptions | None = None
    ) -> list[PackageResult]:
        """Answer a request naming one vendor or several: one package per vendor (``out_dir/VENDOR``)."""
        from vendorscope.respond.build import load_checked_request

        request = load_checked_request(request_path, [c.vendor.id for c in self.catalogs])
        if len(request.vendor_ids) == 1:
            return [self._package(request, request_path, out_dir, csv_bom, options)]
        return [
            self._package(request.for_vendor(v), request_path, out_dir / v, csv_bom, options)
            for v in request.vendor_ids
        ]

    def _package(
        self,
        request: RespondRequest,
        request_path: Path,
        out_dir: Path,
        csv_bom: bool,
        options: BuildOptions | None = None,
    ) -> PackageResult:
        """One package; it carries the custody chain head of the evidence it was built from, and building it
        is itself a custody event (what went out, when, by whom, the manifest's SHA-256)."""
        from vendorscope.respond.build import BuildOptions, login_name
        from vendorscope.respond.keys import default_key_path, load_key, optional_key
        from vendorscope.respond.package import MANIFEST, PackageMeta, generation_time, write_package
        from vendorscope.store import custody
        from vendorscope.store.migrate import current_revision

        options = options or BuildOptions()
        with self.store.engine.connect() as conn:
            chain_head, revision = custody.evidence_head(conn), current_revision(conn) or ""
        meta = PackageMeta(
            generated_at=generation_time(),
            catalog_versions={c.vendor.id: c.version for c in self.catalogs},
            fingerprint=self.store_fingerprint(),
            request_sha256=hashlib.sha256(request_path.read_bytes()).hexdigest(),
            signing_key=load_key(options.key) if options.key else optional_key(default_key_path(self.url)),
            store_revision=revision,
            built_by=options.built_by or login_name(),
            chain_head=chain_head.as_dict(),
            since=options.since,
            explain=self.removal_evidence,
            csv_bom=csv_bom,
        )
        # one set of providers for the answer and the production: the records are read and searched once
        providers = self.providers
        answer, documents = self._answer(request, providers), providers.documents
        del providers  # the org registry is not needed while the package is written: free it before the PDF
        result = write_package(answer, documents, out_dir, meta)
        manifest_sha256 = hashlib.sha256((out_dir / MANIFEST).read_bytes()).hexdigest()
        with self.store.transaction() as conn:
            entry = custody.package_entry(request.id, str(out_dir), manifest_sha256, chain_head, meta.built_by)
            custody.append(conn, [entry])
        return result

    # -- integrity: signing key, package verification --------------------------------------

    def key_path(self, path: Path | None = None) -> Path:
        """The signing key's path: ``path``, else VENDORSCOPE_SIGNING_KEY, else the store's sidecar folder."""
        from vendorscope.respond.keys import default_key_path

        return path or default_key_path(self.url)

    def create_key(self, signer: str, path: Path | None = None, replace: bool = False) -> SigningKey:
        from vendorscope.respond.keys import create_key

        return create_key(self.key_path(path), signer, replace)

    def signing_key(self, path: Path | None = None) -> SigningKey:
        from vendorscope.respond.keys import load_key

        return load_key(self.key_path(path))

    def verify_package(self, folder: Path, pinned: PublicKey | None = None) -> VerifyReport:
        """Check a package as its reader would (needs no store)."""
        from vendorscope.respond.verify import verify_package

        return verify_package(folder, pinned)

    def removal_evidence(self, finding_id: str) -> str | None:
        """How a finding's removal was verified: the collection that no longer showed it, when the store knows."""
        from vendorscope.findings import lifecycle as remediation

        if not finding_id.isdigit():
            return None
        try:
            events = self.finding_history(int(finding_id))
        except NotFoundError:
            return None
        verified = [e for e in events if e["new"] == remediation.VERIFIED]
        if not verified:
            return None
        proof = verified[-1]["evidence"] or {}
        files = ", ".join(Path(str(f)).name for f in proof.get("files", [])) or "a later collection"
        digests = ", ".join(str(a)[:12] for a in proof.get("artifacts", []))
        return f"removed (verified) {verified[-1]['at'][:10]} by {files}" + (f" [{digests}]" if digests else "")

    def diff_packages(self, old: Path, new: Path) -> Changes:
        """What changed from one package to a later one (the store explains removals it knows)."""
        from vendorscope.respond.changes import compare

        return compare(old, new, self.removal_evidence)

    def custody_verify(self, package: Path | None = None) -> ChainReport:
        """Recompute the custody chain; with a package, check the chain still holds the head it was built from.

        Pending links (pushes not chained yet) are chained first; any committed meanwhile are reported as pending.
        The chain, its head and the pending links are read in one snapshot.
        """
        from vendorscope.store import custody

        with self.store.transaction() as conn:
            custody.link_pending(conn)
        with self.store.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            report = custody.verify_chain(conn)
            if package is not None:
                anchor = _package_head(package)
                if not custody.contains(conn, anchor):
                    report.problems.append(
                        f"{package}: built from chain entry {anchor.seq} ({anchor.hash[:16]}…), which this store's "
                        "chain no longer holds: the chain was rewritten since, or this is another store"
                    )
        return report

    def custody_log(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest custody entries, newest first."""
        from vendorscope.store import custody

        with self.store.engine.connect() as conn:
            return custody.latest(conn, limit)

    def bod_17_01(self, vendor: str, replacements: dict[str, str] | None = None) -> dict[str, Any]:
        from vendorscope.respond.build import ad_hoc_request
        from vendorscope.respond.directives import bod_17_01
        from vendorscope.respond.request import ITEM_NAMES

        answer = self.answer(ad_hoc_request(vendor, ITEM_NAMES))
        work = self.remediation(vendor, include_closed=True)  # exceptions are still present: they stay in the plan
        return bod_17_01(self.vendor(vendor), work, self.hosts(), self.policy(), answer.summary, replacements)

    def far_report(
        self, clause: str, contract: str, vendor: str = "", rule: str = "current", identified: date | None = None
    ) -> FarReport:
        """The clause's report for one contract; without ``vendor``, every vendor the clause covers
        (52.204-23: Kaspersky; 52.204-25: Huawei, ZTE, Hytera, Hikvision, Dahua) in one report."""
        from vendorscope.respond.build import ad_hoc_request
        from vendorscope.respond.directives import CLAUSE_VENDORS, far_report, merge_far_reports
        from vendorscope.respond.request import ITEM_NAMES

        known = {c.vendor.id for c in self.catalogs}
        vendors = [vendor] if vendor else [v for v in CLAUSE_VENDORS.get(clause, ()) if v in known]
        reports = []
        for vid in vendors:
            answer = self.answer(ad_hoc_request(vid, ITEM_NAMES))
            orgs = self.providers.orgs
            reports.append(far_report(clause, contract, self.vendor(vid), answer, orgs, rule, identified))
        return merge_far_reports(reports)

    def remediation(
        self,
        vendor: str | None = None,
        today: date | None = None,
        overdue: bool = False,
        include_closed: bool = False,
        hosts: query.HostFilter = None,
    ) -> list[dict[str, Any]]:
        """The remediation work: each finding's status, owner and due date (closed ones when asked)."""
        from vendorscope.findings import lifecycle as remediation

        with self.store.engine.connect() as conn:
            items = remediation.work_items(
                conn, self.policy(), today or date.today(), vendor, include_closed and not overdue, hosts
            )
        return [i for i in items if i["overdue"]] if overdue else items

    def set_remediation(self, finding_ids: list[int], change: remediation.Change) -> int:
        from vendorscope.findings import lifecycle as remediation

        return remediation.apply_change(self.store, finding_ids, change)

    def finding_history(self, finding_id: int) -> list[dict[str, Any]]:
        from vendorscope.findings import lifecycle as remediation

        with self.store.engine.connect() as conn:
            return remediation.history(conn, finding_id)

    def policy(self) -> remediation.Policy:
        from vendorscope.findings import lifecycle as remediation

        return remediation.load_policy(self.store)

    def set_policy(self, policy: remediation.Policy) -> None:
        from vendorscope.findings import lifecycle as remediation

        remediation.save_policy(self.store, policy)

    # -- records (documents assessing a vendor) --------------------------------------------

    def records_originals(self, folder: Path | None = None) -> Originals:
        from vendorscope.records.store import Originals

        return Originals(self.settings.records_root(folder))

    def records_ingest(self, paths: list[Path], custodian: str, **options: Any) -> RecordsIngestReport:
        """Ingest files (email, PDF, Office, HTML, text, ZIP…) as records of one custodian."""
        from vendorscope.records.ingest import ingest_records

        folder = options.pop("records_dir", None)
        return ingest_records(self.store, self.records_originals(folder), paths, custodian, **options)

    def records_ingest_export(self, root: Path, kind: str, custodian: str, **options: Any) -> RecordsIngestReport:
        """Ingest an export (Google Vault, Purview, a DAT with natives, a folder tree) with its custodians."""
        from vendorscope.records.ingest import ingest_export

        folder = options.pop("records_dir", None)
        return ingest_export(self.store, self.records_originals(folder), root, kind, custodian, **options)

    def records_search(self, query: str, filters: Filters) -> list[dict[str, Any]]:
        from vendorscope.records import index, search

        with self.store.engine.begin() as conn:
            index.ensure(conn)
            return search.search(conn, search.word_terms(query), filters, require_all=True)

    def records_vendor_search(self, vendor: str, filters: Filters) -> list[dict[str, Any]]:
        from vendorscope.records import index, search
        from vendorscope.records.terms import vendor_terms

        terms = vendor_terms(self.vendor(vendor))
        with self.store.engine.begin() as conn:
            index.ensure(conn)
            return search.search(conn, terms, filters, require_all=False)

    def records_tag(self, ids: list[int], tag: str, reviewer: str, **options: Any) -> list[int]:
        from vendorscope.records import review

        with self.store.transaction() as conn:
            return review.tag(conn, ids, tag, reviewer, **options)

    def records_produce(
        self,
        out_dir: Path,
        prefix: str,
        records_dir: Path | None = None,
        cumulative: bool = False,
        options: produce.ProductionOptions | None = None,
    ) -> ProductionReport:
        from vendorscope.records import produce

        originals = self.records_originals(records_dir)
        with self.store.transaction() as conn:
            return produce.produce(conn, originals, out_dir, prefix, cumulative=cumulative, options=options)

    def records_redact(self, ids: list[int], kind: str, value: str, reason: str, reviewer: str) -> list[int]:
        """Mark text to redact (exact text, a regular expression, or a START:END span) on documents."""
        from vendorscope.records import redact

        with self.store.transaction() as conn:
            return redact.add(conn, ids, kind, value, reason, reviewer)

    def records_reindex(self) -> int:
        from vendorscope.records import index

        with self.store.transaction() as conn:
            return index.rebuild(conn)

    def records_exceptions(self) -> list[list[str]]:
        from vendorscope.records import produce

        with self.store.engine.connect() as conn:
            return produce.exception_rows(conn)

    # -- server (issue 8): accounts, agent pushes, scoped views ---------------------------------

    @cached_property
    def accounts(self) -> Accounts:
        """Users, sessions and enrollment tokens."""
        from vendorscope.server.accounts import Accounts

        return Accounts(self.store)

    @cached_property
    def agents(self) -> AgentIngest:
        """Receives agents' pushed bundles (thread-safe; shares a cache of ids across pushes)."""
        from vendorscope.server.push import AgentIngest

        return AgentIngest(self.store, self.matcher, self.refresh_pushed)

    def prepare_server(self) -> None:
        """Before serving: verdicts current with the catalogs, every kind of finding current with the evidence,
        the custody links a stopped server left pending chained."""
        from vendorscope.findings.title_matches import ensure_current
        from vendorscope.store import custody

        with self.store.transaction() as conn:
            custody.link_pending(conn)
        ensure_current(self.store, self.matcher)
        self._matched()
        self.refresh()

    def ingest_bytes(self, data: bytes, name: str, hints: Hints | None = None) -> FileResult:
        """Ingest content received as bytes (same custody and idempotence as a file), then refresh its hosts."""
        from vendorscope.findings.title_matches import ensure_current
        from vendorscope.ingest import ingest_bytes
        from vendorscope.sources.base import Hints
        from vendorscope.store.writer import Caches

        ensure_current(self.store, self.matcher)
        self._matched()
        result = ingest_bytes(self.store, Caches(), self.matcher, data, name, hints or Hints())
        if result.host_ids:
            self.refresh(result.host_ids)
        return result

    def audit(
        self, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None, addr: str = ""
    ) -> None:
        """Append one event to the audit log (server/audit.py), in its own transaction."""
        from vendorscope.server import audit

        audit.log(self.store, actor, action, target, detail, addr)

    def audit_events(
        self, limit: int = 200, action: str = "", scope: Scope | None = None, **paging: Any
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of audit events, newest first (``action``: a prefix such as "export."), and how many match; with
        ``scope`` (a scoped admin's), only those of its users and tokens. ``paging``: audit.events' offset, sort,
        ascending, actor."""
        from vendorscope.server import audit

        actors = None if scope is None or scope.everything else self.accounts.actors(scope)
        total = audit.count(self.store, action, actors, paging.get("actor", ""))
        return audit.events(self.store, limit, action, actors, **paging), total

    def reserve_login(self, username: str, addr: str, limit: int, window: timedelta) -> bool:
        """Count a sign-in attempt before its password is checked (server/throttle.py); False: over the limit."""
        from vendorscope.server import throttle

        return throttle.reserve(self.store, throttle.keys(username, addr), limit, window)

    def release_login(self, username: str, addr: str) -> None:
        """A sign-in that succeeded gives its counted attempt back."""
        from vendorscope.server import throttle

        throttle.release(self.store, throttle.keys(username, addr))

    def scope(self, org: str) -> Scope:
        """What a user or token of ``org`` may reach: its subtree of the org registry."""
        from vendorscope.orgs.scope import Scope

        with self.store.engine.connect() as conn:
            return Scope.resolve(conn, org)

    def host_filter(self, scope: Scope) -> query.HostFilter:
        """The hosts within ``scope`` (None: every host), to pass to the scoped reads."""
        if scope.everything:
            return None
        with self.store.engine.connect() as conn:
            return scope.host_filter(conn)

    def scoped_findings(self, hosts: query.HostFilter, flt: views.FindingFilter) -> list[dict[str, Any]]:
        from vendorscope.server import views

        if flt.vendor:
            flt.vendor = self.vendor(flt.vendor).vendor.id
        with self.store.engine.connect() as conn:
            return views.findings(conn, hosts, flt)

    def scoped_finding(self, hosts: query.HostFilter, finding_id: int) -> dict[str, Any]:
        from vendorscope.server import views

        with self.store.engine.connect() as conn:
            found = views.finding(conn, hosts, finding_id)
        if found is None:
            raise NotFoundError(f"no finding {finding_id}")
        return found

    def scoped_hosts(self, hosts: query.HostFilter) -> list[dict[str, Any]]:
        from vendorscope.server import views

        with self.store.engine.connect() as conn:
            return views.host_list(conn, hosts)

    def finding_work(self, finding_id: int) -> dict[str, Any] | None:
        """One finding's remediation state (owner, due date, note, overdue), closed ones included."""
        work = self.remediation(include_closed=True)
        return next((w for w in work if w["id"] == finding_id), None)

    def remediate(self, actor: str, hosts: query.HostFilter, finding_id: int, addr: str = "", **change: Any) -> int:
        """Change one finding's remediation for a caller whose hosts are ``hosts``; audited.

        A finding outside the caller's hosts is "not found", exactly as when reading it.
        """
        from vendorscope.findings import lifecycle as remediation
        from vendorscope.server import audit

        self.scoped_finding(hosts, finding_id)
        count = self.set_remediation([finding_id], remediation.Change(actor=actor, **change))
        detail = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in change.items() if v is not None}
        audit.log(self.store, actor, "remediation.set", f"finding:{finding_id}", detail | {"events": count}, addr)
        return count

    def finding_source(
        self, hosts: query.HostFilter, finding_id: int, sha256: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The custody record of a file that gave evidence for a finding the caller may read."""
        from vendorscope.server import custody

        finding = self.scoped_finding(hosts, finding_id)
        if sha256 not in {e.get("artifact") for e in finding["evidence"]}:
            raise NotFoundError(f"finding {finding_id} has no evidence from a file {sha256[:12]}")
        with self.store.engine.connect() as conn:
            return finding, custody.records(conn, sha256)

    def trend(self, hosts: query.HostFilter, vendor: str | None = None) -> list[trend.TrendPoint]:
        """Exposure per collection day, within ``hosts``."""
        from vendorscope.server import trend

        with self.store.engine.connect() as conn:
            return trend.trend(conn, hosts, vendor)

    def dashboard(self, hosts: query.HostFilter, scope: Scope | None = None, vendor: str = "") -> views.Dashboard:
        """The answer's summary for one vendor within the reader's scope, hosts by org, and the overdue work."""
        from vendorscope.server import views

        vendor = vendor or self.default_vendor()
        summary = self.answer_summary(vendor, hosts, scope)
        overdue = self.remediation(vendor, overdue=True, hosts=hosts)
        with self.store.engine.connect() as conn:
            orgs = views.by_org(conn, hosts, vendor)
        vendors = [(c.vendor.id, c.vendor.name) for c in self.catalogs]
        return views.Dashboard(summary, orgs, overdue, vendors)

    # -- web pages (issue 8): records review, request packages ------------------------------------

    def records_page(self, words: str, vendor: str, filters: Filters, privileged: bool) -> list[dict[str, Any]]:
        """Search results for the web: a vendor's terms or the words, with tags; privileged hidden unless allowed."""
        from vendorscope.server import documents

        results = self.records_vendor_search(vendor, filters) if vendor else self.records_search(words, filters)
        with self.store.engine.connect() as conn:
            return documents.visible_results(conn, results, privileged)

    def records_document(self, doc_id: int, privileged: bool) -> dict[str, Any]:
        """One document with its family, locations and reviews (privileged ones for ``privileged`` readers only)."""
        from vendorscope.server import documents

        with self.store.engine.connect() as conn:
            found = documents.document(conn, doc_id, privileged)
        if found is None:
            raise NotFoundError(f"no document {doc_id}")
        return found

    def records_review(self, doc_id: int, tag: str, reviewer: str, addr: str = "", **options: Any) -> list[int]:
        """Tag a document (``family=True``: its family) and record the review in the audit log."""
        from vendorscope.server import documents

        with self.store.transaction() as conn:
            return documents.tag_with_audit(conn, doc_id, tag, reviewer, addr, **options)

    @cached_property
    def server_dir(self) -> Path:
        """Where the server keeps what it builds (request packages); see server/packages.py."""
        return self.settings.server_root()

    def web_production(self, prefix: str, actor: str, addr: str = "") -> tuple[str, ProductionReport]:
        """A production volume made from the web (server/productions.py), audited."""
        from vendorscope.server import productions

        name, report = productions.produce(lambda out, px: self.records_produce(out, px), self.server_dir, prefix)
        detail = {"prefix": prefix, "documents": report.documents, "first": report.first, "last": report.last}
        self.audit(actor, "records.produce", name, detail, addr)
        return name, report

    def web_productions(self) -> list[dict[str, Any]]:
        from vendorscope.server import productions

        return productions.listing(self.server_dir)

    def web_production_zip(self, name: str) -> Path:
        from vendorscope.server import productions

        return productions.zip_path(self.server_dir, name)

    def request_packages(self) -> list[dict[str, Any]]:
        from vendorscope.server import packages

        return packages.listing(self.server_dir)

    def build_request_package(self, data: bytes, filename: str) -> dict[str, Any]:
        """Check an uploaded request file and answer it with a package in its own folder."""
        from vendorscope.server import packages

        return packages.build(self.respond, self.server_dir, data, filename)

    def request_package_zip(self, name: str) -> Path:
        from vendorscope.server import packages

        return packages.zip_path(self.server_dir, name)


def _package_head(package: Path) -> Head:
    """The custody chain head a package records in its manifest."""
    import orjson

    from vendorscope.errors import InputError
    from vendorscope.store.custody import Head

    manifest = package / "manifest.json"
    try:
        head = orjson.loads(manifest.read_bytes()).get("custody_chain_head") or {}
        return Head(int(head["seq"]), str(head["hash"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(str(manifest), f"no custody chain head to check ({type(exc).__name__}: {exc})") from None
