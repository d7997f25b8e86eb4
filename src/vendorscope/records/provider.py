"""The records module as the response package sees it (respond/providers.py ``DocumentProvider``).

The package's documents are the reviewers' decisions: every family tagged responsive, produced under
its permanent Bates number (a cumulative volume, so rebuilding the package writes the same files),
privileged documents on the privilege log. The report also says how many vendor-search candidates in
the request's date range nobody has reviewed yet — "none produced" must never hide "never looked".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from vendorscope.records.counts import DocumentCounts, ProductionSummary
from vendorscope.records.produce import ProductionReport, exception_rows, planned
from vendorscope.records.review import current_tags
from vendorscope.records.search import Filters
from vendorscope.store.tables import RecordDocument

VendorSearch = Callable[[str, Filters], list[dict[str, Any]]]  # (vendor id, filters) → candidate families
Produce = Callable[[Path, str], ProductionReport]  # (folder, Bates prefix) → a cumulative production

BATES_PREFIX = "VS"


class RecordsProduction:
    """``DocumentProvider`` over the store's records."""

    def __init__(self, conn: Connection, search: VendorSearch, produce: Produce) -> None:
        """Read the review state from ``conn``; ``search`` and ``produce`` are the service's records operations."""
        self.search = search
        self.produce = produce
        self.documents = conn.execute(select(func.count()).select_from(RecordDocument)).scalar_one()
        self.tags = current_tags(conn)
        self.planned = planned(conn) if self.documents else (0, 0)
        self.unreadable = len(exception_rows(conn)) if self.documents else 0
        self.available = self.documents > 0
        self._searched: dict[tuple[str, date | None], tuple[list[dict[str, object]], list[dict[str, object]]]] = {}

    def describe(self) -> str:
        if not self.available:
            return "no documents were ingested (vendorscope records ingest): none produced"
        reviewed = len(self.tags)
        responsive = sum(1 for tag, _ in self.tags.values() if tag == "responsive")
        privileged = sum(1 for tag, _ in self.tags.values() if tag == "privileged")
        return (
            f"records: {self.documents} documents, {reviewed} reviewed: {responsive} responsive, "
            f"{privileged} privileged"
        )

    def _candidates(self, vendor: str, since: date | None) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """The vendor search's candidate families since the date, and those no reviewer has tagged.

        Searched once per vendor and date: the report's counts and the production's description then say the
        same, and a package does not pay for a search over every record twice."""
        key = (vendor, since)
        if key not in self._searched:
            self._searched[key] = self._search(vendor, since)
        return self._searched[key]

    def _search(self, vendor: str, since: date | None) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        start = datetime(since.year, since.month, since.day) if since else None
        candidates = self.search(vendor, Filters(since=start, limit=0))
        unreviewed = [
            c
            for c in candidates
            if not any(d in self.tags for d in [c["id"], *c["hit_documents"]])  # type: ignore[misc]
        ]
        return candidates, unreviewed

    def counts(self, vendor: str, since: date | None) -> DocumentCounts:
        """What ``produce_documents`` would produce and withhold now, and the candidates not yet reviewed."""
        if not self.available:
            return DocumentCounts()
        produced, withheld = self.planned
        candidates, unreviewed = self._candidates(vendor, since)
        return DocumentCounts(produced, withheld, len(unreviewed), self.documents, len(candidates), self.unreadable)

    def produce_documents(self, out_dir: Path, vendor: str, since: date | None) -> ProductionSummary | None:
        if not self.available:
            return None
        candidates, unreviewed = self._candidates(vendor, since)
        report = self.produce(out_dir, BATES_PREFIX)
        produced = f"{report.first}–{report.last}" if report.first else "no Bates numbers"
        since_text = since.isoformat() if since else "any date"
        description = (
            f"Bates {produced}, {report.withheld} withheld as privileged "
            f"(privilege log), {report.exceptions} files that could not be read (exceptions report); "
            f"vendor search since {since_text}: {len(candidates)} candidate families, "
            f"{len(unreviewed)} not yet reviewed"
        )
        files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
        return ProductionSummary(report.documents, out_dir, description, files, tuple(report.listing))
