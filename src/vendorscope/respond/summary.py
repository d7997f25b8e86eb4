"""The headline numbers of an answer, computed once: every output prints these and no other.

The CLI's ``summary``, the package (report, XLSX, CSVs, manifest.json), ``report bod-17-01``, ``report far``,
the dashboard and ``GET /api/v1/summary`` all render a :class:`Summary`; none counts on its own.

What each count means:

- ``hosts_known``: every host any evidence named; ``hosts_examined`` + ``hosts_not_examined`` = it. A host never
  examined is "not examined", never clean.
- ``hosts_affected``: hosts with at least one present finding of the vendor (withdrawn and verified-removed
  findings aside), split into ``hosts_affected_installed`` (the software is installed: branded or embedded)
  and ``hosts_affected_network_only`` (only seen talking to the vendor's servers).
- ``findings_open`` / ``findings_closed``: host findings by status (``findings/status.py``); withdrawn ones are
  not counted. Purchases are not findings here: they are procurement evidence, counted in
  ``purchases_flagged``, never as systems or hosts.
- ``overdue``: open findings past their due date, by the one rule of ``findings/lifecycle.py``.
- ``contractors``: contractors and subcontractors with the vendor's software on a host of theirs or a
  flagged purchase (the covered suppliers listed in contractors.csv are sellers, not users: not counted).
- ``documents_searched`` / ``documents_found``: the documents in the archive, and the candidate families the
  vendor search found in them since the request's start date.
- ``documents_produced`` / ``documents_withheld`` / ``documents_unreviewed``: the production's responsive
  documents, the privileged ones withheld, and the vendor-search candidates no reviewer has tagged yet.
- ``documents_not_examined``: documents and files that could not be read (the exceptions report): unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from vendorscope.findings.status import CLOSED, SOFTWARE_KINDS, is_counted
from vendorscope.records.counts import DocumentCounts

__all__ = ["COUNT_FIELDS", "COUNT_LABELS", "Counts", "DocumentCounts", "ProductHosts", "Summary", "summarize"]

COUNT_FIELDS = (
    "hosts_known",
    "hosts_examined",
    "hosts_not_examined",
    "hosts_affected",
    "hosts_affected_installed",
    "hosts_affected_network_only",
    "findings_open",
    "findings_closed",
    "overdue",
    "purchases_flagged",
    "contractors",
    "documents_searched",
    "documents_found",
    "documents_produced",
    "documents_withheld",
    "documents_unreviewed",
    "documents_not_examined",
)

COUNT_LABELS = {  # the words each count goes by in the report, the XLSX and the dashboard
    "hosts_known": "hosts known",
    "hosts_examined": "hosts examined",
    "hosts_not_examined": "hosts not examined (state unknown, not clean)",
    "hosts_affected": "hosts with the vendor's software or traffic",
    "hosts_affected_installed": "of which with the software installed",
    "hosts_affected_network_only": "of which seen only on the network",
    "findings_open": "findings open",
    "findings_closed": "findings closed (removal verified, or exception)",
    "overdue": "findings overdue",
    "purchases_flagged": "purchases flagged (procurement evidence, not systems)",
    "contractors": "contractors and subcontractors using it",
    "documents_searched": "documents searched",
    "documents_found": "document families found mentioning the vendor (since the start date)",
    "documents_produced": "documents produced",
    "documents_withheld": "documents withheld as privileged",
    "documents_unreviewed": "candidate documents not yet reviewed",
    "documents_not_examined": "documents that could not be read (content unknown)",
}


@dataclass(frozen=True)
class Counts:
    hosts_known: int = 0
    hosts_examined: int = 0
    hosts_not_examined: int = 0
    hosts_affected: int = 0
    hosts_affected_installed: int = 0
    hosts_affected_network_only: int = 0
    findings_open: int = 0
    findings_closed: int = 0
    overdue: int = 0
    purchases_flagged: int = 0
    contractors: int = 0
    documents_searched: int = 0
    documents_found: int = 0
    documents_produced: int = 0
    documents_withheld: int = 0
    documents_unreviewed: int = 0
    documents_not_examined: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ProductHosts:
    """One product of the vendor, once, with the hosts it was found on (installed or on the network)."""

    product_id: str
    product: str
    hosts: int


@dataclass(frozen=True)
class Summary:
    vendor: str  # catalog id
    vendor_name: str
    counts: Counts
    products: tuple[ProductHosts, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract: {"vendor", "counts": {COUNT_FIELDS…}, "products": [{product_id, product, hosts}]}."""
        return {
            "vendor": self.vendor,
            "counts": self.counts.as_dict(),
            "products": [asdict(p) for p in self.products],
        }

    def headline(self) -> str:
        """The answer in one sentence, with its reconciliation (installed + network only = affected)."""
        c = self.counts
        return (
            f"{c.hosts_affected} of {c.hosts_known} known hosts have {self.vendor_name} software or traffic "
            f"({c.hosts_affected_installed} with it installed, {c.hosts_affected_network_only} seen only on the "
            f"network); {c.hosts_examined} examined, {c.hosts_not_examined} not examined. Findings: "
            f"{c.findings_open} open, {c.findings_closed} closed, {c.overdue} overdue; "
            f"{_n(c.purchases_flagged, 'purchase')} flagged; {_n(c.contractors, 'contractor')} using it."
        )

    def installed_sentence(self, what: str) -> str:
        """Why a directive that counts installed software gives a smaller number than the headline."""
        c = self.counts
        return (
            f"{what} counts endpoints with the product installed: {c.hosts_affected_installed} of the "
            f"{c.hosts_affected} hosts affected; the other {c.hosts_affected_network_only} were seen only on the "
            f"network (talking to {self.vendor_name}'s servers) and are in the removal work as network findings."
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summarize(
    vendor: str,
    vendor_name: str,
    hosts: Iterable[dict[str, Any]],
    work: Iterable[dict[str, Any]],
    product_names: dict[str, str],
    purchases: int,
    contractors: int,
    documents: DocumentCounts,
    notes: Iterable[str] = (),
) -> Summary:
    """Count an answer from its rows: ``hosts`` as findings.query.list_hosts gives them, ``work`` every finding
    of the vendor with its status and overdue flag (findings.lifecycle.work_items, closed ones included)."""
    host_rows = list(hosts)
    examined = sum(1 for h in host_rows if h["examined"])
    counted = [w for w in work if is_counted(w["status"])]
    present = [w for w in counted if w["present"]]
    affected = {w["host"] for w in present}
    installed = {w["host"] for w in present if w["kind"] in SOFTWARE_KINDS}
    per_product: dict[str, set[str]] = {}
    for w in present:
        per_product.setdefault(w["product"], set()).add(w["host"])
    products = sorted(
        (ProductHosts(pid, product_names.get(pid, pid), len(h)) for pid, h in per_product.items()),
        key=lambda p: (-p.hosts, p.product, p.product_id),
    )
    closed = sum(1 for w in counted if w["status"] in CLOSED)
    counts = Counts(
        hosts_known=len(host_rows),
        hosts_examined=examined,
        hosts_not_examined=len(host_rows) - examined,
        hosts_affected=len(affected),
        hosts_affected_installed=len(installed),
        hosts_affected_network_only=len(affected - installed),
        findings_open=len(counted) - closed,
        findings_closed=closed,
        overdue=sum(1 for w in counted if w["overdue"]),
        purchases_flagged=purchases,
        contractors=contractors,
        documents_searched=documents.searched,
        documents_found=documents.found,
        documents_produced=documents.produced,
        documents_withheld=documents.withheld,
        documents_unreviewed=documents.unreviewed,
        documents_not_examined=documents.not_examined,
    )
    return Summary(vendor, vendor_name, counts, tuple(products), tuple(notes))
