"""The evidence store's tables.

Times are naive UTC throughout (SQLite has no time zones; PostgreSQL gets the
same values). The flow of data is visible in the foreign keys: artifacts (files)
→ installations (what a file said a host had) → titles (distinct software) →
title_matches (the matcher's verdict per title) → findings (per host).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the store itself (e.g. the catalog fingerprint last matched with)."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Artifact(Base):
    """Every ingested file, the chain of custody: what, when, by which tool, what it yielded."""

    __tablename__ = "artifacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    tool_version: Mapped[str] = mapped_column(String(32))
    records: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    problem_sample: Mapped[list[str]] = mapped_column(JSON, default=list)


class Host(Base):
    """A machine known from any source; examined or not is told by `examinations`."""

    __tablename__ = "hosts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)  # lower-cased name
    name: Mapped[str] = mapped_column(String(255))
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    facts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Examination(Base):
    """A method that looked at a host's software, from one artifact: the basis of coverage."""

    __tablename__ = "examinations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(64))
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    examined_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("host_id", "artifact_id", "method", name="uq_examination"),
        Index("ix_examinations_artifact", "artifact_id"),
    )


class HostSource(Base):
    """When a host's whole list for one source (e.g. programs) was last seen: older evidence can't revive items."""

    __tablename__ = "host_sources"
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    complete_at: Mapped[datetime] = mapped_column(DateTime)


class Title(Base):
    """A distinct piece of software as reported; matched once, however many hosts have it."""

    __tablename__ = "titles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # sha1 of the fields below
    name: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(Text, default="")
    identifier: Mapped[str] = mapped_column(Text, default="")
    signer: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")


class Installation(Base):
    """A title on a host: when first and last seen, and whether it is still there."""

    __tablename__ = "installations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    last_artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    __table_args__ = (
        UniqueConstraint("host_id", "title_id", name="uq_installation"),
        Index("ix_installations_title", "title_id"),
    )


class TitleMatch(Base):
    """The matcher's verdict on one title for one vendor, with its explanation."""

    __tablename__ = "title_matches"
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True)
    vendor: Mapped[str] = mapped_column(String(64), primary_key=True)
    product: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    catalog_version: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_title_matches_vendor", "vendor", "product"),)


class Finding(Base):
    """A vendor product on a host, with the evidence; status is kept across re-matching."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"))
    vendor: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(32), default="open")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("host_id", "vendor", "product", "kind", name="uq_finding"),
        Index("ix_findings_vendor", "vendor", "product"),
    )


# -- server (issue 8): users, sessions, agent tokens and pushes, host ownership, audit ---------------


class User(Base):
    """A person who signs in to the web server; ``org`` "" means the whole agency (the root)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32))
    org: Mapped[str] = mapped_column(String(255), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)


class EnrollmentToken(Base):
    """An agent enrollment token for one org, created by an admin; only its SHA-256 is kept."""

    __tablename__ = "enrollment_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    org: Mapped[str] = mapped_column(String(255), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class AgentPush(Base):
    """Which agent, with which token, pushed which artifact, and what became of it."""

    __tablename__ = "agent_pushes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("enrollment_tokens.id"))
    agent: Mapped[str] = mapped_column(String(255))
    artifact_id: Mapped[int | None] = mapped_column(ForeignKey("artifacts.id", ondelete="SET NULL"))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    items: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (Index("ix_agent_pushes_token", "token_id"), Index("ix_agent_pushes_sha256", "sha256"))


class HostOrg(Base):
    """The org a host belongs to, set by the token of the agent that first pushed it (no row: the root)."""

    __tablename__ = "host_orgs"
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True)
    org: Mapped[str] = mapped_column(String(255))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("enrollment_tokens.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_host_orgs_org", "org"),)


class AuditEvent(Base):
    """Who did what, when, from where: logins, exports, reviews, configuration changes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (Index("ix_audit_log_action", "action", "at"),)
