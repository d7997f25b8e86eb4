"""From a request file to a package: load and check the request, describe the store, write the package.

The service reads the store into an ``Evidence`` and builds the ``Answer`` (respond/answer.py); these helpers
take that data and small callables, never the service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from vendorscope.respond.request import DOCUMENTS_SINCE, Request, load_request
from vendorscope.store.tables import Artifact, Finding, FindingEvent, Remediation


def load_checked_request(request_path: Path, vendors: Collection[str]) -> Request:
    """The request file, validated, its vendor one of ``vendors`` (catalog ids); every problem at once."""
    return load_request(request_path, vendors=vendors)


def ad_hoc_request(vendor: str, items: tuple[str, ...] = ("systems", "contractors")) -> Request:
    """A request built in code, for the summary and the directive reports (they answer the same questions).

    Documents, when asked, are those since the committee's date (DOCUMENTS_SINCE), as in the sample request.
    """
    entries: list[Any] = [
        {"documents": {"since": DOCUMENTS_SINCE.isoformat()}} if item == "documents" else item for item in items
    ]
    return Request(id="directive", requester="vendorscope", received=date.today(), vendor=vendor, items=entries)


def store_fingerprint(conn: Connection, matcher_fingerprint: str) -> str:
    """SHA-256 over what the answer depends on: artifacts, catalogs, findings and their remediation."""
    digest = hashlib.sha256(matcher_fingerprint.encode())
    for row in _rows(conn):
        digest.update(repr(tuple(row)).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _rows(conn: Connection) -> Any:
    yield from conn.execute(select(Artifact.sha256).order_by(Artifact.sha256))
    yield from conn.execute(
        select(
            Finding.id,
            Finding.host_id,
            Finding.vendor,
            Finding.product,
            Finding.kind,
            Finding.status,
            Finding.present,
            Finding.confidence,
            Finding.first_seen,
            Finding.last_seen,
        ).order_by(Finding.id)
    )
    yield from conn.execute(
        select(
            Remediation.finding_id, Remediation.owner, Remediation.due, Remediation.replacement, Remediation.note
        ).order_by(Remediation.finding_id)
    )
    yield from conn.execute(
        select(FindingEvent.id, FindingEvent.finding_id, FindingEvent.new).order_by(FindingEvent.id)
    )
