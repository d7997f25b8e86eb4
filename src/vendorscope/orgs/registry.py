"""The organization registry: validating a file against what the store already has, and reading it back.

A registry file is all or nothing: duplicate ids, parents that exist nowhere, parents of the wrong
kind and cycles are problems naming the rows, and any problem leaves the whole file out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from vendorscope.sources.base import OrgRecord, Problem
from vendorscope.store.tables import Org

# Which kinds a kind's parent may be (None: no parent is fine).
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    "agency": ("agency",),
    "office": ("agency", "office"),
    "contractor": ("agency", "office", "contractor", "subcontractor"),
    "subcontractor": ("contractor", "subcontractor"),
}
ROOT_KINDS = ("agency", "contractor")


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    name: str
    kind: str
    parent: str
    contracts: tuple[str, ...] = ()
    uei: str = ""
    cage: str = ""
    country: str = ""
    line: int = 0  # in the file being ingested; 0 for organizations already in the store


def load(conn: Connection) -> dict[str, Node]:
    """The registry in the store, by organization id."""
    rows = conn.execute(
        select(Org.key, Org.name, Org.kind, Org.parent_key, Org.contracts, Org.uei, Org.cage, Org.country)
    )
    return {
        r.key: Node(r.key, r.name, r.kind, r.parent_key, tuple(r.contracts or ()), r.uei, r.cage, r.country)
        for r in rows
    }


def validate(records: list[OrgRecord], stored: dict[str, Node]) -> list[Problem]:
    """Problems of a registry file taken together with the organizations already stored."""
    problems: list[Problem] = []
    merged = dict(stored)
    first_line: dict[str, int] = {}
    for rec in records:
        if rec.key in first_line:
            problems.append(Problem(rec.line, f"org id {rec.key!r} already defined on line {first_line[rec.key]}"))
            continue
        first_line[rec.key] = rec.line
        merged[rec.key] = Node(rec.key, rec.name, rec.kind, rec.parent, line=rec.line)
    for rec in records:
        node = merged[rec.key]
        if node.line != rec.line:
            continue
        problems.extend(_parent_problems(node, merged))
    problems.extend(_cycles(records, merged))
    return sorted(problems, key=lambda p: p.line)


def _parent_problems(node: Node, merged: dict[str, Node]) -> list[Problem]:
    if not node.parent:
        if node.kind not in ROOT_KINDS:
            return [
                Problem(node.line, f"{node.kind} {node.key!r} needs a parent ({' or '.join(PARENT_KINDS[node.kind])})")
            ]
        return []
    parent = merged.get(node.parent)
    if parent is None:
        return [Problem(node.line, f"parent {node.parent!r} of {node.key!r} is neither in this file nor in the store")]
    if parent.kind not in PARENT_KINDS[node.kind]:
        allowed = " or ".join(PARENT_KINDS[node.kind])
        return [
            Problem(
                node.line, f"{node.kind} {node.key!r} has parent {parent.key!r}, a {parent.kind}; expected {allowed}"
            )
        ]
    return []


def _cycles(records: list[OrgRecord], merged: dict[str, Node]) -> list[Problem]:
    """One problem per row in a parent cycle, naming every member with its line."""
    problems: list[Problem] = []
    reported: set[str] = set()
    for rec in records:
        path: list[str] = []
        key = rec.key
        while key and key in merged and key not in path:
            path.append(key)
            key = merged[key].parent
        if key not in path or key in reported:
            continue
        cycle = path[path.index(key) :]
        reported.update(cycle)
        described = " → ".join(_where(merged[k]) for k in [*cycle, cycle[0]])
        for member in cycle:
            problems.append(Problem(merged[member].line, f"org {member!r} is in a parent cycle: {described}"))
    return problems


def _where(node: Node) -> str:
    return f"{node.key} (line {node.line})" if node.line else f"{node.key} (in the store)"


def chain(registry: dict[str, Node], key: str) -> list[Node]:
    """The organization and its ancestors, nearest first (stops at a missing parent)."""
    out: list[Node] = []
    while key in registry and all(n.key != key for n in out):
        out.append(registry[key])
        key = registry[key].parent
    return out


def children(registry: dict[str, Node]) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = {}
    for node in sorted(registry.values(), key=lambda n: (n.kind, n.name.casefold())):
        kids.setdefault(node.parent if node.parent in registry else "", []).append(node.key)
    return kids


def subtree(registry: dict[str, Node], key: str) -> set[str]:
    kids = children(registry)
    out, todo = set(), [key]
    while todo:
        current = todo.pop()
        if current not in out:
            out.add(current)
            todo.extend(kids.get(current, ()))
    return out
