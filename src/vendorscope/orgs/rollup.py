"""Exposure rolled up over the organization tree: per org subtree, per contractor chain, per product.

A subtree counts the hosts its organizations own (see ownership.py): known, examined, with findings,
and the products found; plus the organization findings (flagged purchases, covered suppliers).
Hosts nobody owns are rolled up under "unassigned", never dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Connection

from vendorscope.findings.query import list_hosts
from vendorscope.orgs import registry
from vendorscope.orgs.flags import CONTRACTOR_KINDS, list_org_findings
from vendorscope.orgs.ownership import UNASSIGNED, host_orgs

BY = ("org", "contractor", "product")


class _Facts:
    """Hosts by owner and organization findings by organization, loaded once."""

    def __init__(self, conn: Connection) -> None:
        self.tree = registry.load(conn)
        self.hosts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for host in list_hosts(conn, org_of=host_orgs(conn)):
            self.hosts[host["org"]].append(host)
        self.flags: dict[str, Counter[str]] = defaultdict(Counter)
        for finding in list_org_findings(conn):
            self.flags[finding["org_key"]][finding["kind"]] += 1

    def totals(self, keys: set[str]) -> dict[str, Any]:
        hosts = [h for k in keys for h in self.hosts.get(k, ())]
        products = Counter(p for h in hosts for p in h["findings"])
        return {
            "hosts_known": len(hosts),
            "hosts_examined": sum(1 for h in hosts if h["examined"]),
            "hosts_with_findings": sum(1 for h in hosts if h["findings"]),
            "products": dict(sorted(products.items())),
            "procurement_flags": sum(self.flags[k]["procurement"] for k in keys),
            "covered_suppliers": sum(self.flags[k]["supplier"] for k in keys),
        }

    def chain(self, key: str) -> str:
        return " › ".join(n.name for n in reversed(registry.chain(self.tree, key)))


def tree(conn: Connection) -> list[dict[str, Any]]:
    """The registry in tree order with depth and subtree counts (``vendorscope orgs``)."""
    facts = _Facts(conn)
    kids = registry.children(facts.tree)
    rows: list[dict[str, Any]] = []

    def visit(key: str, depth: int) -> None:
        node = facts.tree[key]
        rows.append(_org_row(facts, node) | {"depth": depth, "own_hosts": len(facts.hosts.get(key, ()))})
        for child in kids.get(key, ()):
            visit(child, depth + 1)

    for root in kids.get("", ()):
        visit(root, 0)
    return rows


def exposure(conn: Connection, by: str) -> list[dict[str, Any]]:
    """``vendorscope exposure --by org|contractor|product``."""
    facts = _Facts(conn)
    if by == "product":
        return _by_product(facts)
    nodes = [n for n in facts.tree.values() if by == "org" or n.kind in CONTRACTOR_KINDS]
    rows = [_org_row(facts, n) for n in sorted(nodes, key=lambda n: facts.chain(n.key).casefold())]
    if by == "org" and facts.hosts.get(UNASSIGNED):
        rows.append(
            {"org": UNASSIGNED, "name": "(no owner)", "kind": "", "chain": UNASSIGNED, "contracts": []}
            | facts.totals({UNASSIGNED})
        )
    return rows


def _org_row(facts: _Facts, node: registry.Node) -> dict[str, Any]:
    return {
        "org": node.key,
        "name": node.name,
        "kind": node.kind,
        "chain": facts.chain(node.key),
        "contracts": list(node.contracts),
    } | facts.totals(registry.subtree(facts.tree, node.key))


def _by_product(facts: _Facts) -> list[dict[str, Any]]:
    per: dict[str, dict[str, int]] = defaultdict(Counter)
    for owner, hosts in facts.hosts.items():
        for host in hosts:
            for product in host["findings"]:
                per[product][owner] += 1
    rows = []
    for product, owners in sorted(per.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        contractors = [o for o in owners if o in facts.tree and facts.tree[o].kind in CONTRACTOR_KINDS]
        rows.append(
            {
                "product": product,
                "hosts": sum(owners.values()),
                "orgs": {(facts.chain(o) if o in facts.tree else o): n for o, n in sorted(owners.items())},
                "contractors": [facts.chain(o) for o in sorted(contractors)],
            }
        )
    return rows
