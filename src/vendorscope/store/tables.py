"""The evidence store's tables.

Times are naive UTC throughout (SQLite has no time zones; PostgreSQL gets the
same values). The flow of data is visible in the foreign keys: artifacts (files)
→ installations (what a file said a host had) → titles (distinct software) →
title_matches (the matcher's verdict per title) → findings (per host).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
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
    source: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(Text, default="")
    identifier: Mapped[str] = mapped_column(Text, default="")
    signer: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")


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
    part: Mapped[str] = mapped_column(String(255), default="")
    date: Mapped[str] = mapped_column(String(10), default="")
    amount: Mapped[str] = mapped_column(String(64), default="")
    contract: Mapped[str] = mapped_column(String(255), default="")
    order_number: Mapped[str] = mapped_column(String(255), default="")
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


# -- records: documents that may assess the vendor (e-discovery); separate from the software evidence ------------


class RecordFile(Base):
    """Every file given to `records ingest`, per custodian and path: the chain of custody of the originals."""

    __tablename__ = "record_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    custodian: Mapped[str] = mapped_column(String(256))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    modified_at: Mapped[datetime | None] = mapped_column(DateTime)  # the file's modification time (UTC)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_record_files_sha", "sha256", "custodian"),)


class RecordDocument(Base):
    """One document: a file, an email or an attachment. Exact duplicates are kept once (see record_locations)."""

    __tablename__ = "record_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    family_id: Mapped[int | None] = mapped_column(Integer)  # the top-level document's id
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among the parent's attachments
    dedup_key: Mapped[str] = mapped_column(String(64))  # sha256, or the normalized-email hash for messages
    sha256: Mapped[str] = mapped_column(String(64))
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    custodian: Mapped[str] = mapped_column(String(256))  # first custodian; all of them in record_locations
    path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    from_addr: Mapped[str | None] = mapped_column(Text)
    to_addrs: Mapped[str | None] = mapped_column(Text)
    cc_addrs: Mapped[str | None] = mapped_column(Text)
    bcc_addrs: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    modified_at: Mapped[datetime | None] = mapped_column(DateTime)
    doc_date: Mapped[datetime | None] = mapped_column(DateTime)  # sent date for email, else file dates
    date_source: Mapped[str | None] = mapped_column(String(32))
    message_id: Mapped[str | None] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(Text)
    reference_ids: Mapped[str | None] = mapped_column(Text)  # the References header
    thread_id: Mapped[int | None] = mapped_column(Integer)
    near_dup_group: Mapped[int | None] = mapped_column(Integer)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str | None] = mapped_column(String(16))  # "ocr" when (part of) the text was read by OCR
    error: Mapped[str | None] = mapped_column(Text)  # why the document could not be (fully) read
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_record_documents_dedup", "dedup_key"),
        Index("ix_record_documents_family", "family_id"),
        Index("ix_record_documents_date", "doc_date"),
        Index("ix_record_documents_message_id", "message_id"),
    )


class RecordLocation(Base):
    """Where a document was found: every custodian and path of its exact duplicates."""

    __tablename__ = "record_locations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    custodian: Mapped[str] = mapped_column(String(256))
    path: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("document_id", "custodian", "path", name="uq_record_location"),)


class RecordReview(Base):
    """A review decision; the newest one per document is its tag. Never updated, so the history stays."""

    __tablename__ = "record_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(Text)  # privilege basis, e.g. "attorney-client"
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(256))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_record_reviews_document", "document_id", "id"),)


class RecordRedaction(Base):
    """A reviewer's redaction: exact text, a regular expression, or a character span of the text."""

    __tablename__ = "record_redactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # text | regex | span
    value: Mapped[str] = mapped_column(Text)  # the text, the pattern, or "START:END"
    reason: Mapped[str] = mapped_column(String(256))  # shown on the redaction box, e.g. "PII"
    reviewer: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_record_redactions_document", "document_id"),)


class RecordProduction(Base):
    """One production volume: which Bates range went out, when, where."""

    __tablename__ = "record_productions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(32))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    documents: Mapped[int] = mapped_column(Integer)
    withheld: Mapped[int] = mapped_column(Integer)
    out_dir: Mapped[str] = mapped_column(Text)
    produced_at: Mapped[datetime] = mapped_column(DateTime)
    volume: Mapped[str | None] = mapped_column(String(32))  # VOL001, …


class RecordBates(Base):
    """The Bates number given to a document in a production."""

    __tablename__ = "record_bates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("record_productions.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(32))  # "PRIV:ABC" for the privilege-log number of a withheld one
    number: Mapped[int] = mapped_column(Integer)  # the first page's number
    pages: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __table_args__ = (
        UniqueConstraint("prefix", "number", name="uq_record_bates"),
        Index("ix_record_bates_document", "document_id"),
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
