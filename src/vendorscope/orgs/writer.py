"""Writing organization records (registry, host ownership, rules, purchases) for one ingested file.

Called by ingest for every record that is not a software observation, inside the file's transaction.
A registry file that has any problem is rejected whole (``rejected``): ingest then rolls the file back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from vendorscope.orgs import registry
from vendorscope.sources.base import HostAssignment, OrgRecord, OrgsRecord, OwnershipRule, Problem, ProcurementLine
from vendorscope.store.dialect import insert_ignoring_conflicts
from vendorscope.store.tables import Host, HostOwner, HostRule, Org, Purchase
from vendorscope.store.widths import too_long, width
from vendorscope.store.writer import host_key

_ORGS, _OWNERS, _RULES, _PURCHASES, _HOSTS = (
    Org.__table__,
    HostOwner.__table__,
    HostRule.__table__,
    Purchase.__table__,
    Host.__table__,
)

# Each record's fields that go to a bounded column. A record with one too long is left out with a problem (the
# registry's problems reject its file whole). A purchase's part, amount, contract and order are unbounded text: they
# are evidence of what was bought, kept whole on both stores.
_BOUNDED: dict[type, tuple[tuple[str, int], ...]] = {
    OrgRecord: (
        ("key", width(Org.key)),
        ("parent", width(Org.parent_key)),
        ("kind", width(Org.kind)),
        ("uei", width(Org.uei)),
        ("cage", width(Org.cage)),
        ("country", width(Org.country)),
    ),
    HostAssignment: (
        ("host", width(Host.key)),
        ("org", width(HostOwner.org_key)),
        ("role", width(HostOwner.role)),
        ("sensitivity", width(HostOwner.sensitivity)),
        ("location", width(HostOwner.location)),
    ),
    OwnershipRule: (
        ("org", width(HostRule.org_key)),
        ("hostname", width(HostRule.hostname)),
        ("network", width(HostRule.network)),
    ),
    ProcurementLine: (("org", width(Purchase.org_key)), ("date", width(Purchase.date))),
}


class OrgsWriter:
    """Collects a file's organization records, checks them, writes them at ``flush``."""

    def __init__(self, conn: Connection, artifact_id: int) -> None:
        self.conn = conn
        self.artifact_id = artifact_id
        self.orgs: list[OrgRecord] = []
        self.owners: list[HostAssignment] = []
        self.rules: list[OwnershipRule] = []
        self.purchases: list[ProcurementLine] = []
        self.overlong: list[Problem] = []  # records left out: a field longer than its column
        self.overlong_orgs = False  # one of them a registry row: its file is rejected whole
        self.rejected = False

    def add(self, record: OrgsRecord) -> None:
        bounded = _BOUNDED[type(record)]
        message = too_long((name, getattr(record, name), most) for name, most in bounded)  # as they are written
        if message:
            self.overlong.append(Problem(record.line, f"{message}: record left out"))
            self.overlong_orgs |= isinstance(record, OrgRecord)
            return
        target: list[Any] = {
            OrgRecord: self.orgs,
            HostAssignment: self.owners,
            OwnershipRule: self.rules,
            ProcurementLine: self.purchases,
        }[type(record)]
        target.append(record)

    @property
    def items(self) -> int:
        return len(self.orgs) + len(self.owners) + len(self.rules) + len(self.purchases)

    def flush(self, earlier: list[Problem]) -> list[Problem]:
        """Write everything; returns the records left out and the registry's problems. A registry with any
        problem is rejected whole."""
        if self.orgs or self.overlong_orgs:
            problems = self.overlong + registry.validate(self.orgs, registry.load(self.conn))
            if problems or earlier:
                self.rejected = True
                return problems
            self._write_orgs()
        self._write_owners()
        self._write_rules()
        self._write_purchases()
        return self.overlong

    def _write_orgs(self) -> None:
        keys = [r.key for r in self.orgs]
        self.conn.execute(_ORGS.delete().where(_ORGS.c.key.in_(keys)))  # a newer registry file replaces the rows
        self.conn.execute(
            _ORGS.insert(),
            [
                {
                    "key": r.key,
                    "name": r.name,
                    "kind": r.kind,
                    "parent_key": r.parent,
                    "contracts": list(r.contracts),
                    "uei": r.uei,
                    "cage": r.cage,
                    "country": r.country,
                    "artifact_id": self.artifact_id,
                    "line": r.line,
                }
                for r in self.orgs
            ],
        )

    def _write_owners(self) -> None:
        if not self.owners:
            return
        latest = {host_key(a.host): a for a in self.owners}  # a later row for the same host wins
        self.conn.execute(
            insert_ignoring_conflicts(self.conn, _HOSTS, ["key"]),
            [
                {"key": k, "name": a.host.strip(), "first_seen": None, "last_seen": None, "facts": {}}
                for k, a in latest.items()
            ],
        )
        ids = dict(self.conn.execute(select(Host.key, Host.id).where(Host.key.in_(list(latest)))).all())
        self.conn.execute(_OWNERS.delete().where(_OWNERS.c.host_id.in_(list(ids.values()))))
        self.conn.execute(
            _OWNERS.insert(),
            [
                {
                    "host_id": ids[k],
                    "org_key": a.org,
                    "role": a.role,
                    "sensitivity": a.sensitivity,
                    "location": a.location,
                    "artifact_id": self.artifact_id,
                }
                for k, a in latest.items()
            ],
        )

    def _write_rules(self) -> None:
        if self.rules:
            rows = [
                {
                    "org_key": r.org,
                    "hostname": r.hostname,
                    "network": r.network,
                    "artifact_id": self.artifact_id,
                    "line": r.line,
                }
                for r in self.rules
            ]
            self.conn.execute(insert_ignoring_conflicts(self.conn, _RULES, ["org_key", "hostname", "network"]), rows)

    def _write_purchases(self) -> None:
        if self.purchases:
            self.conn.execute(
                _PURCHASES.insert(),
                [
                    {
                        "artifact_id": self.artifact_id,
                        "line": p.line,
                        "org_key": p.org,
                        "supplier": p.supplier,
                        "description": p.description,
                        "part": p.part,
                        "date": p.date,
                        "amount": p.amount,
                        "contract": p.contract,
                        "order_number": p.order,
                    }
                    for p in self.purchases
                ],
            )
