"""A host's unattributed titles as one compact row (``host_titles``), with the same per-title state as an installation.

Most of a fleet's software is no catalog's: storing it one row per installation made the row insert
the floor of ingest. Here each host holds one packed state — for every title: first and last seen,
present, removed at, first and last artifact — read, merged and written once per batch, in bulk.
Attributed titles stay rows in ``installations`` (findings, removal tracking read them); a title a
re-match attributes moves there with its whole state (``expand_titles``), so nothing is lost or
re-derived. The state is six int64 columns and a present byte per title (49 bytes; an installation
row with its index takes more). Compressing it cost more time than the space was worth.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, select, update

from vendorscope.store.dialect import bulk_insert, time_encoder, update_arrays
from vendorscope.store.tables import HostTitles, Installation

EPOCH = datetime(1970, 1, 1)
_MICRO = timedelta(microseconds=1)
_NONE = -(2**63)  # no time
_TABLE = HostTitles.__table__
_CHUNK = 500
_SAMPLE = 64  # rows looked at to tell whether a state's titles share their rows
_SHARED_MOST = 4  # shared when at most a quarter of them are distinct
_STATES = (
    select(_TABLE.c.host_id, _TABLE.c.state)
    .where(_TABLE.c.host_id.in_(bindparam("ids", expanding=True)))
    .order_by(_TABLE.c.host_id)
)
_STATES_LOCKED = _STATES.with_for_update()
_SET_STATE = (
    update(_TABLE)
    .where(_TABLE.c.host_id == bindparam("h"))
    .values(state=bindparam("s"), titles=bindparam("n"), present=bindparam("p"))
)

# tid -> (first_seen, last_seen, present, removed_at, first_artifact_id, last_artifact_id); a row is replaced,
# never changed in place, so titles first seen together can share one tuple
State = dict[int, tuple[Any, ...]]


def pack(state: State) -> bytes:
    if not state:
        return b""
    tids = sorted(state)
    rows = list(map(state.__getitem__, tids))
    if len(set(map(id, rows[:_SAMPLE]))) * _SHARED_MOST <= min(len(rows), _SAMPLE):
        return _pack_shared(tids, rows)
    firsts, lasts, present, removed, first_aids, last_aids = zip(*rows, strict=True)
    code = {None: _NONE} | {when: (when - EPOCH) // _MICRO for when in {*firsts, *lasts, *removed} if when}
    encode = code.__getitem__
    # one list, one array: extending an array from iterators costs more per item
    columns = array(
        "q", [*tids, *map(encode, firsts), *map(encode, lasts), *map(encode, removed), *first_aids, *last_aids]
    )
    return columns.tobytes() + bytes(present)


def _pack_shared(tids: list[int], rows: list[tuple[Any, ...]]) -> bytes:
    """``pack`` when titles share their rows (titles first seen together share one tuple: a host merged in this
    process has a handful): each distinct row is encoded once and numpy picks it for every title."""
    ids = list(map(id, rows))
    distinct = dict(zip(ids, rows, strict=True))
    firsts, lasts, present, removed, first_aids, last_aids = zip(*distinct.values(), strict=True)
    code = {None: _NONE} | {when: (when - EPOCH) // _MICRO for when in {*firsts, *lasts, *removed} if when}
    encode = code.__getitem__
    table = np.array(
        [[*map(encode, firsts)], [*map(encode, lasts)], [*map(encode, removed)], first_aids, last_aids, present],
        dtype=np.int64,
    )
    position = dict(zip(distinct, range(len(distinct)), strict=True))
    picked = table[:, np.fromiter(map(position.__getitem__, ids), dtype=np.intp, count=len(ids))]
    columns = np.empty((6, len(ids)), dtype=np.int64)
    columns[0] = tids
    columns[1:] = picked[:5]
    return columns.tobytes() + picked[5].astype(np.uint8).tobytes()


def unpack(data: bytes) -> State:
    raw = bytes(data)
    n = len(raw) // 49  # six int64 and one byte per title
    columns = array("q")
    columns.frombytes(raw[: 48 * n])
    ints = columns.tolist()
    tids, firsts, lasts, removed = ints[:n], ints[n : 2 * n], ints[2 * n : 3 * n], ints[3 * n : 4 * n]
    time = {_NONE: None} | {v: EPOCH + v * _MICRO for v in {*firsts, *lasts, *removed} if v != _NONE}
    rows = zip(
        map(time.__getitem__, firsts),
        map(time.__getitem__, lasts),
        map(bool, raw[48 * n :]),
        map(time.__getitem__, removed),
        ints[4 * n : 5 * n],
        ints[5 * n :],
        strict=True,
    )
    return dict(zip(tids, rows, strict=True))


def load(conn: Connection, host_ids: Iterable[int]) -> dict[int, State]:
    """The stored states of these hosts (locked for this transaction on PostgreSQL)."""
    found: dict[int, State] = {}
    stmt = _STATES_LOCKED if conn.dialect.name == "postgresql" else _STATES
    for chunk in _chunks(sorted(set(host_ids))):
        for hid, data in conn.execute(stmt, {"ids": chunk}):
            found[hid] = unpack(data)
    return found


def save(conn: Connection, states: dict[int, State], existing: set[int], first_artifact: int | dict[int, int]) -> None:
    """Write the states back: an update for hosts that had one, an insert for the others.

    ``first_artifact``: the artifact a new row names as its first (one for all, or by host).
    """
    new, old = [], []
    for hid in sorted(states):
        state = states[hid]
        data = pack(state)
        present = data.count(1, 48 * len(state))  # the present bytes follow the six int64 columns
        if hid in existing:
            old.append({"h": hid, "s": data, "n": len(state), "p": present})
        else:
            first = first_artifact if isinstance(first_artifact, int) else first_artifact[hid]
            new.append((hid, data, len(state), present, first))
    bulk_insert(conn, _TABLE, ("host_id", "state", "titles", "present", "first_artifact_id"), new)
    if conn.dialect.name == "postgresql":  # rows locked by ``load``: one statement updates them all
        update_arrays(conn, _TABLE, "host_id", ("state", "titles", "present"), [tuple(r.values()) for r in old])
    elif old:
        conn.execute(_SET_STATE, old)


def expand_titles(conn: Connection, title_ids: set[int]) -> int:
    """Move these titles, with their state, from every host's compact row into ``installations``."""
    if not title_ids:
        return 0
    encode = time_encoder(conn)
    moved = 0
    for chunk in _host_chunks(conn):
        states = load(conn, chunk)
        changed: dict[int, State] = {}
        rows = []
        for hid, state in states.items():
            hits = title_ids.intersection(state)
            if not hits:
                continue
            for tid in sorted(hits):
                first, last, present, removed_at, first_aid, last_aid = state.pop(tid)
                rows.append((hid, tid, encode(first), encode(last), present, encode(removed_at), first_aid, last_aid))
            changed[hid] = state
        columns = ("host_id", "title_id", "first_seen", "last_seen", "present", "removed_at")
        bulk_insert(conn, Installation.__table__, (*columns, "first_artifact_id", "last_artifact_id"), rows)
        save(conn, changed, set(changed), 0)
        moved += len(rows)
    return moved


def _host_chunks(conn: Connection) -> Iterator[list[int]]:
    hosts = list(conn.execute(select(_TABLE.c.host_id).order_by(_TABLE.c.host_id)).scalars())
    yield from _chunks(hosts)


def _chunks(values: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
