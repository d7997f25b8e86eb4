"""Who owns each host: named in hosts.csv, else the most specific ownership rule, else nobody.

Precedence: an explicit assignment (hosts.csv) wins; then a network rule containing one of the host's
addresses (longest prefix first); then a host name pattern (the one with most literal characters).
An assignment to an organization that is not in the registry is not an owner: the host is shown as
unassigned, saying which unknown organization it named, so files can arrive in any order.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from sqlalchemy import Connection, select

from vendorscope.sources.base import ADDRESS_FACTS
from vendorscope.store.tables import Host, HostOwner, HostRule, Org

UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class Owner:
    org: str | None  # registry id, or None: unassigned
    how: str  # 'hosts.csv', 'network 10.1.0.0/16', 'hostname ws-*', or why unassigned
    role: str = ""
    sensitivity: str = ""
    location: str = ""


@dataclass(frozen=True, slots=True)
class _Rule:
    org: str
    hostname: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None

    @property
    def specificity(self) -> tuple[int, int]:
        if self.network is not None:
            return (1, self.network.prefixlen)
        return (0, sum(1 for c in self.hostname if c not in "*?[]"))


def host_orgs(conn: Connection) -> dict[int, str]:
    """Host id → the org that owns it, "unassigned" when no file or rule says."""
    return {host_id: owner.org or UNASSIGNED for host_id, owner in owners(conn).items()}


def owners(conn: Connection, host_ids: Collection[int] | None = None) -> dict[int, Owner]:
    """The owner of every known host (or of ``host_ids`` only), by host id."""
    return owners_now_and_before(conn, host_ids)[0]


def owners_now_and_before(
    conn: Connection, host_ids: Collection[int] | None = None, prior_facts: Mapping[int, dict[str, str]] | None = None
) -> tuple[dict[int, Owner], dict[int, Owner]]:
    """The owners as stored, and the owners the hosts of ``prior_facts`` had with those facts, from one read.

    A writer changing a host's facts (an address a network rule reads) passes the facts it replaced, so the
    owner before its change is known in its own transaction, without a second connection reading the committed
    state (which, with a pool per process, can run dry and deadlock where the database cannot see it).
    """
    rules = owner_rules(conn)
    # Each host with its hosts.csv row, if any, and whether that row names an org of the registry: one query.
    hosts = select(Host.id, Host.key, Host.facts, *NAMED).outerjoin(HostOwner, HostOwner.host_id == Host.id)
    if host_ids is not None:
        hosts = hosts.where(Host.id.in_(list(host_ids)))
    now: dict[int, Owner] = {}
    before: dict[int, Owner] = {}
    prior = prior_facts or {}
    for row in conn.execute(hosts):
        now[row.id] = _owner(row, rules, row.facts or {})
        if row.id in prior:
            before[row.id] = _owner(row, rules, prior[row.id])
    return now, before


def owner_rules(conn: Connection) -> list[_Rule]:
    """The ownership rules of orgs in the registry, most specific first (``owner_of`` reads them)."""
    known_org = select(Org.key).where(Org.key == HostRule.org_key).exists()  # rules of unknown orgs are no rules
    rules = [
        _Rule(r.org_key, r.hostname, ipaddress.ip_network(r.network) if r.network else None)
        for r in conn.execute(
            select(HostRule.org_key, HostRule.hostname, HostRule.network).where(known_org).order_by(HostRule.id)
        )
    ]
    rules.sort(key=lambda r: r.specificity, reverse=True)
    return rules


# A host's hosts.csv columns (all None without a row) and whether that row names an org of the registry: select
# them with a host, outer-joined to host_owners, and pass the row to ``owner_of``.
NAMED = (
    HostOwner.org_key,
    HostOwner.role,
    HostOwner.sensitivity,
    HostOwner.location,
    select(Org.key).where(Org.key == HostOwner.org_key).exists().label("known"),
)


def owner_of(row: Any, rules: list[_Rule], facts: dict[str, str]) -> Owner:
    """The owner of a host from what was read already: ``row`` has the host's ``key`` and the ``NAMED`` columns,
    ``rules`` are ``owner_rules``, ``facts`` the host's facts (as stored, or as a writer holds them)."""
    return _owner(row, rules, facts)


def _owner(row: Any, rules: list[_Rule], facts: dict[str, str]) -> Owner:
    """``row``: a host with its hosts.csv columns (``org_key`` None without a row) and ``known``."""
    if row.org_key is not None and row.known:
        return Owner(row.org_key, "hosts.csv", row.role, row.sensitivity, row.location)
    rule = _first_rule(rules, row.key, _addresses(row.key, facts))
    if rule is not None:
        how = f"network {rule.network}" if rule.network is not None else f"hostname {rule.hostname}"
        return Owner(rule.org, how)
    if row.org_key is not None:
        return Owner(None, f"assigned to {row.org_key!r}, which is not in the registry")
    return Owner(None, "no assignment or rule")


def _first_rule(rules: list[_Rule], name: str, addresses: list[ipaddress._BaseAddress]) -> _Rule | None:
    for rule in rules:
        if rule.network is not None:
            if any(a.version == rule.network.version and a in rule.network for a in addresses):
                return rule
        elif fnmatchcase(name, rule.hostname):
            return rule
    return None


def _addresses(name: str, facts: dict[str, str]) -> list[ipaddress._BaseAddress]:
    """The host's addresses: its name when it is one, and the address facts of its sources (each may list
    several, "10.1.2.3, fe80::1%eth0"; an interface form "10.1.2.3/24" counts as its address)."""
    found = []
    for value in [name, *(str(facts[k]) for k in ADDRESS_FACTS if k in facts)]:
        for part in value.replace(",", " ").replace(";", " ").split():
            try:
                found.append(ipaddress.ip_interface(part.split("%")[0]).ip)
            except ValueError:
                continue
    return found
