"""Findings tied to an organization rather than a host, and keeping them in step with the evidence.

Two kinds, both in ``org_findings`` (host findings stay in ``findings``, reconciled by findings/refresh.py):

* ``procurement``: a purchase line whose supplier is a covered entity, or whose description or part
  number names a catalog product or a covered entity; tied to the buying organization.
* ``supplier``: a contractor or subcontractor of the registry that is itself a covered entity (when it is
  also a relabeler brand, the same finding says both);
* ``relabeler``: a contractor or subcontractor that is a brand selling a covered maker's devices under its
  own name (the catalogs' relabel maps): not a covered entity, but what it supplies may be covered equipment.

Like host findings they are derived data: recomputed after every ingest and screening, a finding the
evidence no longer supports is marked ``withdrawn`` (never deleted), and a status set by a reviewer survives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from vendorscope.findings.reconcile import WITHDRAWN, apply_drafts
from vendorscope.match.matcher import UNIDENTIFIED
from vendorscope.orgs import registry
from vendorscope.orgs.products import ProductSearch
from vendorscope.orgs.screening.screener import Query, Result, Screener
from vendorscope.store.store import Store
from vendorscope.store.tables import Artifact, OrgFinding, Purchase

CONTRACTOR_KINDS = ("contractor", "subcontractor")
_TABLE = OrgFinding.__table__


@dataclass
class Draft:
    org_key: str
    kind: str
    subject: str
    score: float
    explanation: str
    entity: str = ""
    lists: str = ""
    product: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.org_key, self.kind, self.subject)


def screen_registry(conn: Connection, screener: Screener) -> list[tuple[registry.Node, Result]]:
    """Every organization of the registry screened by name and identifiers."""
    nodes = sorted(registry.load(conn).values(), key=lambda n: n.key)
    queries = [Query(n.name, tuple(i for i in (n.uei, n.cage) if i)) for n in nodes]
    return list(zip(nodes, screener.screen_many(queries), strict=True))


def supplier_drafts(conn: Connection, screener: Screener) -> list[Draft]:
    tree = registry.load(conn)
    drafts = []
    for node, result in screen_registry(conn, screener):
        if node.kind not in CONTRACTOR_KINDS or not result.hit:
            continue
        chain = " › ".join(n.name for n in reversed(registry.chain(tree, node.key)))
        # One finding per contractor, whatever matched: an entity that is also a relabeler is one "supplier".
        kind, what = ("supplier", "a covered entity") if result.covered else ("relabeler", "a relabeler brand")
        drafts.append(
            Draft(
                node.key,
                kind,
                f"org:{node.key}",
                result.score,
                f"{node.kind} {node.name} ({chain}) is {what}: {result.explanation}",
                entity=result.entity or result.relabeler or "",
                lists=result.list or "",
                evidence=[{"field": "name", "value": node.name, "rule": result.explanation, "chain": chain}],
            )
        )
    return drafts


def procurement_drafts(conn: Connection, screener: Screener, search: ProductSearch) -> list[Draft]:
    stmt = select(Purchase, Artifact.sha256, Artifact.path).join(Artifact, Artifact.id == Purchase.artifact_id)
    drafts = []
    for purchase, sha256, path in Session(conn).execute(stmt):
        draft = _purchase_draft(purchase, screener, search)
        if draft is not None:
            record = {
                "file": path,
                "artifact": sha256,
                "line": purchase.line,
                "contract": purchase.contract,
                "order": purchase.order_number,
                "supplier": purchase.supplier,
                "part": purchase.part,
                "description": purchase.description,
                "date": purchase.date,
                "amount": purchase.amount,
            }
            draft.evidence = [e | {"purchase": record} for e in draft.evidence]
            drafts.append(draft)
    return drafts


def _purchase_draft(p: Purchase, screener: Screener, search: ProductSearch) -> Draft | None:
    evidence: list[dict[str, Any]] = []
    entity, lists, score = "", "", 0.0
    if p.supplier:
        result = screener.screen(p.supplier)
        if result.covered:
            evidence.append({"field": "supplier", "value": p.supplier, "rule": result.explanation})
            entity, lists, score = result.entity or "", result.list or "", result.score
    for field_name, text in (("description", p.description), ("part", p.part)):
        for mention in screener.mentions(text):
            evidence.append({"field": field_name, "value": text, "rule": mention.explanation})
            if not entity:
                entity, lists, score = mention.entity or "", mention.list or "", max(score, mention.score)
    products = search.search(p.description, p.part, p.supplier)
    if entity:  # a covered entity already named: only identified products add to it
        products = [m for m in products if m.product != UNIDENTIFIED]
    for m in products:
        evidence.append({"field": "description", "value": p.description, "rule": f"{m.rule} ({m.vendor})"})
        score = max(score, 0.9 if m.product != UNIDENTIFIED else 0.8)
    if not evidence:
        return None
    product = f"{products[0].vendor}:{products[0].product}" if products else ""
    reasons = "; ".join(e["rule"] for e in evidence)
    explanation = (
        f"line {p.line}: bought {p.description or p.part!r} from {p.supplier or 'an unnamed supplier'}: {reasons}"
    )
    return Draft(
        p.org_key, "procurement", f"purchase:{p.id}", round(score, 4), explanation, entity, lists, product, evidence
    )


def refresh_org_findings(store: Store, screener: Screener, search: ProductSearch) -> tuple[int, int, int]:
    """Bring org_findings in line with the registry and purchases; returns (new, updated, withdrawn)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.transaction() as conn:
        drafts = {d.key: d for d in [*supplier_drafts(conn, screener), *procurement_drafts(conn, screener, search)]}
        existing = {
            (r.org_key, r.kind, r.subject): (r.id, r.status)
            for r in conn.execute(
                select(OrgFinding.id, OrgFinding.org_key, OrgFinding.kind, OrgFinding.subject, OrgFinding.status)
            )
        }
        values = {
            key: {
                "score": d.score,
                "explanation": d.explanation,
                "entity": d.entity,
                "lists": d.lists,
                "product": d.product,
                "evidence": d.evidence,
                "present": True,
            }
            for key, d in drafts.items()
        }

        def identity(key: tuple[str, str, str]) -> dict[str, Any]:
            d = drafts[key]
            return {"org_key": d.org_key, "kind": d.kind, "subject": d.subject, "first_seen": now}

        return apply_drafts(conn, _TABLE, existing, values, identity, now)  # type: ignore[arg-type]


def list_org_findings(
    conn: Connection, kind: str | None = None, include_withdrawn: bool = False
) -> list[dict[str, Any]]:
    stmt = select(OrgFinding).order_by(OrgFinding.org_key, OrgFinding.kind, OrgFinding.subject)
    if kind:
        stmt = stmt.where(OrgFinding.kind == kind)
    if not include_withdrawn:
        stmt = stmt.where(OrgFinding.status != WITHDRAWN)
    rows = conn.execute(stmt.with_only_columns(*OrgFinding.__table__.c)).mappings()
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()} for row in rows]
