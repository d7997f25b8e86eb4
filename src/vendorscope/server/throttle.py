"""The sign-in rate limit: an attempt is counted atomically *before* its password is checked.

Counting failures after the check let 50 concurrent guesses all be checked (each read the count before any
failure was written). Here each attempt reserves a slot in a per-key counter under the database's write lock
(a row lock on PostgreSQL, the write lock on SQLite) and only an attempt that got a slot is checked; a
successful sign-in gives its slot back, so only failures use up the window.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection, select, update

from vendorscope.store.dialect import insert_ignoring_conflicts
from vendorscope.store.store import Store
from vendorscope.store.tables import Meta

_META = Meta.__table__


def keys(username: str, addr: str) -> list[str]:
    """The counters one attempt uses: its account and its address (store keys, bounded length)."""
    found = [f"login:u:{_digest(username)}"]
    if addr:
        found.append(f"login:a:{_digest(addr)}")
    return found


def reserve(store: Store, counters: Sequence[str], limit: int, window: timedelta) -> bool:
    """Take one slot of every counter, or none (False: some counter has ``limit`` attempts in its window)."""
    with store.transaction() as conn:
        now = time.time()
        state = {key: _locked(conn, key, now, window) for key in sorted(counters)}  # sorted: no lock-order deadlock
        if any(count >= limit for _start, count in state.values()):
            return False  # nothing taken (a counter row just created holds 0)
        for key, (start, count) in state.items():
            _save(conn, key, start, count + 1)
    return True


def release(store: Store, counters: Sequence[str]) -> None:
    """Give back a slot taken by an attempt that succeeded."""
    with store.transaction() as conn:
        now = time.time()
        for key in sorted(counters):
            start, count = _locked(conn, key, now, None)
            _save(conn, key, start, max(count - 1, 0))


def _locked(conn: Connection, key: str, now: float, window: timedelta | None) -> tuple[float, int]:
    """The counter's (window start, count), its row locked for this transaction; a lapsed window starts anew."""
    conn.execute(insert_ignoring_conflicts(conn, _META, ["key"]).values(key=key, value=f"{now} 0"))
    value = conn.execute(select(_META.c.value).where(_META.c.key == key).with_for_update()).scalar_one()
    start_text, _, count_text = value.partition(" ")
    try:
        start, count = float(start_text), int(count_text)
    except ValueError:
        start, count = now, 0
    if window is not None and now - start >= window.total_seconds():
        return now, 0
    return start, count


def _save(conn: Connection, key: str, start: float, count: int) -> None:
    conn.execute(update(_META).where(_META.c.key == key).values(value=f"{start} {count}"))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:40]
