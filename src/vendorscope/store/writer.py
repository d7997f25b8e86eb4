"""Writes one artifact's observations into the store, in bulk, inside its transaction.

Hosts and titles are cached in memory (a fleet has far fewer distinct titles
than rows). What a host holds (compact titles, span, complete times, its
installation rows) is loaded once per transaction into ``HeldHosts`` and merged
there; attributed pairs become row inserts and updates at once, the rest is
written when the transaction ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, select, update

from vendorscope.sources.base import TITLE_FIELDS, Item, Observation
from vendorscope.sources.read_ahead import KeyedObservation, TitleBook
from vendorscope.store import host_titles
from vendorscope.store.dialect import (
    bulk_insert,
    insert_missing,
    insert_new,
    time_encoder,
)
from vendorscope.store.held_hosts import HeldHost, HeldHosts
from vendorscope.store.tables import Host, Installation, Meta, Title, TitleMatch

EPOCH = datetime(1970, 1, 1)
_HOSTS = Host.__table__
_TITLES = Title.__table__
_INSTALLS = Installation.__table__
_CHUNK = 500
MATCHED_AS_KEY = "catalog_fingerprint"  # set by a re-match: verdicts (and so the expanded titles) changed
# Given a transaction and the titles it inserted, stores their verdicts and returns the attributed ones.
Attribute = Callable[[Connection, list[tuple[int, Item]]], set[int]]
_SOURCE = itemgetter(3)  # Item.source
_TITLE_COLUMNS = ("key", *TITLE_FIELDS)
_HOST_COLUMNS = ("key", "name", "first_seen", "last_seen", "facts")
# Statements run for every input are built once: building one costs more than SQLite takes to run it.
_IDS = bindparam("ids", expanding=True)
_FINGERPRINT = select(Meta.value).where(Meta.key == MATCHED_AS_KEY)
_SET_HOST_SPANS = (
    update(_HOSTS)
    .where(_HOSTS.c.id == bindparam("hid"))
    .values(first_seen=bindparam("f"), last_seen=bindparam("l"), facts=bindparam("facts"))
)
_ROW = (_INSTALLS.c.host_id == bindparam("h"), _INSTALLS.c.title_id == bindparam("t"))
_REMOVE_ROW = (
    update(_INSTALLS).where(*_ROW).values(present=False, removed_at=bindparam("r"), last_artifact_id=bindparam("a"))
)
_NEWER_ROW = (
    update(_INSTALLS)
    .where(*_ROW)
    .values(
        first_seen=bindparam("f"),
        last_seen=bindparam("l"),
        present=bindparam("p"),
        removed_at=bindparam("r"),
        last_artifact_id=bindparam("a"),
    )
)
_OLDER_ROW = update(_INSTALLS).where(*_ROW).values(first_seen=bindparam("f"))


class _Titled(NamedTuple):
    """An observation with its items as title ids: what the installation merge works on."""

    obs: Observation
    added: Sequence[int]
    removed: Sequence[int]
    sources: Iterable[str]  # of its added items
    removed_sources: Iterable[str]  # of its removed items


def host_key(name: str) -> str:
    return name.strip().lower()


def title_digest(item: Item) -> str:
    return hashlib.sha1("\x1f".join(_as_text(item)).encode("utf-8")).hexdigest()


class Caches:
    """Host and title ids known to the store, loaded once per ingest run."""

    def __init__(self) -> None:
        self.hosts: dict[str, int] = {}
        self.titles: dict[Item, int] = {}
        self.title_source: dict[int, str] = {}
        # Titles kept as installation rows (attributed, or stored so before); the rest go to host_titles.
        self.expanded: set[int] = set()
        self.matched_as: str | None = None  # the catalogs' fingerprint the verdicts were made with
        self.loaded = False
        self.generation = 0  # moves on when ids handed out may have been rolled back (TitleBook.title_ids)
        self.checked: Connection | None = None  # the transaction whose view of the verdicts was checked

    def load_once(self, conn: Connection) -> None:
        """``load``, checked once per connection: a group of inputs shares one transaction and one check."""
        if self.loaded and self.checked is conn:
            return
        self.load(conn)
        self.checked = conn

    def load(self, conn: Connection) -> None:
        """Load once; again when a re-match changed the verdicts (and so which titles are expanded)."""
        fingerprint = self.fingerprint(conn)
        if self.loaded and fingerprint == self.matched_as:
            return
        self.reload(conn, fingerprint)

    @staticmethod
    def fingerprint(conn: Connection) -> str | None:
        return conn.execute(_FINGERPRINT).scalar_one_or_none()

    def reload(self, conn: Connection, fingerprint: str | None) -> None:
        self.hosts = {key: hid for hid, key in conn.execute(select(Host.id, Host.key))}
        cols = [getattr(Title, name) for name in ("id", *TITLE_FIELDS)]
        self.titles = {Item(*row[1:]): row[0] for row in conn.execute(select(*cols))}
        self.title_source = {tid: item.source for item, tid in self.titles.items()}
        self.expanded = set(conn.execute(select(TitleMatch.title_id).distinct()).scalars())
        self.expanded.update(conn.execute(select(Installation.title_id).distinct()).scalars())
        self.matched_as = fingerprint
        self.loaded = True

    def forget(self) -> None:
        """After a rollback the ids it handed out may not exist: start over next time."""
        self.hosts.clear()
        self.titles.clear()
        self.title_source.clear()
        self.expanded.clear()
        self.loaded = False
        self.checked = None
        self.generation += 1


@dataclass
class WriteStats:
    items: int = 0
    new_titles: list[tuple[int, Item]] = field(default_factory=list)
    hosts: set[int] = field(default_factory=set)
    # Hosts whose facts this input changed → their facts before it: the owner they had (orgs/ownership.py).
    prior_facts: dict[int, dict[str, str]] = field(default_factory=dict)


class ArtifactWriter:
    """Accumulates observations of one artifact and flushes them in batches.

    Hosts' compact titles, spans, complete times, examinations go to ``held`` (``store/held_hosts.py``), which
    the caller writes at its transaction's end; without one the writer holds them itself and writes them
    at every flush.
    """

    def __init__(
        self,
        conn: Connection,
        caches: Caches,
        artifact_id: int,
        attribute: Attribute | None = None,
        batch_items: int = 50_000,
        held: HeldHosts | None = None,
    ) -> None:
        self.conn = conn
        self.attribute = attribute
        self.caches = caches
        self.artifact_id = artifact_id
        self.batch_items = batch_items
        self.stats = WriteStats()
        self.held = held if held is not None else HeldHosts()
        self._writes_held = held is None
        self._pending: list[Observation] = []
        self._pending_items = 0
        self.encode_time = time_encoder(conn)
        self.created_hosts: set[int] = set()  # hosts this flush inserted: nothing of theirs to look up
        self._inserted: set[int] = set()  # hosts any flush of this input inserted: they had no facts before it
        caches.load_once(conn)

    def add(self, observation: Observation) -> None:
        self._pending.append(observation)
        if type(observation) is KeyedObservation:
            self._pending_items += len(observation.added_keys) + len(observation.removed_keys)
        else:
            self._pending_items += len(observation.items) + len(observation.removed)
        if self._pending_items >= self.batch_items:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending, self._pending_items = self._pending, [], 0
        host_ids = self._resolve_hosts(batch)
        titled = self._resolve_titles(batch)
        self._write_installations(titled, host_ids)
        self._write_examinations(titled, host_ids)
        if self._writes_held:
            self.held.write(self.conn)

    # -- hosts -----------------------------------------------------------------------------

    def _resolve_hosts(self, batch: list[Observation]) -> dict[str, int]:
        span: dict[str, tuple[datetime | None, datetime | None, str, dict[str, str]]] = {}
        for obs in batch:
            key = host_key(obs.host)
            first, last, name, facts = span.get(key, (None, None, obs.host.strip(), {}))
            when = obs.seen_at
            if when is not None:
                first = when if first is None or when < first else first
                last = when if last is None or when > last else last
            span[key] = (first, last, name, facts | obs.host_facts)
        missing = sorted(k for k in span if k not in self.caches.hosts)
        created: set[str] = set()
        if missing:
            # New hosts go in whole (times, facts); only a host another writer added meanwhile needs the update.
            rows = [(k, span[k][2], span[k][0], span[k][1], span[k][3]) for k in missing]
            for hid, key in self._insert_hosts(rows):
                self.caches.hosts[key] = hid
                created.add(key)
            lost = [k for k in missing if k not in created]
            for chunk in _chunks(lost):
                for hid, key in self.conn.execute(select(Host.id, Host.key).where(Host.key.in_(chunk))):
                    self.caches.hosts[key] = hid
        self.created_hosts = {self.caches.hosts[k] for k in created}
        self._inserted |= self.created_hosts
        for key in created:
            first, last, _name, facts = span[key]
            self.held.create(self.caches.hosts[key], first, last, facts, key)
        known = {self.caches.hosts[k]: v for k, v in span.items() if k not in created}
        if known:
            self.held.hold(self.conn, list(known))
            self._widen_spans(known)
        return {k: self.caches.hosts[k] for k in span}

    def _insert_hosts(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """New hosts (ON CONFLICT DO NOTHING): (id, key) of those inserted. On PostgreSQL over arrays, in the round
        trip of the input's waiting savepoint when it is the input's first statement (most files with new hosts);
        on SQLite through the driver's cursor."""
        return insert_missing(self.conn, _HOSTS, "key", _HOST_COLUMNS, rows)

    def _widen_spans(self, spans: dict[int, tuple[Any, Any, str, dict[str, str]]]) -> None:
        """Widen the held hosts' first/last seen (written at the transaction's end); new facts are written now,
        since device matching (``DeviceHosts``) reads them from the store."""
        facts_now = []
        for hid, (first, last, _name, facts) in spans.items():
            host = self.held.hosts[hid]
            merged = host.facts | facts if facts else host.facts
            new_first, new_last = _min(host.first, first), _max(host.last, last)
            if new_first == host.first and new_last == host.last and merged == host.facts:
                continue  # an input that widens nothing (most of a host's files) changes nothing
            host = self.held.touch(hid)
            new_facts = merged != host.facts
            if new_facts and hid not in self._inserted:
                self.stats.prior_facts.setdefault(hid, host.facts)
            host.first, host.last, host.facts = new_first, new_last, merged
            host.span_changed = not new_facts
            if new_facts:
                facts_now.append({"hid": hid, "f": new_first, "l": new_last, "facts": merged})
        if facts_now:
            self.conn.execute(_SET_HOST_SPANS, facts_now)

    # -- titles ----------------------------------------------------------------------------

    def _resolve_titles(self, batch: list[Observation]) -> list[_Titled]:
        """Every observation with its items as title ids; items parsed ahead come as numbers of their worker's book."""
        plain = [obs for obs in batch if type(obs) is not KeyedObservation]
        books = {id(obs.book): obs.book for obs in batch if type(obs) is KeyedObservation}
        for book in books.values():
            self._resolve_book(book)
        known = self._title_ids(item for obs in plain for items in (obs.items, obs.removed) for item in items)
        titled = []
        for obs in batch:
            if type(obs) is KeyedObservation:
                ids = obs.book.title_ids.__getitem__
                added, removed = list(map(ids, obs.added_keys)), list(map(ids, obs.removed_keys))
                titled.append(_Titled(obs, added, removed, obs.sources, obs.removed_sources))
            else:
                title = known.__getitem__
                added, removed = list(map(title, obs.items)), list(map(title, obs.removed))
                sources, removed_sources = set(map(_SOURCE, obs.items)), set(map(_SOURCE, obs.removed))
                titled.append(_Titled(obs, added, removed, sources, removed_sources))
        return titled

    def _resolve_book(self, book: TitleBook) -> None:
        """Title ids for the items of ``book`` not resolved yet (all of them again after a rollback)."""
        if book.generation != self.caches.generation:
            book.title_ids, book.generation = [], self.caches.generation
        if len(book.title_ids) < len(book.items):
            fresh = book.items[len(book.title_ids) :]
            known = self._title_ids(fresh)
            book.title_ids.extend(map(known.__getitem__, fresh))

    def _title_ids(self, items: Iterable[Item]) -> dict[Item, int]:
        """The caches' title ids, after inserting (and attributing) the titles of ``items`` the store lacks."""
        self.stats.new_titles.extend(resolve_titles(self.conn, self.caches, items, self.attribute))
        return self.caches.titles

    # -- installations ---------------------------------------------------------------------

    def _write_installations(self, batch: list[_Titled], hosts: dict[str, int]) -> None:
        seen: dict[tuple[int, int], list[Any]] = {}  # attributed pair -> [first, last, removed]
        complete: dict[tuple[int, str], datetime] = {}
        earliest: dict[tuple[int, str], datetime] = {}  # per (host, source): oldest evidence in this batch
        held = {hid: self.held.touch(hid) for hid in sorted(set(hosts.values()))}
        had_titles = {hid for hid, host in held.items() if host.state}
        changed: set[int] = set()
        expanded = self.caches.expanded
        for obs, added, removed, added_sources, removed_sources in batch:
            hid = hosts[host_key(obs.host)]
            when = obs.seen_at or EPOCH
            for tids, gone, sources in ((added, False, added_sources), (removed, True, removed_sources)):
                if not tids:
                    continue
                if expanded.isdisjoint(tids):
                    self._merge_compact(held[hid].state, tids, when, gone)
                else:
                    self._merge_compact(held[hid].state, [t for t in tids if t not in expanded], when, gone)
                    for tid in tids:
                        if tid in expanded:
                            _merge_seen(seen, (hid, tid), when, gone)
                changed.add(hid)
                for source in sources:
                    _keep_oldest(earliest, (hid, source), when)
            for source in obs.complete_sources:
                pair = (hid, source)
                complete[pair] = max(complete.get(pair, when), when)
                _keep_oldest(earliest, pair, when)
            self.stats.items += len(added)
            self.stats.hosts.add(hid)
        old = [pair for pair in seen if pair[1] in held[pair[0]].installed]
        self._insert_new(seen, held)
        self._update_old(seen, old, held)
        cutoffs = self._apply_snapshots(complete, earliest, held)
        changed |= self._remove_from_compact(held, had_titles, earliest, cutoffs)
        self._mark_changed(held, changed)

    def _mark_changed(self, held: dict[int, HeldHost], changed: set[int]) -> None:
        """Compact states are written at the transaction's end; a row for a host another transaction made
        goes in now, so that a concurrent writer's conflict on it fails this input, not the whole group."""
        aid = self.artifact_id
        claims: dict[int, host_titles.State] = {}
        for hid in changed:
            host = held[hid]
            host.state_changed = True
            if host.state and not host.stored:
                if host.ours:
                    host.first_artifact = host.first_artifact or aid
                else:
                    claims[hid] = host.state
        if claims:
            host_titles.save(self.conn, claims, set(), aid)
            for hid in claims:
                held[hid].stored, held[hid].state_changed = True, False

    def _merge_compact(self, state: host_titles.State, tids: Sequence[int], when: datetime, removed: bool) -> None:
        """The installation rules (first = earliest, the newest evidence decides presence) on a compact state.

        Titles the host had not shown share one new row (rows are tuples, replaced, never changed in place),
        so only titles already in the state cost a Python step each.
        """
        aid, present, removed_at = self.artifact_id, not removed, when if removed else None
        old = state.keys() & tids if state else ()
        for tid in old:
            first, last, was, was_removed, first_aid, last_aid = state[tid]
            if when < first:
                first = when
            if when >= last:
                last, was, was_removed, last_aid = when, present, removed_at, aid
            state[tid] = (first, last, was, was_removed, first_aid, last_aid)
        row = (when, when, present, removed_at, aid, aid)
        state.update(dict.fromkeys([t for t in tids if t not in old] if old else tids, row))

    def _remove_from_compact(
        self,
        held: dict[int, HeldHost],
        had_titles: set[int],
        earliest: dict[tuple[int, str], datetime],
        cutoffs: dict[tuple[int, str], datetime],
    ) -> set[int]:
        """A complete list removes, as of its time, the unattributed titles older evidence showed (as rows above)."""
        aid = self.artifact_id
        changed: set[int] = set()
        for (hid, source), oldest in earliest.items():
            cutoff, state = cutoffs.get((hid, source)), held[hid].state
            if cutoff is None or not state or (hid not in had_titles and oldest >= cutoff):
                continue  # nothing older than the list on this host
            source_of = self._sources_of(set(state))
            for tid, row in state.items():  # a complete list removes what older evidence showed
                if row[2] and row[1] < cutoff and source_of.get(tid) == source:
                    state[tid] = (row[0], row[1], False, cutoff, row[4], aid)
                    changed.add(hid)
        return changed

    def _sources_of(self, title_ids: set[int]) -> dict[int, str]:
        source_of = self.caches.title_source
        unknown = sorted(t for t in title_ids if t not in source_of)
        for chunk in _chunks(unknown):  # titles another process added since the caches loaded
            source_of.update(dict(self.conn.execute(select(Title.id, Title.source).where(Title.id.in_(chunk))).all()))
        return source_of

    def _insert_new(self, seen: dict[tuple[int, int], list[Any]], held: dict[int, HeldHost]) -> None:
        aid = self.artifact_id
        distinct = {when for state in seen.values() for when in state[:2]}
        times = {when: self.encode_time(when) for when in distinct}
        rows = []
        for (hid, tid), (first, last, removed) in seen.items():
            installed = held[hid].installed
            if tid in installed:
                continue
            installed[tid] = (first, last, not removed, last if removed else None)
            rows.append((hid, tid, times[first], times[last], not removed, times[last] if removed else None, aid, aid))
        rows.sort()  # in key order, the primary-key B-tree is appended to rather than split
        columns = (
            "host_id",
            "title_id",
            "first_seen",
            "last_seen",
            "present",
            "removed_at",
            "first_artifact_id",
            "last_artifact_id",
        )
        bulk_insert(self.conn, _INSTALLS, columns, rows)

    def _update_old(
        self, seen: dict[tuple[int, int], list[Any]], old: list[tuple[int, int]], held: dict[int, HeldHost]
    ) -> None:
        newer_rows, older_rows = [], []
        for hid, tid in old:
            first, last, removed = seen[(hid, tid)]
            installed = held[hid].installed
            old_first, old_last, old_present, old_removed_at = installed[tid]
            keys = {"h": hid, "t": tid, "f": _min(old_first, first)}
            if old_last is None or last >= old_last:
                newer_rows.append(keys | {"l": last, "p": not removed, "r": last if removed else None})
                installed[tid] = (keys["f"], last, not removed, last if removed else None)
            else:
                older_rows.append(keys)  # older evidence only extends how far back the item goes
                installed[tid] = (keys["f"], old_last, old_present, old_removed_at)
        newer_rows.sort(key=lambda r: (r["h"], r["t"]))  # one lock order for concurrent writers: no deadlocks
        older_rows.sort(key=lambda r: (r["h"], r["t"]))
        if newer_rows:
            aid = self.artifact_id
            self.conn.execute(_NEWER_ROW, [row | {"a": aid} for row in newer_rows])
        if older_rows:
            self.conn.execute(_OLDER_ROW, older_rows)

    def _apply_snapshots(
        self,
        complete: dict[tuple[int, str], datetime],
        earliest: dict[tuple[int, str], datetime],
        held: dict[int, HeldHost],
    ) -> dict[tuple[int, str], datetime]:
        """A complete list of a source removes, as of its time, whatever older evidence it no longer shows.

        The newest complete time per (host, source) is kept in ``host_sources``, so evidence older than it,
        arriving later, cannot bring back what that list had already dropped. Returns the cutoff of each
        (host, source) of this batch that has one.
        """
        for (hid, source), when in complete.items():
            host = held[hid]
            stored = host.complete.get(source)
            if stored is None or when > stored:
                host.complete[source] = when
                host.complete_changed = host.complete_changed | {source}
        cutoffs: dict[tuple[int, str], datetime] = {}
        removals = []
        for (hid, source), _oldest in earliest.items():
            host = held[hid]
            cutoff = host.complete.get(source)
            if cutoff is None:
                continue
            cutoffs[(hid, source)] = cutoff
            if not host.installed:
                continue
            source_of = self._sources_of(set(host.installed))
            for tid, (first, last, present, _removed_at) in host.installed.items():
                if present and last < cutoff and source_of.get(tid) == source:
                    host.installed[tid] = (first, last, False, cutoff)
                    removals.append({"h": hid, "t": tid, "r": cutoff, "a": self.artifact_id})
        if removals:  # rows, by key, in key order: one lock order for concurrent writers
            removals.sort(key=lambda r: (r["h"], r["t"]))
            self.conn.execute(_REMOVE_ROW, removals)
        return cutoffs

    def _write_examinations(self, batch: list[_Titled], hosts: dict[str, int]) -> None:
        exams: dict[tuple[int, str], tuple[set[str], datetime | None]] = {}
        for obs, _added, _removed, sources, _removed_sources in batch:
            if not obs.method:
                continue
            pair = (hosts[host_key(obs.host)], obs.method)
            examined, when = exams.get(pair, (set(), None))
            examined.update(obs.complete_sources or [source for source in sources if source])
            exams[pair] = (examined, _max(when, obs.seen_at))
        self.held.exams.extend(
            {
                "host_id": hid,
                "artifact_id": self.artifact_id,
                "method": method,
                "sources": sorted(src),
                "examined_at": when,
            }
            for (hid, method), (src, when) in exams.items()
        )


