"""Read-side answers for the web pages and the API, always within a reader's hosts (a ``HostFilter``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from vendorscope.findings import query
from vendorscope.findings.query import HostFilter
from vendorscope.orgs.scope import host_owners
from vendorscope.respond.summary import Summary
from vendorscope.store.tables import Finding, Host


@dataclass
class FindingFilter:
    """What the findings page and API narrow by; empty means no narrowing."""

    vendor: str = ""
    product: str = ""
    status: str = ""
    org: str = ""
    host: str = ""  # substring of the host name
    min_confidence: float = 0.0
    include_absent: bool = False

    def keeps(self, row: dict[str, Any]) -> bool:
        return (
            (not self.product or row["product"] == self.product)
            and (not self.status or row["status"] == self.status)
            and (not self.org or row["org"] == self.org)
            and (not self.host or self.host.lower() in row["host"].lower())
            and row["confidence"] >= self.min_confidence
        )


def host_orgs(conn: Connection, hosts: HostFilter = None) -> dict[str, str]:
    """Host name → org ("" the root) for the hosts in view: registry owner, else first pusher's org."""
    stmt = select(Host.id, Host.name)
    if hosts is not None:
        stmt = stmt.where(Host.id.in_(hosts))
    names: dict[int, str] = {host_id: name for host_id, name in conn.execute(stmt)}
    return {names[h]: org for h, org in host_owners(conn, names).items()}


def findings(conn: Connection, hosts: HostFilter, flt: FindingFilter) -> list[dict[str, Any]]:
    orgs = host_orgs(conn, hosts)
    rows = query.list_findings(conn, flt.vendor or None, flt.include_absent, hosts=hosts)
    out = []
    for row in rows:
        row["org"] = orgs.get(row["host"], "")
        if flt.keeps(row):
            out.append(row)
    return out


def finding(conn: Connection, hosts: HostFilter, finding_id: int) -> dict[str, Any] | None:
    """One finding with its evidence, or None when it does not exist or is outside the reader's hosts."""
    stmt = select(Finding, Host.name).join(Host, Host.id == Finding.host_id).where(Finding.id == finding_id)
    if hosts is not None:
        stmt = stmt.where(Finding.host_id.in_(hosts))
    row = Session(conn).execute(stmt).first()
    if row is None:
        return None
    org = host_owners(conn, [row[0].host_id]).get(row[0].host_id, "")
    return query.finding_dict(row[0], row[1]) | {"org": org}


def host_list(conn: Connection, hosts: HostFilter) -> list[dict[str, Any]]:
    orgs = host_orgs(conn, hosts)
    return [row | {"org": orgs.get(row["host"], "")} for row in query.list_hosts(conn, hosts)]


@dataclass
class Dashboard:
    """The dashboard's content: the answer's summary (respond/summary.py) within the reader's scope, hosts by
    org, and the overdue work (findings/lifecycle.py's one rule)."""

    summary: Summary
    by_org: list[tuple[str, int, int]]  # org, hosts with findings, hosts
    overdue: list[dict[str, Any]] = field(default_factory=list)
    vendors: list[tuple[str, str]] = field(default_factory=list)  # (id, name) of every catalog, for a chooser


def by_org(conn: Connection, hosts: HostFilter, vendor: str) -> list[tuple[str, int, int]]:
    """Per org in view: hosts with a present finding of the vendor, and hosts known."""
    host_rows = host_list(conn, hosts)
    affected: Counter[str] = Counter(
        h["org"] for h in host_rows if any(f.startswith(f"{vendor}:") for f in h["findings"])
    )
    known: Counter[str] = Counter(h["org"] for h in host_rows)
    return sorted(((org, affected[org], n) for org, n in known.items()), key=lambda t: (-t[1], t[0]))
