"""Read-side queries: findings, and hosts with their coverage (the answer's counts are respond/summary.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session

from vendorscope.findings import coverage
from vendorscope.findings.status import WITHDRAWN
from vendorscope.store.tables import Examination, Finding, Host, HostTitles, Installation

NOT_EXAMINED = "not examined"
# The hosts a reader may see (a SELECT of host ids, from the web layer's scope); None means every host.
HostFilter = Select[tuple[int]] | None


def list_findings(
    conn: Connection, vendor: str | None = None, include_absent: bool = False, hosts: HostFilter = None
) -> list[dict[str, Any]]:
    stmt = (
        select(Finding, Host.name)
        .join(Host, Host.id == Finding.host_id)
        .order_by(Host.name, Finding.vendor, Finding.product, Finding.kind, Finding.id)
    )
    if hosts is not None:
        stmt = stmt.where(Finding.host_id.in_(hosts))
    if vendor:
        stmt = stmt.where(Finding.vendor == vendor)
    if not include_absent:
        stmt = stmt.where(Finding.present.is_(True), Finding.status != WITHDRAWN)
    return [finding_dict(finding, host) for finding, host in Session(conn).execute(stmt)]


def finding_dict(f: Finding, host: str) -> dict[str, Any]:
    return {
        "id": f.id,
        "host": host,
        "vendor": f.vendor,
        "product": f.product,
        "kind": f.kind,
        "confidence": f.confidence,
        "present": f.present,
        "status": f.status,
        "first_seen": f.first_seen.isoformat() if f.first_seen else None,
        "last_seen": f.last_seen.isoformat() if f.last_seen else None,
        "explanation": f.explanation,
        "evidence": f.evidence,
    }


def hosts_with(conn: Connection, vendor: str) -> list[str]:
    """Names of hosts where the vendor's software is present: the committee's first question."""
    stmt = (
        select(Host.name)
        .join(Finding, Finding.host_id == Host.id)
        .where(Finding.vendor == vendor, Finding.present.is_(True), Finding.status != WITHDRAWN)
        .distinct()
        .order_by(Host.name)
    )
    return list(conn.execute(stmt).scalars())


def list_hosts(
    conn: Connection,
    hosts: HostFilter = None,
    org_of: Mapping[int, str] | None = None,
    questions: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Every known host, how it was examined (or 'not examined'), and what was found on it.

    ``org_of`` (host id → org, from orgs/ownership.py) fills the "org" column; organizations sit above
    findings, so they are passed in, never looked up here. ``questions`` (findings/coverage.py: installed
    software, device identity) counts only the examinations that can answer them (None: every one); the
    others are named in ``cannot_examine`` with the reason, so a camera seen by nmap is "not examined" for
    installed software.
    """
    methods: dict[int, set[str]] = defaultdict(set)
    sources: dict[int, set[str]] = defaultdict(set)
    unable: dict[int, set[str]] = defaultdict(set)
    last_exam: dict[int, Any] = {}
    for host_id, method, srcs, when in conn.execute(
        select(Examination.host_id, Examination.method, Examination.sources, Examination.examined_at)
    ):
        if questions is not None:
            answers = coverage.examination_question(method, srcs or ())
            if answers not in questions:
                unable[host_id].add(coverage.cannot_examine(method, answers, questions))
                continue
        methods[host_id].add(method)
        sources[host_id].update(srcs or [])
        if when and (host_id not in last_exam or when > last_exam[host_id]):
            last_exam[host_id] = when
    software = dict(
        conn.execute(
            select(Installation.host_id, func.count())
            .where(Installation.present.is_(True))
            .group_by(Installation.host_id)
        ).all()
    )
    for host_id, present in conn.execute(select(HostTitles.host_id, HostTitles.present)):  # unattributed titles
        software[host_id] = software.get(host_id, 0) + present
    found: dict[int, set[str]] = defaultdict(set)
    for host_id, vendor, product in conn.execute(
        select(Finding.host_id, Finding.vendor, Finding.product).where(
            Finding.present.is_(True), Finding.status != WITHDRAWN
        )
    ):
        found[host_id].add(f"{vendor}:{product}")
    rows = []
    stmt = select(Host).order_by(Host.name)
    if hosts is not None:
        stmt = stmt.where(Host.id.in_(hosts))
    for host in Session(conn).execute(stmt).scalars():
        examined = sorted(methods.get(host.id, ()))
        rows.append(
            {
                "host": host.name,
                "examined": bool(examined),
                "coverage": ", ".join(examined) if examined else NOT_EXAMINED,
                "cannot_examine": "; ".join(sorted(unable.get(host.id, ()))),
                "sources": sorted(sources.get(host.id, ())),
                "last_examined": last_exam[host.id].isoformat() if host.id in last_exam else None,
                "software": software.get(host.id, 0),
                "findings": sorted(found.get(host.id, ())),
                "facts": host.facts or {},
                "org": (org_of or {}).get(host.id, ""),
            }
        )
    return rows