def resolve_titles(
    conn: Connection, caches: Caches, items: Iterable[Item], attribute: Attribute | None
) -> list[tuple[int, Item]]:
    """Puts the ids of ``items`` in the caches, inserting (and attributing) the titles the store lacks; returns
    the titles this transaction inserted.

    An agent's push calls it in a short transaction of its own before the push's (titles are content-addressed
    and never change), so concurrent pushes do not wait on each other's uncommitted titles.
    """
    known = caches.titles
    new = dict.fromkeys(item for item in items if item not in known)
    inserted: list[tuple[int, Item]] = []
    if not new:
        return inserted
    # Sorted keys keep concurrent writers from deadlocking; only the titles this transaction inserted are its
    # to match (one a concurrent writer inserted is matched in that writer's transaction).
    digests = {title_digest(item): _as_text(item) for item in new}
    rows = [(d, *digests[d]) for d in sorted(digests)]
    for tid, digest in insert_new(conn, _TITLES, "key", _TITLE_COLUMNS, rows):
        item = digests[digest]
        known[item] = tid
        caches.title_source[tid] = item.source
        inserted.append((tid, item))
    if attribute is not None and inserted:
        caches.expanded.update(attribute(conn, inserted))
    missing = [d for d in digests if digests[d] not in known]
    for chunk in _chunks(missing):  # titles a concurrent writer inserted (and attributed) meanwhile
        lost = []
        for tid, digest in conn.execute(select(Title.id, Title.key).where(Title.key.in_(chunk))):
            known[digests[digest]] = tid
            caches.title_source[tid] = digests[digest].source
            lost.append(tid)
        attributed = select(TitleMatch.title_id).where(TitleMatch.title_id.in_(lost)).distinct()
        caches.expanded.update(conn.execute(attributed).scalars())
    for item in new:  # items with non-text values share the title of their text form
        known.setdefault(item, known[_as_text(item)])
    return inserted


def _merge_seen(seen: dict[tuple[int, int], list[Any]], pair: tuple[int, int], when: datetime, removed: bool) -> None:
    state = seen.get(pair)
    if state is None:
        seen[pair] = [when, when, removed]
    else:
        _merge(state, when, removed)


def _merge(state: list[Any], when: datetime, removed: bool) -> None:
    if when < state[0]:
        state[0] = when
    if when >= state[1]:
        state[1] = when
        state[2] = removed


def _keep_oldest(oldest: dict[tuple[int, str], datetime], key: tuple[int, str], when: datetime) -> None:
    if key not in oldest or when < oldest[key]:
        oldest[key] = when


def _as_text(item: Item) -> Item:
    """The item with every field a string (a producer may send numbers)."""
    if all(type(v) is str for v in item):
        return item
    return Item(*("" if v is None else str(v) for v in item))


def _min(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None or a <= b else b


def _max(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None or a >= b else b


def _chunks(values: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
