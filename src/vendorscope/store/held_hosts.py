"""The per-host state a group transaction touches, held in memory and written once at its commit.

An ``osqueryi`` host arrives as several files in a row, and a group of inputs shares one transaction
(``ingest._Group``). Loading, unpacking, packing and rewriting a host's compact titles, its span and its
completeness times once per *file* cost more than most files' rows, so the group loads them once per host,
merges every file into memory and writes them at its commit: one bulk statement per table.

A file that fails rolls back to its savepoint; its changes here are undone too. Hosts are copied on their
first change in a file (``touch``), so undoing a file puts back the objects as they were before it —
nothing of the earlier files in the group is lost, nothing of the failed one stays.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite

from vendorscope.store import host_titles
from vendorscope.store.dialect import insert_arrays, insert_ignoring_conflicts, update_arrays
from vendorscope.store.tables import Artifact, Examination, Host, HostSource, Installation

_CHUNK = 500
_IDS = bindparam("ids", expanding=True)
_HOSTS = Host.__table__
_SOURCES = HostSource.__table__
_ARTIFACTS = Artifact.__table__
_EXAMS = Examination.__table__
_SPANS = select(Host.id, Host.first_seen, Host.last_seen, Host.facts, Host.key).where(Host.id.in_(_IDS))
_COMPLETE_TIMES = select(HostSource.host_id, HostSource.source, HostSource.complete_at).where(
    HostSource.host_id.in_(_IDS)
)
_INSTALLED = select(
    Installation.host_id,
    Installation.title_id,
    Installation.first_seen,
    Installation.last_seen,
    Installation.present,
    Installation.removed_at,
).where(Installation.host_id.in_(_IDS))
_SET_SPAN = (
    update(_HOSTS)
    .where(_HOSTS.c.id == bindparam("hid"))
    .values(first_seen=bindparam("f"), last_seen=bindparam("l"), facts=bindparam("facts"))
)
_SET_COUNTS = (
    update(_ARTIFACTS)
    .where(_ARTIFACTS.c.id == bindparam("aid"))
    .values(
        records=bindparam("records"),
        items=bindparam("items"),
        problems=bindparam("problems"),
        problem_sample=bindparam("sample"),
    )
)
_UPSERTS: dict[str, Any] = {}  # the completeness-time upsert, by dialect
_KEEP_LATER = (
    "ON CONFLICT (host_id, source) DO UPDATE SET complete_at = CASE WHEN excluded.complete_at > "
    "host_sources.complete_at THEN excluded.complete_at ELSE host_sources.complete_at END"
)
_EXAM_COLUMNS = ("host_id", "artifact_id", "method", "sources", "examined_at")
_NEW_EXAMS = "ON CONFLICT (host_id, artifact_id, method) DO NOTHING"
_EXAMS_INSERTS: dict[str, Any] = {}


@dataclasses.dataclass(slots=True)
class HeldHost:
    """One host's state as the group's transaction sees it (rows replaced, dicts copied on the first change)."""

    state: host_titles.State  # unattributed titles (host_titles)
    stored: bool  # its host_titles row exists in the store (written by an update, else an insert)
    ours: bool  # this transaction inserted the host: no other writer can make its host_titles row
    first: datetime | None  # hosts.first_seen / last_seen / facts
    last: datetime | None
    facts: dict[str, str]
    complete: dict[str, datetime]  # host_sources: source -> newest complete list
    installed: dict[int, tuple[Any, Any, bool, Any]]  # installation rows: tid -> first, last, present, removed at
    first_artifact: int = 0  # the artifact whose file gave the host its compact row (an insert)
    state_changed: bool = False
    span_changed: bool = False
    complete_changed: frozenset[str] = frozenset()
    key: str = ""  # hosts.key, for whoever decides the host's owner from what the group holds (server/push.py)

    def copy(self) -> HeldHost:
        return dataclasses.replace(
            self, state=dict(self.state), complete=dict(self.complete), installed=dict(self.installed)
        )


class HeldHosts:
    """Hosts held for one transaction, plus the examinations and artifact counts it writes at the end."""

    def __init__(self) -> None:
        self.hosts: dict[int, HeldHost] = {}
        self.exams: list[dict[str, Any]] = []
        self.counts: list[dict[str, Any]] = []  # artifact rows' final counts
        self._before: dict[int, HeldHost | None] | None = None  # the file's undo: hosts as they were before it
        self._marks = (0, 0)

    # -- a file's undo ---------------------------------------------------------------------

    def begin_file(self) -> None:
        self._before, self._marks = {}, (len(self.exams), len(self.counts))

    def keep_file(self) -> None:
        self._before = None

    def undo_file(self) -> None:
        """Put back what the file changed: the store rolled back to its savepoint, so must this."""
        before, self._before = self._before, None
        if before is None:
            return
        for hid, host in before.items():
            if host is None:
                self.hosts.pop(hid, None)
            else:
                self.hosts[hid] = host
        del self.exams[self._marks[0] :]
        del self.counts[self._marks[1] :]

    def clear(self) -> None:
        self.hosts.clear()
        self.exams.clear()
        self.counts.clear()
        self._before = None

    # -- holding hosts ---------------------------------------------------------------------

    def touch(self, hid: int) -> HeldHost:
        """The host, to be changed: its first change in a file works on a copy, the original kept for undo."""
        host = self.hosts[hid]
        before = self._before
        if before is not None and hid not in before:
            before[hid] = host
            host = self.hosts[hid] = host.copy()
        return host

    def create(
        self, hid: int, first: datetime | None, last: datetime | None, facts: dict[str, str], key: str = ""
    ) -> None:
        """A host this transaction inserted: nothing of it to load; its compact row is inserted at the end."""
        self._added(hid, HeldHost({}, False, True, first, last, facts, {}, {}, key=key))

    def hold(self, conn: Connection, host_ids: list[int]) -> None:
        """Load the hosts not held yet: compact titles (locked on PostgreSQL), span, complete times, rows."""
        missing = sorted(h for h in set(host_ids) if h not in self.hosts)
        if not missing:
            return
        states = host_titles.load(conn, missing)
        complete: dict[int, dict[str, datetime]] = {}
        installed: dict[int, dict[int, tuple[Any, Any, bool, Any]]] = {}
        spans: dict[int, tuple[Any, Any, dict[str, str], str]] = {}
        for chunk in _chunks(missing):
            for hid, first, last, facts, key in conn.execute(_SPANS, {"ids": chunk}):
                spans[hid] = (first, last, facts or {}, key)
            for hid, source, when in conn.execute(_COMPLETE_TIMES, {"ids": chunk}):
                complete.setdefault(hid, {})[source] = when
            for hid, tid, first, last, present, removed_at in conn.execute(_INSTALLED, {"ids": chunk}):
                installed.setdefault(hid, {})[tid] = (first, last, bool(present), removed_at)
        for hid in missing:
            first, last, facts, key = spans.get(hid, (None, None, {}, ""))
            found = states.get(hid)
            self._added(
                hid,
                HeldHost(
                    found or {},
                    found is not None,
                    False,
                    first,
                    last,
                    facts,
                    complete.get(hid, {}),
                    installed.get(hid, {}),
                    key=key,
                ),
            )

    def _added(self, hid: int, host: HeldHost) -> None:
        if self._before is not None and hid not in self._before:
            self._before[hid] = self.hosts.get(hid)
        self.hosts[hid] = host

    # -- the end of the transaction --------------------------------------------------------

    def write(self, conn: Connection) -> None:
        """Everything changed, one bulk statement per table, in host order (one lock order for all writers)."""
        changed = [(hid, self.hosts[hid]) for hid in sorted(self.hosts)]
        states = {hid: h.state for hid, h in changed if h.state_changed and (h.stored or h.state)}
        stored = {hid for hid in states if self.hosts[hid].stored}
        firsts = {hid: self.hosts[hid].first_artifact for hid in states if hid not in stored}
        host_titles.save(conn, states, stored, firsts)
        spans = [{"hid": hid, "f": h.first, "l": h.last, "facts": h.facts} for hid, h in changed if h.span_changed]
        if spans:
            conn.execute(_SET_SPAN, spans)
        complete = [(hid, source, h.complete[source]) for hid, h in changed for source in sorted(h.complete_changed)]
        if conn.dialect.name == "postgresql":  # one statement per table, not one per row (dialect.insert_arrays)
            insert_arrays(conn, _SOURCES, ("host_id", "source", "complete_at"), complete, _KEEP_LATER)
            insert_arrays(
                conn, _EXAMS, _EXAM_COLUMNS, [tuple(map(e.__getitem__, _EXAM_COLUMNS)) for e in self.exams], _NEW_EXAMS
            )
            counts = [(c["aid"], c["records"], c["items"], c["problems"], c["sample"]) for c in self.counts]
            update_arrays(conn, _ARTIFACTS, "id", ("records", "items", "problems", "problem_sample"), counts)
        else:
            if complete:
                conn.execute(
                    _upsert_latest(conn),
                    [dict(zip(("host_id", "source", "complete_at"), r, strict=True)) for r in complete],
                )
            if self.exams:
                conn.execute(_exams_insert(conn), self.exams)
            if self.counts:
                conn.execute(_SET_COUNTS, self.counts)
        for hid, host in changed:
            host.stored = host.stored or hid in states
            host.state_changed = host.span_changed = False
            host.complete_changed = frozenset()
        self.exams.clear()
        self.counts.clear()


def _upsert_latest(conn: Connection) -> Any:
    """Insert a host's complete time for a source, or keep the later of the stored one and this."""
    dialect = conn.dialect.name
    if dialect not in _UPSERTS:
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_SOURCES)
        later = case(
            (insert.excluded.complete_at > _SOURCES.c.complete_at, insert.excluded.complete_at),
            else_=_SOURCES.c.complete_at,
        )
        _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=["host_id", "source"], set_={"complete_at": later}
        )
    return _UPSERTS[dialect]


def _exams_insert(conn: Connection) -> Any:
    dialect = conn.dialect.name
    if dialect not in _EXAMS_INSERTS:
        _EXAMS_INSERTS[dialect] = insert_ignoring_conflicts(conn, _EXAMS, ["host_id", "artifact_id", "method"])
    return _EXAMS_INSERTS[dialect]


def _chunks(values: list[Any], size: int = _CHUNK) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
