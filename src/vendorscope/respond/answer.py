"""The answer to a request as plain rows: systems, contractors, coverage, risk, exceptions.

Everything the package's files show is computed here once, sorted, so the CSV, XLSX, HTML and PDF
writers only format it and two builds from the same store agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from vendorscope.catalog.schema import Catalog, Product
from vendorscope.findings.query import NOT_EXAMINED
from vendorscope.findings.words import describe_evidence
from vendorscope.match.matcher import UNIDENTIFIED
from vendorscope.respond import risk as risk_mod
from vendorscope.respond.providers import UNASSIGNED, Contractor, OrgPath, ProcurementLine, Providers
from vendorscope.respond.request import Request

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
CONTRACTORS_COLUMNS = ("org_id", "name", "kind", "prime", "contract", "hosts_with_vendor", "products")
COVERAGE_COLUMNS = ("host", "org", "org_path", "examined_by", "sources", "last_examined", "software", "vendor_products")
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
    notes: list[str] = field(default_factory=list)

    def counts(self, column: str, rows: str = "systems") -> list[tuple[str, int]]:
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

    @property
    def affected_hosts(self) -> int:
        return len({r["host"] for r in self.systems if r["host"]})

    @property
    def not_examined(self) -> int:
        return sum(1 for r in self.coverage if r["examined_by"] == NOT_EXAMINED)


def build_answer(
    request: Request,
    catalog: Catalog,
    findings: list[dict[str, Any]],
    hosts: list[dict[str, Any]],
    exceptions: list[dict[str, Any]],
    providers: Providers,
) -> Answer:
    """Join findings, hosts and the providers' organizations into the answer's rows."""
    orgs = providers.orgs
    org_of = {h["host"]: orgs.org_of(h["host"]) for h in hosts}
    live = Counter(f["host"] for f in findings if f["kind"] == "network")
    systems = [_system_row(f, catalog, org_of.get(f["host"]), providers, live[f["host"]]) for f in findings]
    procurement = orgs.procurement(catalog.vendor.id)
    systems += [_procurement_row(line, orgs.org(line.org_id)) for line in procurement]
    systems.sort(key=lambda r: (r["host"], r["product"], r["kind"], r["evidence"]))
    pairs = [(r["product"], r["host"], r["_risk"]) for r in systems]
    for row in systems:
        del row["_risk"]
    answer = Answer(
        request=request,
        catalog=catalog,
        systems=systems,
        contractors=_contractors(orgs.contractors(), systems, org_of, procurement),
        coverage=[_coverage_row(h, org_of.get(h["host"]), catalog) for h in hosts],
        product_risks=risk_mod.by_product(pairs),
        exceptions=exceptions,
    )
    answer.notes += [p.describe() for p in (providers.orgs,) if not p.available]
    return answer


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
    f: dict[str, Any], catalog: Catalog, org: OrgPath | None, providers: Providers, live: int
) -> dict[str, Any]:
    product = _product(catalog, f["product"])
    assessed = risk_mod.assess(product, providers.orgs.host_profile(f["host"]), live)
    versions = sorted({str(e.get("version") or "") for e in f["evidence"]} - {""})
    return {
        "host": f["host"],
        "org": org.name if org else UNASSIGNED,
        "org_path": org.text if org else UNASSIGNED,
        "product": _product_name(catalog, f["product"]),
        "version": "; ".join(versions),
        "kind": f["kind"],
        "evidence": _evidence_text(f["evidence"]),
        "confidence": f"{f['confidence']:.2f}",
        "first_seen": f["first_seen"] or "",
        "last_seen": f["last_seen"] or "",
        "risk": assessed.text,
        "risk_reasons": assessed.because,
        "status": f["status"],
        "finding_id": f["id"],
        "_risk": assessed,
    }


def _evidence_text(evidence: list[dict[str, Any]]) -> str:
    """Each distinct clue once, in words (``publisher is "AO Kaspersky Lab"``), then the files it came from
    (SHA-256 prefixes, as in the custody records); the matching rules are in the report's appendix."""
    files = sorted({str(e.get("artifact", ""))[:12] for e in evidence} - {""})
    where = f" — from file {', '.join(files)}" if files else ""
    return describe_evidence(evidence) + where


def _procurement_row(line: ProcurementLine, org: OrgPath | None) -> dict[str, Any]:
    product = " ".join(p for p in (line.brand, line.model) if p) or line.description
    evidence = f"contract {line.contract} order {line.order}: {line.supplier} — {line.description}"
    assessed = risk_mod.Risk(0, "low", ("a purchase, not an installation: risk depends on where it is used",))
    return {
        "host": "",
        "org": org.name if org else UNASSIGNED,
        "org_path": org.text if org else UNASSIGNED,
        "product": product,
        "version": "",
        "kind": "procurement",
        "evidence": evidence,
        "confidence": "",
        "first_seen": line.identified.isoformat() if line.identified else "",
        "last_seen": "",
        "risk": "",
        "risk_reasons": assessed.because,
        "status": "",
        "finding_id": "",
        "_risk": assessed,
    }


def _contractors(
    contractors: list[Contractor],
    systems: list[dict[str, Any]],
    org_of: dict[str, OrgPath | None],
    procurement: list[ProcurementLine],
) -> list[dict[str, Any]]:
    """Contractors with a finding on one of their hosts or a covered purchase, then the covered suppliers."""
    rows = []
    for c in contractors:
        mine = [r for r in systems if r["host"] and _belongs(org_of.get(r["host"]), c.org_id)]
        bought = [p for p in procurement if p.org_id == c.org_id]
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


def _belongs(org: OrgPath | None, org_id: str) -> bool:
    return org is not None and (org.org_id == org_id or org_id in org.ids)


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
    }
