"""Network findings: hosts that resolved or contacted a vendor's infrastructure.

Contacts (``network_contacts``) are matched as items of source ``network``
(domain, address range, port: the matcher's one algorithm; a port alone never
decides). Clients are tied to known hosts by name, short name or address (a
host's ``addresses`` fact); a client no inventory knows becomes an
**unmanaged** host, known only from the network and so "not examined". One
finding per (host, vendor, product) of kind ``network``; its explanation says
what the host's software evidence shows, or that there is none to show.

Counts: one log's count is what it says. Logs ingested separately may overlap
(a rotated log and its copy): per client and target, counts of logs whose time
spans overlap are not added up but the largest is kept; disjoint spans add.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from vendorscope.findings.reconcile import WITHDRAWN
from vendorscope.findings.refresh import reconcile
from vendorscope.match.matcher import REPORT_THRESHOLD, Attribution, Matcher
from vendorscope.sources.base import ADDRESS_FACTS, Item
from vendorscope.store.dialect import insert_ignoring_conflicts
from vendorscope.store.store import Store
from vendorscope.store.tables import Artifact, Examination, Finding, Host, NetworkContactRow

KIND = "network"
_HOSTS = Host.__table__


@dataclass
class _Contact:
    client: str
    client_name: str
    target: str
    port: str
    spans: list[tuple[datetime | None, datetime | None, int, str, str]] = field(default_factory=list)

    def count(self) -> int:
        """Overlapping spans (the same traffic in two logs) count once, as the larger; disjoint ones add."""
        total, group_end, group_max = 0, None, 0
        for first, last, count, _sha, _path in sorted(self.spans, key=lambda s: s[0] or datetime.min):
            if group_end is not None and first is not None and first <= group_end:
                group_max = max(group_max, count)
                group_end = max(group_end, last or group_end)
                continue
            total += group_max
            group_end, group_max = last, count
        return total + group_max


def refresh_network_findings(store: Store, matcher: Matcher) -> tuple[int, int, int]:
    """Bring network findings in line with the stored contacts; returns (new, updated, withdrawn)."""
    with store.transaction() as conn:
        return refresh_network_in(conn, matcher)


def refresh_network_in(conn: Connection, matcher: Matcher) -> tuple[int, int, int]:
    """``refresh_network_findings`` in the caller's transaction."""
    contacts = _load_contacts(conn)
    verdicts = _match(matcher, {(c.target, c.port) for c in contacts})
    matched = [c for c in contacts if verdicts.get((c.target, c.port))]
    hosts = _resolve_hosts(conn, matched)
    drafts: dict[tuple[int, str, str, str], list[tuple[_Contact, Attribution]]] = defaultdict(list)
    for contact in matched:
        for verdict in verdicts[(contact.target, contact.port)]:
            drafts[(hosts[contact.client], verdict.vendor, verdict.product, KIND)].append((contact, verdict))
    context = _software_context(conn, {key[0] for key in drafts})
    values = {key: _finding(matcher, key, pairs, context) for key, pairs in drafts.items()}
    return reconcile(conn, values, (KIND,))


def _load_contacts(conn: Connection) -> list[_Contact]:
    stmt = select(
        NetworkContactRow.client,
        NetworkContactRow.client_name,
        NetworkContactRow.target,
        NetworkContactRow.port,
        NetworkContactRow.first_seen,
        NetworkContactRow.last_seen,
        NetworkContactRow.count,
        Artifact.sha256,
        Artifact.path,
    ).join(Artifact, Artifact.id == NetworkContactRow.artifact_id)
    merged: dict[tuple[str, str, str], _Contact] = {}
    for row in conn.execute(stmt):
        contact = merged.setdefault(
            (row.client, row.target, row.port), _Contact(row.client, row.client_name, row.target, row.port)
        )
        contact.client_name = contact.client_name or row.client_name
        contact.spans.append((row.first_seen, row.last_seen, row.count, row.sha256, row.path))
    return list(merged.values())


def _match(matcher: Matcher, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Attribution]]:
    found = {}
    for target, port in pairs:
        verdicts = [v for v in matcher.match(Item(target, source=KIND, identifier=port)) if _reportable(v)]
        if verdicts:
            found[(target, port)] = verdicts
    return found


def _reportable(verdict: Attribution) -> bool:
    return verdict.confidence >= REPORT_THRESHOLD


