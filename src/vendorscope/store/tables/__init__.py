"""The store's tables, one module per section (evidence, orgs, records, server, custody).

Times are naive UTC throughout (SQLite has no time zones; PostgreSQL gets the same values). Importing
this package registers every table on ``Base.metadata``.
"""

from __future__ import annotations

from .base import Base, Meta
from .custody import CustodyEntry, CustodyHead, CustodyPending
from .evidence import (
    Artifact,
    Examination,
    Finding,
    Host,
    HostSource,
    HostTitles,
    Installation,
    NetworkContactRow,
    Title,
    TitleMatch,
)
from .orgs import FindingEvent, HostOwner, HostRule, Org, OrgFinding, Purchase, Remediation
from .records import (
    RecordBand,
    RecordBandRecent,
    RecordBates,
    RecordDocument,
    RecordFile,
    RecordLocation,
    RecordProduction,
    RecordRedaction,
    RecordReview,
    RecordThreadKey,
    RecordThreadKeyRecent,
)
from .server import AgentPush, AuditEvent, EnrollmentToken, HostOrg, PushIntake, User, WebSession

__all__ = [
    "AgentPush",
    "Artifact",
    "AuditEvent",
    "Base",
    "CustodyEntry",
    "CustodyHead",
    "CustodyPending",
    "EnrollmentToken",
    "Examination",
    "Finding",
    "FindingEvent",
    "Host",
    "HostOrg",
    "HostOwner",
    "HostRule",
    "HostSource",
    "HostTitles",
    "Installation",
    "Meta",
    "NetworkContactRow",
    "Org",
    "OrgFinding",
    "Purchase",
    "PushIntake",
    "RecordBand",
    "RecordBandRecent",
    "RecordBates",
    "RecordDocument",
    "RecordFile",
    "RecordLocation",
    "RecordProduction",
    "RecordRedaction",
    "RecordReview",
    "RecordThreadKey",
    "RecordThreadKeyRecent",
    "Remediation",
    "Title",
    "TitleMatch",
    "User",
    "WebSession",
]
