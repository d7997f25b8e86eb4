"""The server: users, sessions, agent tokens and pushes, hosts' first pushing org, audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

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


class PushIntake(Base):
    """A pushed bundle durably queued (answered 202) and, once applied, the outcome its receipt reports.

    The bytes are kept only until the bundle is applied (``data`` is then emptied); the row stays as the receipt
    for a while (server/intake.py ``RECEIPT_DAYS``) so the agent can read what became of its push.
    """

    __tablename__ = "push_intake"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("enrollment_tokens.id"))
    agent: Mapped[str] = mapped_column(String(255))
    filename: Mapped[str] = mapped_column(String(255), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))  # queued | done
    lane: Mapped[int] = mapped_column(Integer, default=0)  # one applier per lane at a time; an agent's pushes share one
    status: Mapped[str] = mapped_column(String(32), default="")  # ingested | duplicate | failed | refused
    code: Mapped[int] = mapped_column(Integer, default=0)  # the HTTP status a synchronous push would have had
    items: Mapped[int] = mapped_column(Integer, default=0)
    hosts: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_push_intake_state", "state", "lane", "id"),
        Index("ix_push_intake_token_sha256", "token_id", "sha256"),
    )


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
