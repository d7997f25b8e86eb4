"""Who may see and push what: an org's subtree in the org registry.

An org is a registry id (``orgs``, loaded from orgs.csv or FollowTheMoney files); its subtree is itself and
every org below it in the registry (``orgs/registry.py`` ``subtree``); "" is the root, the whole agency. Users
and enrollment tokens carry an org. A host belongs to its registry owner (hosts.csv, then the ownership rules:
``orgs/ownership.py``); when the registry assigns it to nobody, to the org of the token whose agent first pushed
it (``host_orgs``); else to the root. This module is the only place that knows how scope is decided.

Compatibility: an org the registry does not have is read as a path, as before the registry existed
(``prime/sub`` is below ``prime``), so a store set up with path orgs keeps working until a registry arrives.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select

from vendorscope.errors import VendorscopeError
from vendorscope.findings.query import HostFilter
from vendorscope.orgs import registry
from vendorscope.orgs.ownership import owners
from vendorscope.store.tables import Host, HostOrg, Org

ROOT = ""
_PATH_ORG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}(/[a-z0-9][a-z0-9._-]{0,62}){0,7}$")


def normalize_org(value: str, known: Collection[str] = ()) -> str:
    """An org as stored: a registry id when a registry is loaded (``known``), else a lower-case path; "" the root."""
    org = value.strip().strip("/")
    if not org or org in known:
        return org
    if known:
        raise VendorscopeError(f"unknown org {value!r}: not an id of the org registry (`vendorscope orgs` lists them)")
    lowered = org.lower()
    if not _PATH_ORG.match(lowered):
        raise VendorscopeError(f"invalid org {value!r}: use lower-case path segments like 'prime/sub-1'")
    return lowered


def registry_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(Org.key)).scalars())


def host_owners(conn: Connection, host_ids: Collection[int] | None = None) -> dict[int, str]:
    """Host id → the org it belongs to: its registry owner, else its first pusher's org, else the root."""
    pushed_stmt = select(HostOrg.host_id, HostOrg.org)
    if host_ids is not None:
        pushed_stmt = pushed_stmt.where(HostOrg.host_id.in_(list(host_ids)))
    pushed: dict[int, str] = {h: o for h, o in conn.execute(pushed_stmt)}
    return {h: owner.org or pushed.get(h, ROOT) for h, owner in owners(conn, host_ids).items()}


@dataclass(frozen=True)
class Scope:
    """What a user or a token may reach: the subtree of ``org`` (``below``: its registry ids)."""

    org: str = ROOT
    below: frozenset[str] = frozenset()
    in_registry: bool = False

    @classmethod
    def resolve(cls, conn: Connection, org: str) -> Scope:
        if org == ROOT:
            return cls()
        tree = registry.load(conn)
        if org in tree:
            return cls(org, frozenset(registry.subtree(tree, org)), True)
        return cls(org, frozenset({org}))

    @property
    def everything(self) -> bool:
        return self.org == ROOT

    def allows(self, org: str) -> bool:
        if self.everything or org in self.below:
            return True
        return not self.in_registry and org.startswith(self.org + "/")  # a path org, from before the registry

    def host_ids(self, conn: Connection) -> list[int]:
        return sorted(h for h, org in host_owners(conn).items() if self.allows(org))

    def host_filter(self, conn: Connection) -> HostFilter:
        """The ids of the hosts in scope, as a SELECT; None when every host is."""
        if self.everything:
            return None
        ids = bindparam("scope_host_ids", self.host_ids(conn), expanding=True, literal_execute=True)
        return select(Host.id).where(Host.id.in_(ids))
