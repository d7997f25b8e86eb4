"""Organizations: registry, host ownership, procurement, organization findings, remediation work."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# -- organizations (orgs/): registry, host ownership, procurement, findings tied to an organization ----------
# Organizations are referred to by their registry id (`key`) rather than a foreign key, so that files can
# come in any order: a host assigned to an organization not (yet) in the registry is shown as unassigned.


class Org(Base):
    """An organization of the registry: agency, office, contractor or subcontractor, with its parent's id."""

    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    parent_key: Mapped[str] = mapped_column(String(255), default="")
    contracts: Mapped[list[str]] = mapped_column(JSON, default=list)
    uei: Mapped[str] = mapped_column(String(32), default="")
    cage: Mapped[str] = mapped_column(String(16), default="")
    country: Mapped[str] = mapped_column(String(8), default="")
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    line: Mapped[int] = mapped_column(Integer, default=0)


class HostOwner(Base):
    """A host named as an organization's (hosts.csv); the newest file wins."""

    __tablename__ = "host_owners"
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True)
    org_key: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(255), default="")
    sensitivity: Mapped[str] = mapped_column(String(16), default="")
    location: Mapped[str] = mapped_column(String(255), default="")
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))


class HostRule(Base):
    """An ownership rule: hosts whose name matches a glob, or whose address is in a network, are the org's."""

    __tablename__ = "host_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_key: Mapped[str] = mapped_column(String(255))
    hostname: Mapped[str] = mapped_column(String(255), default="")
    network: Mapped[str] = mapped_column(String(64), default="")
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    line: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("org_key", "hostname", "network", name="uq_host_rule"),)


class Purchase(Base):
    """A procurement line item as imported: who bought what from whom, under which contract."""

    __tablename__ = "purchases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    org_key: Mapped[str] = mapped_column(String(255))
    supplier: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    part: Mapped[str] = mapped_column(Text, default="")  # evidence as given: any length on both stores
    date: Mapped[str] = mapped_column(String(10), default="")
    amount: Mapped[str] = mapped_column(Text, default="")
    contract: Mapped[str] = mapped_column(Text, default="")
    order_number: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_purchases_org", "org_key"),)


class OrgFinding(Base):
    """A finding tied to an organization, not a host: a flagged purchase or a covered supplier/contractor."""

    __tablename__ = "org_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))  # procurement | supplier
    subject: Mapped[str] = mapped_column(String(255))  # purchase:<id> | org:<key>
    entity: Mapped[str] = mapped_column(Text, default="")
    lists: Mapped[str] = mapped_column(String(255), default="")
    product: Mapped[str] = mapped_column(String(128), default="")
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(32), default="open")
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("org_key", "kind", "subject", name="uq_org_finding"),)


class Remediation(Base):
    """The work on one finding that is not derived from evidence: who owns it, by when, with what instead."""

    __tablename__ = "remediations"
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255), default="")
    due: Mapped[date | None] = mapped_column(Date)  # set by hand; otherwise the policy decides
    replacement: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class FindingEvent(Base):
    """A finding's history: who changed what and when, with the evidence for verified removals."""

    __tablename__ = "finding_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))  # status | owner | due | replacement | note
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_finding_events_finding", "finding_id", "at"),)
