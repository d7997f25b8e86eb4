"""The answer to a request as plain rows: systems, purchases, contractors, coverage, risk, exceptions.

Everything the package's files show is computed here once, sorted, so the CSV, XLSX, HTML and PDF
writers only format it and two builds from the same store agree. Its headline numbers are
``Answer.summary`` (respond/summary.py), counted from these same rows. Systems are host findings only;
flagged purchases are procurement evidence in their own rows (``purchases``), never systems or hosts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vendorscope.catalog.schema import Catalog, Product
from vendorscope.findings.query import NOT_EXAMINED
from vendorscope.findings.status import DEVICE, EXCEPTION, NETWORK
from vendorscope.findings.words import describe_evidence
from vendorscope.match.matcher import UNIDENTIFIED
from vendorscope.respond import risk as risk_mod
from vendorscope.respond.providers import UNASSIGNED, Contractor, OrgPath, OrgProvider, ProcurementLine
from vendorscope.respond.request import Request
from vendorscope.respond.summary import DocumentCounts, Summary, summarize

SYSTEMS_COLUMNS = (
    "host",
    "org",
    "org_path",
    "product",
    "version",
    "kind",
    "evidence",
    "confidence",
    "first_seen",
    "last_seen",
    "risk",
    "risk_reasons",
    "status",
    "finding_id",
)
PURCHASES_COLUMNS = (
    "org",
    "org_path",
    "contract",
    "order",
    "supplier",
    "product",
    "model",
    "description",
    "identified",
)
CONTRACTORS_COLUMNS = ("org_id", "name", "kind", "prime", "contract", "hosts_with_vendor", "products")
COVERAGE_COLUMNS = (
    "host",
    "org",
    "org_path",
    "examined_by",
    "sources",
    "last_examined",
    "software",
    "vendor_products",
    "cannot_examine",
)
COVERED_SUPPLIER = "covered supplier"


@dataclass
class Answer:
    """The computed answer; rows are dicts keyed by the column names above."""

    request: Request
    catalog: Catalog
    systems: list[dict[str, Any]]
    contractors: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    product_risks: list[risk_mod.ProductRisk]
    exceptions: list[dict[str, Any]]
    summary: Summary
    purchases: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def hosts_by(self, column: str, rows: str = "systems") -> list[tuple[str, int]]:
        """Distinct hosts per value of a column (product, org…), most first."""
        hosts: dict[str, set[str]] = {}
        for row in getattr(self, rows):
            hosts.setdefault(str(row[column]), set()).add(row["host"] or f"line:{row['evidence']}")
        return sorted(((k, len(v)) for k, v in hosts.items()), key=lambda kv: (-kv[1], kv[0]))

    def methods(self) -> list[tuple[str, int]]:
        counter: Counter[str] = Counter()
        for row in self.coverage:
            counter.update(m for m in row["examined_by"].split(", ") if m != NOT_EXAMINED)
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class Evidence:
    """What the store holds for one vendor, within a reader's scope, read by the service.

    ``findings``: present host findings (findings.query.list_findings); ``hosts``: every host in scope
    (findings.query.list_hosts); ``work``: every finding with status, due date and overdue flag, closed ones
    included (findings.lifecycle.work_items); ``documents``: what a production would hold now.
    """

    findings: list[dict[str, Any]]
    hosts: list[dict[str, Any]]
    work: list[dict[str, Any]]
    documents: DocumentCounts = field(default_factory=DocumentCounts)


def build_answer(
    request: Request,
    catalog: Catalog,
    evidence: Evidence,
    orgs: OrgProvider,
    in_scope: Callable[[str], bool] | None = None,
) -> Answer:
    """Join findings, hosts and the organizations into the answer's rows, then count them (``summary``).

    ``in_scope(org_id)`` keeps the purchases and contractors of a reader's org subtree (None: all of them).
    """
    hosts, findings = evidence.hosts, evidence.findings
    org_of = {h["host"]: orgs.org_of(h["host"]) for h in hosts}
    live = Counter(f["host"] for f in findings if f["kind"] == NETWORK)
    systems = [_system_row(f, catalog, org_of.get(f["host"]), orgs, live[f["host"]]) for f in findings]
    systems.sort(key=lambda r: (r["host"], r["product"], r["kind"], r["evidence"]))
    pairs = [(r["product"], r["host"], r.pop("_risk")) for r in systems]
    procurement = [p for p in orgs.procurement(catalog.vendor.id) if in_scope is None or in_scope(p.org_id)]
    contractors = [c for c in orgs.contractors() if in_scope is None or in_scope(c.org_id)]
    contractor_rows = _contractors(contractors, systems, org_of, procurement)
    notes = [orgs.describe()] if not orgs.available else []
    names = {w["product"]: _product_name(catalog, w["product"]) for w in evidence.work}
    summary = summarize(
        catalog.vendor.id,
        catalog.vendor.name,
        hosts,
        evidence.work,
        names,
        purchases=len(procurement),
        contractors=sum(1 for r in contractor_rows if r["kind"] != COVERED_SUPPLIER),
        documents=evidence.documents,
        notes=notes,
    )
    exceptions = [w | {"product_name": names[w["product"]]} for w in evidence.work if w["status"] == EXCEPTION]
    return Answer(
        request=request,
        catalog=catalog,
        systems=systems,
        contractors=contractor_rows,
        coverage=[_coverage_row(h, org_of.get(h["host"]), catalog) for h in hosts],
        product_risks=risk_mod.by_product(pairs),
        exceptions=exceptions,
        summary=summary,
        purchases=sorted(
            (_purchase_row(line, orgs.org(line.org_id)) for line in procurement),
            key=lambda r: (r["org_path"], r["contract"], r["order"], r["product"]),
        ),
        notes=notes,
    )


def _product(catalog: Catalog, product_id: str) -> Product | None:
    try:
        return catalog.product(product_id)
    except KeyError:
        return None


def _product_name(catalog: Catalog, product_id: str) -> str:
    product = _product(catalog, product_id)
    if product:
        return product.name
    return f"{catalog.vendor.name} (product not identified)" if product_id == UNIDENTIFIED else product_id


def _system_row(
    f: dict[str, Any], catalog: Catalog, org: OrgPath | None, orgs: OrgProvider, live: int
) -> dict[str, Any]:
    product = _product(catalog, f["product"])
    assessed = risk_mod.assess(product, orgs.host_profile(f["host"]), live)
    versions = sorted({str(e.get("version") or "") for e in f["evidence"]} - {""})
    return {
        "host": f["host"],
        "org": org.name if org else UNASSIGNED,
        "org_path": org.text if org else UNASSIGNED,
        "product": _product_name(catalog, f["product"]),
        "version": "; ".join(versions),
        "kind": f["kind"],
        "evidence": _evidence_text(f["evidence"], f["explanation"] if f["kind"] == DEVICE else ""),
        "confidence": f"{f['confidence']:.2f}",
        "first_seen": f["first_seen"] or "",
        "last_seen": f["last_seen"] or "",
        "risk": assessed.text,
        "risk_reasons": assessed.because,
        "status": f["status"],
        "finding_id": f["id"],
        "_risk": assessed,
    }


def _evidence_text(evidence: list[dict[str, Any]], graded: str = "") -> str:
    """Each distinct clue once, in words (``publisher is "AO Kaspersky Lab"``), then the files it came from
    (SHA-256 prefixes, as in the custody records); the matching rules are in the report's appendix.

    A device's evidence is its graded explanation instead (findings/devices.py: what it is, made by whom,
    how sure — confirmed or likely, by how many independent clues — and each clue in words)."""
    files = sorted({str(e.get("artifact", ""))[:12] for e in evidence} - {""})
    where = f" — from file {', '.join(files)}" if files else ""
    return (graded.strip().rstrip(".") or describe_evidence(evidence)) + where


def _purchase_row(line: ProcurementLine, org: OrgPath | None) -> dict[str, Any]:
    """A flagged purchase: procurement evidence of the buying org, not a system and not a host."""
    return {
        "org": org.name if org else UNASSIGNED,
        "org_path": org.text if org else UNASSIGNED,
        "contract": line.contract,
        "order": line.order,
        "supplier": line.supplier,
        "product": line.brand,
        "model": line.model,
        "description": line.description,
        "identified": line.identified.isoformat() if line.identified else "",
    }


def _contractors(
    contractors: list[Contractor],
    systems: list[dict[str, Any]],
    org_of: dict[str, OrgPath | None],
    procurement: list[ProcurementLine],
) -> list[dict[str, Any]]:
    """Contractors with a finding on one of their hosts or a covered purchase, then the covered suppliers.

    The systems and purchases are grouped by organization once (a row under each org on its path), not
    scanned once per contractor: thousands of contractors times thousands of findings was quadratic."""
    systems_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in systems:
        org = org_of.get(r["host"]) if r["host"] else None
        if org is not None:
            for org_id in dict.fromkeys((org.org_id, *org.ids)):
                systems_of[org_id].append(r)
    bought_by: dict[str, list[ProcurementLine]] = defaultdict(list)
    for line in procurement:
        bought_by[line.org_id].append(line)
    rows = []
    for c in contractors:
        mine = systems_of.get(c.org_id, [])
        bought = bought_by.get(c.org_id, [])
        if not mine and not bought:
            continue
        products = sorted({r["product"] for r in mine} | {" ".join(filter(None, (p.brand, p.model))) for p in bought})
        rows.append(
            {
                "org_id": c.org_id,
                "name": c.name,
                "kind": c.kind,
                "prime": c.prime,
                "contract": "; ".join(c.contracts),
                "hosts_with_vendor": len({r["host"] for r in mine}),
                "products": "; ".join(p for p in products if p),
            }
        )
    for p in sorted(procurement, key=lambda p: (p.supplier, p.contract, p.order)):
        rows.append(
            {
                "org_id": p.supplier_uei or p.supplier_cage or "",
                "name": p.supplier,
                "kind": COVERED_SUPPLIER,
                "prime": "",
                "contract": p.contract,
                "hosts_with_vendor": 0,
                "products": " ".join(filter(None, (p.brand, p.model))) or p.description,
            }
        )
    return rows


def _coverage_row(host: dict[str, Any], org: OrgPath | None, catalog: Catalog) -> dict[str, Any]:
    prefix = f"{catalog.vendor.id}:"
    products = sorted(_product_name(catalog, f.removeprefix(prefix)) for f in host["findings"] if f.startswith(prefix))
    return {
        "host": host["host"],
        "org": org.name if org else UNASSIGNED,
        "org_path": org.text if org else UNASSIGNED,
        "examined_by": host["coverage"],
        "sources": ", ".join(host["sources"]),
        "last_examined": host["last_examined"] or "",
        "software": host["software"],
        "vendor_products": "; ".join(products),
        # Sources that saw the host but cannot answer this vendor's question (nmap, for installed software).
        "cannot_examine": host.get("cannot_examine", ""),
    }