def _resolve_hosts(conn: Connection, contacts: list[_Contact]) -> dict[str, int]:
    """Client → host id: by name, short name or address; unknown clients become unmanaged hosts."""
    by_name: dict[str, int] = {}
    by_address: dict[str, int] = {}
    for hid, key, facts in conn.execute(select(Host.id, Host.key, Host.facts)):
        by_name.setdefault(key, hid)
        by_name.setdefault(key.split(".")[0], hid)
        for fact in ADDRESS_FACTS:
            for address in str((facts or {}).get(fact, "")).replace(",", " ").split():
                by_address.setdefault(address.lower(), hid)
    resolved: dict[str, int] = {}
    unknown: dict[str, str] = {}
    for contact in contacts:
        names = [n.lower() for n in (contact.client_name, contact.client) if n]
        hid = next((by_name.get(n) or by_address.get(n) for n in names if by_name.get(n) or by_address.get(n)), None)
        if hid is None:
            unknown[contact.client] = contact.client_name or contact.client
        else:
            resolved[contact.client] = hid
    if unknown:
        rows = [
            {"key": name.lower(), "name": name, "first_seen": None, "last_seen": None, "facts": _unmanaged(client)}
            for client, name in unknown.items()
        ]
        conn.execute(insert_ignoring_conflicts(conn, _HOSTS, ["key"]), rows)
        keys = {name.lower(): client for client, name in unknown.items()}
        for hid, key in conn.execute(select(Host.id, Host.key).where(Host.key.in_(list(keys)))):
            resolved[keys[key]] = hid
    return resolved


def _unmanaged(client: str) -> dict[str, str]:
    return {"unmanaged": "known only from network logs", "addresses": client}


def _software_context(conn: Connection, host_ids: set[int]) -> dict[int, tuple[list[str], list[str], bool]]:
    """Per host: its software findings ("vendor:product kind confidence"), how it was examined, unmanaged or not."""
    context: dict[int, tuple[list[str], list[str], bool]] = {hid: ([], [], False) for hid in host_ids}
    if not host_ids:
        return context
    ids = list(host_ids)
    for hid, vendor, product, kind, confidence in conn.execute(
        select(Finding.host_id, Finding.vendor, Finding.product, Finding.kind, Finding.confidence).where(
            Finding.host_id.in_(ids), Finding.kind != KIND, Finding.present.is_(True), Finding.status != WITHDRAWN
        )
    ):
        context[hid][0].append(f"{vendor}:{product} ({kind}, confidence {confidence:.2f})")
    for hid, method in conn.execute(
        select(Examination.host_id, Examination.method).where(Examination.host_id.in_(ids)).distinct()
    ):
        context[hid][1].append(method)
    for hid, facts in conn.execute(select(Host.id, Host.facts).where(Host.id.in_(ids))):
        context[hid] = (context[hid][0], context[hid][1], bool((facts or {}).get("unmanaged")))
    return context


def _finding(
    matcher: Matcher,
    key: tuple[int, str, str, str],
    pairs: list[tuple[_Contact, Attribution]],
    context: dict[int, tuple[list[str], list[str], bool]],
) -> dict[str, Any]:
    miss = 1.0
    evidence: list[dict[str, Any]] = []
    firsts, lasts, lines = [], [], []
    for contact, verdict in pairs:
        miss *= 1.0 - verdict.confidence
        count = contact.count()
        first = min((s[0] for s in contact.spans if s[0]), default=None)
        last = max((s[1] for s in contact.spans if s[1]), default=None)
        firsts.append(first)
        lasts.append(last)
        where = {"client": contact.client, "count": count, "first_seen": _iso(first), "last_seen": _iso(last)}
        files = {"artifact": contact.spans[-1][3], "file": contact.spans[-1][4], "title": contact.target}
        evidence.extend(e | where | files | {"version": "", "present": True} for e in verdict.evidence)
        shown = f"{contact.target}" + (f" port {contact.port}" if contact.port else "")
        lines.append(f"{shown} ×{count} ({_iso(first)} – {_iso(last)}): {verdict.explanation}")
    return {
        "confidence": round(min(1.0 - miss, 0.9999), 4),
        "evidence": evidence,
        "explanation": _explain(matcher, key, pairs[0][0].client, lines, context[key[0]]),
        "first_seen": min((f for f in firsts if f), default=None),
        "last_seen": max((la for la in lasts if la), default=None),
        "present": True,
    }


def _explain(
    matcher: Matcher, key: tuple[int, str, str, str], client: str, lines: list[str], context: tuple[Any, ...]
) -> str:
    software, methods, unmanaged = context
    vendor = next(i.catalog.vendor.name for i in matcher.indexes if i.vendor == key[1])
    head = f"talks to {vendor}: client {client} contacted " + "; ".join(lines)
    if software:
        tail = "software evidence on the same host: " + ", ".join(sorted(software))
    elif methods:
        tail = f"no {vendor} software found on this host (examined by {', '.join(sorted(set(methods)))})"
    elif unmanaged:
        tail = "unmanaged host: known only from network logs, its software never examined"
    else:
        tail = "this host's software was never examined"
    return f"{head} — {tail}"


def _iso(when: datetime | None) -> str:
    return when.isoformat() if when else "?"
