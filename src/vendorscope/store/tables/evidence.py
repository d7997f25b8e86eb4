"""Software evidence: files (artifacts), hosts, titles, installations, matches, findings, network contacts.

The flow of data is visible in the foreign keys: artifacts (files) → installations (what a file said a host
had) → titles (distinct software) → title_matches (the matcher's verdict per title) → findings (per host).
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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Artifact(Base):
    """Every ingested file, the chain of custody: what, when, by which tool, what it yielded."""

    __tablename__ = "artifacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What makes two ingests "the same file": the content hash, plus whatever the bytes do not say
    # themselves (a host taken from the file name, --host/--org hints). Unique: the idempotence key.
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    context: Mapped[str] = mapped_column(Text, default="")
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
    source: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(Text, default="")
    identifier: Mapped[str] = mapped_column(Text, default="")
    signer: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(Text, default="")


class Installation(Base):
    """A title on a host: when first and last seen, and whether it is still there.

    The biggest table (hosts × titles), so its key is the pair itself: on SQLite a
    WITHOUT ROWID table keeps it to one B-tree plus the title index.
    """

    __tablename__ = "installations"
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    last_artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    __table_args__ = (Index("ix_installations_title", "title_id"), {"sqlite_with_rowid": False})


class HostTitles(Base):
    """Every title seen on a host that no catalog attributes, as one compact row per host.

    The same per-title state as ``installations`` (first/last seen, present, removed at, first/last
    artifact), packed by ``store/host_titles.py``: a fleet's unattributed software costs one row per
    host instead of one per installation. Attributed titles live in ``installations``; a title that a
    re-match attributes moves there with its state (``expand_titles``).
    """

    __tablename__ = "host_titles"
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    titles: Mapped[int] = mapped_column(Integer)  # how many titles the state holds
    present: Mapped[int] = mapped_column(Integer)  # how many of them are still there
    first_artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))


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


class NetworkContactRow(Base):
    """A client that resolved or contacted a watched name/address, aggregated per log file (not software)."""

    __tablename__ = "network_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"))
    client: Mapped[str] = mapped_column(String(255))  # address or name as the log gives it
    client_name: Mapped[str] = mapped_column(String(255), default="")
    target: Mapped[str] = mapped_column(String(255))  # DNS name or destination address
    port: Mapped[str] = mapped_column(String(16), default="")  # "13000/tcp"
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(BigInteger, default=1)
    __table_args__ = (
        UniqueConstraint("artifact_id", "client", "target", "port", name="uq_network_contact"),
        Index("ix_network_contacts_target", "target"),
    )
