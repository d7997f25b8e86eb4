"""Directive reports: BOD 17-01 (products, endpoints, methods, removal plan) and FAR 52.204-23/-25.

Both read the same answer as the response package (respond/answer.py) and carry its ``counts``, so a number
in a directive report and in the package always agree; where the directive counts differently (BOD 17-01:
endpoints with the product installed), the report says so in a sentence that reconciles the two.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from vendorscope.catalog.schema import Capability, Catalog, Product, ProductKind
from vendorscope.errors import VendorscopeError
from vendorscope.findings.lifecycle import Policy
from vendorscope.findings.status import DEVICE, NETWORK, SOFTWARE_KINDS
from vendorscope.respond.answer import Answer
from vendorscope.respond.business_days import add_business_days, skipped_holidays
from vendorscope.respond.providers import OrgProvider
from vendorscope.respond.summary import Summary

DEFAULT_REPLACEMENTS = {
    "endpoint-protection": "an agency-approved endpoint protection product",
    "edr": "the agency's approved endpoint detection and response product",
    "management": "the management console of the replacement endpoint product",
    "vpn": "the agency's approved VPN client",
    "password-manager": "the agency's approved password manager",
    "parental-control": "none: remove (no place on government systems)",
    "removal-tool": "none: remove (single-use tool)",
}
FAR_DAYS = {("52.204-23", "current"): 3, ("52.204-23", "2018"): 1, ("52.204-25", "current"): 1}
# The vendors each clause covers (catalog ids), for a report that names none.
CLAUSE_VENDORS = {"52.204-23": ("kaspersky",), "52.204-25": ("huawei", "zte", "hytera", "hikvision", "dahua")}
FOLLOW_UP_DAYS = 10


class DirectiveError(VendorscopeError):
    """A directive report asked for with options that do not fit."""


# -- BOD 17-01 -------------------------------------------------------------------------------------


def bod_17_01(
    catalog: Catalog,
    work: list[dict[str, Any]],
    hosts: list[dict[str, Any]],
    policy: Policy,
    summary: Summary,
    replacements: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Products present, affected endpoints, methods used, and the removal plan by host, with the answer's counts."""
    chosen = DEFAULT_REPLACEMENTS | (replacements or {})
    present = [w for w in work if w["present"] and w["kind"] in SOFTWARE_KINDS]
    products: dict[str, dict[str, Any]] = {}
    for w in present:
        product = _product(catalog, w["product"])
        entry = products.setdefault(
            w["product"], {"product": product.name if product else w["product"], "hosts": set(), "how": Counter()}
        )
        entry["hosts"].add(w["host"])
        entry["how"].update(w.get("how", ()))
    methods = Counter(m for h in hosts for m in (h["coverage"].split(", ") if h["examined"] else ()))
    plan = [_plan_row(catalog, w, chosen) for w in present]
    return {
        "directive": "BOD 17-01",
        "vendor": catalog.vendor.id,
        "vendor_name": catalog.vendor.name,
        "counts": summary.counts.as_dict(),
        "reconciliation": summary.installed_sentence("BOD 17-01"),
        "products": [
            {
                "product": e["product"],
                "endpoints": len(e["hosts"]),
                "found_by": ", ".join(
                    f"{k} ({n})" for k, n in sorted(e["how"].items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            }
            for _, e in sorted(products.items(), key=lambda kv: (-len(kv[1]["hosts"]), kv[0]))
        ],
        "affected_endpoints": len({w["host"] for w in present}),
        "hosts_known": len(hosts),
        "hosts_examined": sum(1 for h in hosts if h["examined"]),
        "methods": dict(sorted(methods.items())),
        "milestones": {name: _milestone(policy, name) for name in sorted(policy.milestones)},
        "policy": policy.name,
        "plan": sorted(plan, key=lambda r: (r["host"], r["product"])),
    }


def _milestone(policy: Policy, name: str) -> str:
    when = policy.milestone(name, None)
    return when.isoformat() if when else f"{policy.milestones[name]} days from each finding's first sighting"


def _product(catalog: Catalog, product_id: str) -> Product | None:
    try:
        return catalog.product(product_id)
    except KeyError:
        return None


def _plan_row(catalog: Catalog, w: dict[str, Any], replacements: dict[str, str]) -> dict[str, Any]:
    product = _product(catalog, w["product"])
    category = product.category if product else "unidentified"
    replacement = w["replacement"] or replacements.get(category, f"an agency-approved {category} product")
    return {
        "host": w["host"],
        "product": product.name if product else w["product"],
        "category": category,
        "status": w["status"],
        "owner": w["owner"],
        "due": w["due"],
        "replacement": replacement,
        "impact": "; ".join(impact_notes(product)),
    }


def impact_notes(product: Product | None) -> list[str]:
    """What removing the product does to the host, in words, from its catalog entry."""
    if product is None:
        return ["product not identified: inspect the host before removal"]
    notes = []
    if product.category in ("endpoint-protection", "edr"):
        notes.append("the host is unprotected until the replacement runs: install it the same day")
    if Capability.KERNEL_DRIVER in product.capabilities:
        notes.append("removal unloads a kernel driver: plan a reboot")
    if Capability.REMOTE_ADMINISTRATION in product.capabilities:
        notes.append("central management of the vendor's other products ends: remove this last")
    if product.kind is ProductKind.EMBEDDED:
        notes.append(f"the vendor's technology is inside {product.host_product or 'another product'}")
    if product.replacement_note:
        notes.append(" ".join(product.replacement_note.split()))
    return notes or ["no known side effect"]


# -- FAR 52.204-23 / 52.204-25 ---------------------------------------------------------------------


@dataclass
class FarReport:
    summary: Summary
    clause: str
    text: str  # "current" or "2018"
    contract: str
    identified: date | None
    first_report_due: date | None
    follow_up_due: date | None
    holidays: list[str]
    lines: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """For JSON: the answer's vendor and ``counts`` (the same as every output's), then the report."""
        report = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "summary"}
        return {"vendor": self.summary.vendor, "counts": self.summary.counts.as_dict()} | report


def far_report(
    clause: str,
    contract: str,
    catalog: Catalog,
    answer: Answer,
    orgs: OrgProvider,
    rule: str = "current",
    identified: date | None = None,
) -> FarReport:
    """The lines a contractor reports under the clause for one contract, and when the reports are due."""
    days = FAR_DAYS.get((clause, rule))
    if days is None:
        raise DirectiveError(f"--rule {rule}: clause {clause} has only the current text")
    lines = [_procurement_line(p) for p in orgs.procurement(catalog.vendor.id) if p.contract == contract]
    holders = {c.org_id: c for c in orgs.contractors() if contract in c.contracts}
    supplier = catalog.entities[0].name if catalog.entities else catalog.vendor.name
    for row in answer.systems:
        org = orgs.org_of(row["host"]) if row["host"] else None
        if org and (org.org_id in holders or holders.keys() & set(org.ids)):
            lines.append(_installation_line(row, contract, supplier, catalog.vendor.name))
    lines.sort(key=lambda r: (r["order"], r["item_description"]))
    notes = [] if orgs.available else [f"{orgs.describe()}: no finding can be tied to contract {contract}"]
    dates = [d for d in (_as_date(r["identified"]) for r in lines) if d]
    when = identified or (min(dates) if dates else None)
    if when is None:
        notes.append("nothing identified under this contract: no report is due")
        return FarReport(answer.summary, clause, rule, contract, None, None, None, [], lines, notes)
    first = add_business_days(when, days)
    follow = add_business_days(first, FOLLOW_UP_DAYS)
    return FarReport(
        answer.summary, clause, rule, contract, when, first, follow, skipped_holidays(when, follow), lines, notes
    )


def merge_far_reports(reports: list[FarReport]) -> FarReport:
    """One report for several vendors under the same clause and contract: all lines, the earliest dates.

    The summary is that of the vendor identified first (its counts are one vendor's, as in every output)."""
    if not reports:
        raise DirectiveError("no catalog for the vendors this clause covers")
    if len(reports) == 1:
        return reports[0]
    lines = sorted((line for r in reports for line in r.lines), key=lambda r: (r["order"], r["item_description"]))
    dated = [r for r in reports if r.identified is not None]
    if not dated:
        return replace(reports[0], lines=lines)
    earliest = min(dated, key=lambda r: r.identified or date.max)
    notes = sorted({n for r in reports for n in r.notes if "no report is due" not in n})
    return replace(earliest, lines=lines, notes=notes)


def _as_date(value: str) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _procurement_line(p: Any) -> dict[str, Any]:
    return {
        "contract": p.contract,
        "order": p.order,
        "supplier": p.supplier,
        "supplier_uei": p.supplier_uei,
        "supplier_cage": p.supplier_cage,
        "brand": p.brand,
        "model": p.model,
        "item_description": p.description,
        "mitigation": "",
        "identified": p.identified.isoformat() if p.identified else "",
    }


def finding_words(row: dict[str, Any], brand: str) -> str:
    """What a finding is, worded by its kind: installed software, covered equipment identified on the network
    (and by what), or a host seen talking to the vendor's services (its software not examined by that)."""
    where = f"{row['host']} ({row['org_path']})"
    if row["kind"] == DEVICE:
        return f"covered equipment seen on the network: device {where} identified by: {row['evidence']}"
    if row["kind"] == NETWORK:
        return (
            f"{brand} services contacted from {where}, seen on the network (its installed software is not "
            f"examined by this evidence): {row['evidence']}"
        )
    return f"software installed on {where}"


def _installation_line(row: dict[str, Any], contract: str, supplier: str, brand: str) -> dict[str, Any]:
    what = finding_words(row, brand)
    return {
        "contract": contract,
        "order": "",
        "supplier": supplier,
        "supplier_uei": "",
        "supplier_cage": "",
        "brand": brand,
        "model": " ".join(filter(None, (row["product"], row["version"]))),
        "item_description": what,
        "mitigation": f"status: {row['status']}",
        "identified": row["first_seen"],
    }
