"""The organization registry as the response package sees it (respond/providers.py ``OrgProvider``).

Reads the registry, host ownership and flagged purchases once per response; answers which org a host
belongs to (with its chain up to the agency), how sensitive it is, which contractors exist and which
purchases name a covered supplier.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from vendorscope.catalog.schema import Catalog
from vendorscope.findings.status import WITHDRAWN
from vendorscope.orgs import registry
from vendorscope.orgs.facts import UNKNOWN, Contractor, HostProfile, OrgPath, ProcurementLine
from vendorscope.orgs.ownership import Owner, owners
from vendorscope.store.tables import Host, OrgFinding, Purchase

CONTRACTOR_KINDS = ("contractor", "subcontractor")


class RegistryOrgs:
    """``OrgProvider`` over the store's registry (orgs.csv / FollowTheMoney, hosts.csv, ownership rules)."""

    def __init__(self, conn: Connection, catalog: Callable[[str], Catalog]) -> None:
        """Read the registry, ownership and flagged purchases from ``conn``; ``catalog(vendor_id)`` names products."""
        self.catalog = catalog
        self.nodes = registry.load(conn)
        by_id = owners(conn)
        names = dict(conn.execute(select(Host.id, Host.key)).all())
        self.owners: dict[str, Owner] = {names[hid]: owner for hid, owner in by_id.items() if hid in names}
        session = Session(conn)
        purchases = {f"purchase:{p.id}": p for p in session.execute(select(Purchase)).scalars()}
        flags = session.execute(
            select(OrgFinding)
            .where(OrgFinding.kind == "procurement", OrgFinding.status != WITHDRAWN)
            .order_by(OrgFinding.org_key, OrgFinding.subject)
        ).scalars()
        self._flags = [(f, purchases[f.subject]) for f in flags if f.subject in purchases]
        self.available = bool(self.nodes)

    def describe(self) -> str:
        if not self.available:
            return (
                "no organization registry was ingested: hosts are not assigned to organizations, no contractors known"
            )
        assigned = sum(1 for o in self.owners.values() if o.org)
        contractors = sum(1 for n in self.nodes.values() if n.kind in CONTRACTOR_KINDS)
        return (
            f"organization registry: {len(self.nodes)} organizations ({contractors} contractors and "
            f"subcontractors); {assigned} of {len(self.owners)} hosts assigned"
        )

    def org(self, org_id: str) -> OrgPath | None:
        nodes = registry.chain(self.nodes, org_id)
        if not nodes:
            return None
        top_first = list(reversed(nodes))
        node = nodes[0]
        return OrgPath(
            node.key, node.name, node.kind, tuple(n.name for n in top_first), tuple(n.key for n in top_first)
        )

    def org_of(self, host: str) -> OrgPath | None:
        owner = self.owners.get(host.strip().lower())
        return self.org(owner.org) if owner and owner.org else None

    def host_profile(self, host: str) -> HostProfile:
        owner = self.owners.get(host.strip().lower())
        if owner is None:
            return HostProfile()
        return HostProfile(sensitivity=owner.sensitivity or UNKNOWN, role=owner.role or UNKNOWN)

    def contractors(self) -> list[Contractor]:
        out = []
        for node in sorted(self.nodes.values(), key=lambda n: n.key):
            if node.kind not in CONTRACTOR_KINDS:
                continue
            parent = self.nodes.get(node.parent)
            prime = parent.name if parent is not None and node.kind == "subcontractor" else ""
            out.append(Contractor(node.key, node.name, node.kind, prime, node.contracts, node.uei, node.cage))
        return out

    def procurement(self, vendor: str) -> list[ProcurementLine]:
        """Flagged purchases whose covered entity or product is this vendor's."""
        catalog = self.catalog(vendor)
        names = {name for entity in catalog.entities for name in entity.all_names()}
        products = {p.id for p in catalog.products}
        lines = []
        for flag, purchase in self._flags:
            if flag.entity not in names and flag.product not in products:
                continue
            product = next((p for p in catalog.products if p.id == flag.product), None)
            lines.append(
                ProcurementLine(
                    org_id=flag.org_key,
                    contract=purchase.contract,
                    order=purchase.order_number,
                    supplier=purchase.supplier,
                    brand=product.name if product else catalog.vendor.name,
                    model=purchase.part,
                    description=purchase.description,
                    identified=flag.first_seen.date() if flag.first_seen else None,
                    vendor=vendor,
                )
            )
        return lines
