"""Writing derived findings: insert what is new, update what is there (status kept), withdraw what is gone.

Host findings (findings/refresh.py) and organization findings (orgs/flags.py) share this life cycle:
derived after every ingest and re-match, never deleted — a finding the evidence no longer supports is
``withdrawn``, and one that comes back reopens.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, update

from vendorscope.findings.status import OPEN, WITHDRAWN

__all__ = ["WITHDRAWN", "apply_drafts"]


def apply_drafts(
    conn: Connection,
    table: Table,
    existing: dict[Hashable, tuple[int, str]],
    drafts: dict[Hashable, dict[str, Any]],
    identity: Callable[[Any], dict[str, Any]],
    now: datetime,
) -> tuple[int, int, int]:
    """Make ``table`` hold ``drafts`` (key → values); ``existing`` is key → (id, status) of the rows in scope,
    ``identity(key)`` the columns a new row gets from its key. Returns (new, updated, withdrawn)."""
    inserts, updates = [], []
    for key, values in drafts.items():
        values = values | {"updated_at": now}
        if key in existing:
            row_id, status = existing[key]
            updates.append(values | {"fid": row_id, "status": OPEN if status == WITHDRAWN else status})
        else:
            inserts.append(values | identity(key) | {"status": OPEN})
    gone = [{"fid": row_id} for key, (row_id, status) in existing.items() if key not in drafts and status != WITHDRAWN]
    by_id = table.c.id == bindparam("fid")
    if inserts:
        conn.execute(table.insert(), inserts)
    if updates:
        conn.execute(update(table).where(by_id).values(**{k: bindparam(k) for k in updates[0] if k != "fid"}), updates)
    if gone:
        conn.execute(update(table).where(by_id).values(status=WITHDRAWN, present=False, updated_at=now), gone)
    return len(inserts), len(updates), len(gone)
