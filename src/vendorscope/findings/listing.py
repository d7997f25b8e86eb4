"""The findings list over the standard library's sqlite3 (store/readonly.py), for `vendorscope findings`.

The same rows, in the same order and shape, as ``query.list_findings`` (tests/test_startup.py compares them
on one store), without SQLAlchemy or the ORM models: a listing of an embedded store starts several times
faster and in less than half the memory (docs/benchmarks.md, "Start-up").
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from vendorscope.findings.status import WITHDRAWN

_SELECT = (
    "SELECT f.id, h.name, f.vendor, f.product, f.kind, f.confidence, f.present, f.status, f.first_seen,"
    " f.last_seen, f.explanation, f.evidence FROM findings f JOIN hosts h ON h.id = f.host_id"
)
_ORDER = " ORDER BY h.name, f.vendor, f.product, f.kind, f.id"  # as query.list_findings


def list_findings(
    conn: sqlite3.Connection, vendor: str | None = None, include_absent: bool = False
) -> list[dict[str, Any]]:
    """Findings with their host's name (present and not withdrawn unless ``include_absent``)."""
    where: list[str] = []
    params: list[object] = []
    if vendor:
        where.append("f.vendor = ?")
        params.append(vendor)
    if not include_absent:
        where.append("f.present = 1 AND f.status != ?")
        params.append(WITHDRAWN)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + _ORDER
    return [_finding(row) for row in conn.execute(sql, params)]


def _finding(row: tuple[Any, ...]) -> dict[str, Any]:
    """One row as ``query.finding_dict`` gives it (SQLAlchemy keeps SQLite datetimes as text, JSON as text)."""
    fid, host, vendor, product, kind, confidence, present, status, first, last, explanation, evidence = row
    return {
        "id": fid,
        "host": host,
        "vendor": vendor,
        "product": product,
        "kind": kind,
        "confidence": confidence,
        "present": bool(present),
        "status": status,
        "first_seen": _iso(first),
        "last_seen": _iso(last),
        "explanation": explanation,
        "evidence": json.loads(evidence) if isinstance(evidence, str | bytes) else evidence,
    }


def _iso(value: str | None) -> str | None:
    return datetime.fromisoformat(value).isoformat() if value else None
