"""Who may see and push what: one org's subtree.

Until the org registry (issue 5) lands, an org is a path string — ``prime`` or ``prime/sub`` — and its subtree
is itself plus every org below it; "" is the root (the whole agency). Users and enrollment tokens carry an org;
a host belongs to the org of the token whose agent first pushed it (``host_orgs``), or to the root. This module is
the only place that knows how the tree is shaped: switching to the registry means changing ``in_subtree`` and
``Scope.host_filter`` here, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from vendorscope.errors import VendorscopeError
from vendorscope.findings.query import HostFilter
from vendorscope.store.tables import HostOrg

ROOT = ""
_ORG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}(/[a-z0-9][a-z0-9._-]{0,62}){0,7}$")


def normalize_org(value: str) -> str:
    """An org id as stored: lower case path segments, "" for the root."""
    org = value.strip().strip("/").lower()
    if org and not _ORG.match(org):
        raise VendorscopeError(f"invalid org {value!r}: use lower-case path segments like 'prime/sub-1'")
    return org


def in_subtree(org: str, root: str) -> bool:
    """Whether ``org`` is ``root`` or below it."""
    return root == ROOT or org == root or org.startswith(root + "/")


@dataclass(frozen=True)
class Scope:
    """What a user or a token may reach: the subtree of ``org``."""

    org: str = ROOT

    @property
    def everything(self) -> bool:
        return self.org == ROOT

    def allows(self, org: str) -> bool:
        return in_subtree(org, self.org)

    def host_filter(self) -> HostFilter:
        """The ids of the hosts in scope, as a subquery; None when every host is."""
        if self.everything:
            return None
        below = self.org.replace("_", r"\_") + "/%"
        return select(HostOrg.host_id).where(or_(HostOrg.org == self.org, HostOrg.org.like(below, escape="\\")))
