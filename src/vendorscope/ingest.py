"""Ingest: files (or pushed bytes) → evidence store, one transaction per input.

Every input is hashed first; its identity (the hash plus what the bytes do not say themselves, see
``artifact_context``) already in the store means it was ingested before and nothing happens
(idempotent). An input's records, its new titles' verdicts and its artifact row commit together or not
at all, so an interrupted run leaves no partial file and a rerun completes the batch. Bad lines are
skipped and reported with their line number; the rest goes in. Files are parsed a few ahead in a
second process while this one writes.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import itertools
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, OperationalError

from vendorscope import __version__, sources
from vendorscope.errors import InputError, RefusedError
from vendorscope.findings.title_matches import save_matches
from vendorscope.match.matcher import Attribution, Matcher
from vendorscope.orgs.writer import OrgsWriter
from vendorscope.sources.base import Hints, Item, NetworkContact, Observation, Problem, Record
from vendorscope.sources.preparing import PrepareAhead, Prepared, identify, prepare_file
from vendorscope.sources.read_ahead import AHEAD_MAX_BYTES, AHEAD_MIN_TOTAL, ReadAhead, read_records
from vendorscope.sources.reader import GZIP_MAGIC, HEAD_BYTES, open_binary, walk
from vendorscope.store import custody
from vendorscope.store.device_hosts import DeviceHosts
from vendorscope.store.dialect import InputSavepoint
from vendorscope.store.held_hosts import HeldHosts
from vendorscope.store.network_writer import NetworkWriter
from vendorscope.store.store import Store
from vendorscope.store.tables import Artifact, Host
from vendorscope.store.widths import too_long, width
from vendorscope.store.writer import ArtifactWriter, Caches, host_key, resolve_titles

MAX_PROBLEMS_KEPT = 20
# A group of inputs shares one transaction (a savepoint each): commits cost more than most small files.
GROUP_FILES = 500
GROUP_ITEMS = 500_000
GROUP_SECONDS = 2.0
_LOOKUP_CHUNK = 500
_ARTIFACTS = Artifact.__table__
HOST_NAME_MOST = width(Host.key)
# Parsing processes beside the writer: the writer is the slower side (docs/benchmarks.md, issue 13).
AHEAD_WORKERS = 1
PREPARE_CHUNK = 64  # inputs hashed, detected and looked up together, beside the parsing worker ...
PREPARE_BYTES = 8 * 1024 * 1024  # ... or fewer, when they are this large together (hashing is per byte)
# Inputs prepared and waiting to be written, at most (~1 KB each: a plan keeps no head). While the worker is the
# slower side (large logs) the writer prepares the small files that come after them, whose hashing and detection
# would otherwise run when the writer is the slower side.
PREPARED_MOST = 8192
READ_AHEAD_FILES = 128  # files prepared ahead of the writer, in a process of their own (sources/preparing.py)


@dataclass
class FileResult:
    path: str
    status: str  # ingested | duplicate | failed | skipped (a link out of the input folders)
    format: str = ""
    sha256: str = ""
    records: int = 0
    items: int = 0
    problems: list[Problem] = field(default_factory=list)
    artifact_id: int | None = None
    host_ids: set[int] = field(default_factory=set)  # hosts the input wrote to
    prior_facts: dict[int, dict[str, str]] = field(default_factory=dict)  # of hosts whose facts it changed
    # Custody links of records an AfterWrite hook added (an agent's push): appended (or deferred) after the
    # artifact's, at the end of the transaction.
    links: list[custody.Entry] = field(default_factory=list)
    retryable: bool = False  # failed only because a concurrent writer got in the way
    too_large: bool = False  # refused whole: past a bound on decompressed bytes or items (sources/limits.py)

    def messages(self) -> list[str]:
        """One line per problem, ``path:line: message``."""
        return [str(InputError(self.path, p.message, p.line)) for p in self.problems]


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    new_titles: int = 0

    @property
    def ok(self) -> bool:
        return all(f.status != "failed" and not f.problems for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def items(self) -> int:
        return sum(f.items for f in self.files)


class _NothingReadable(Exception):
    """Raised inside the transaction to undo an input that yielded no records, only problems."""

    def __init__(self, result: FileResult) -> None:
        super().__init__(result.path)
        self.result = result


Progress = Callable[[Path, int], None]
# Runs inside the artifact's transaction once its records are written; raising undoes the whole input.
AfterWrite = Callable[[Connection, FileResult], None]


@dataclass
class Blob:
    """One input, from a file or from bytes received over the network, ready to ingest."""

    shown: str  # how messages name it
    origin: str  # what the artifact row records as its origin
    sha256: str
    size: int
    head: bytes
    observed: datetime  # the time of observations that carry none
    open: Callable[[], IO[bytes]]  # a fresh, decompressed stream of its content
    local: Path | None = None  # a file on disk, which the parse-ahead process can open itself


@dataclass
class _Plan:
    """An input that is to be ingested: what it is and what makes it unique."""

    blob: Blob
    format: str
    identity: str
    context: str
    ahead_size: int = 0  # of a file: the memory it may take once parsed (read_ahead.ahead_size)


def ingest_paths(
    store: Store,
    matcher: Matcher | Callable[[], Matcher],
    paths: list[Path],
    hints: Hints | None = None,
    progress: Progress | None = None,
    beside: Iterable[Callable[[], object]] = (),
) -> IngestReport:
    """Ingest files and folders: many files per transaction, each in its own savepoint, parsed ahead.

    ``matcher`` may be a callable that makes it (and brings the store's verdicts up to date with it): it is
    called once the parse worker is starting, so that the two overlap. ``beside``: work the caller needs after
    the ingest and that does not read the store (building what the refresh uses), done when the writer would
    otherwise wait for the parse worker, or at the end when it never does.
    """
    hints = hints or Hints()
    report = IngestReport()
    skipped: list[InputError] = []
    follow = bool(hints and hints.follow_links)
    try:
        files = list(walk(paths, follow, skipped))
    except InputError as exc:
        report.files.append(FileResult(exc.path, "failed", problems=[Problem(0, str(exc).split(": ", 1)[1])]))
        files = _existing(paths, follow, skipped)
    for link in skipped:
        report.files.append(FileResult(link.path, "skipped", problems=[Problem(0, _after_path(link))]))
    ahead = ReadAhead(AHEAD_WORKERS) if _worth_a_worker(files) else None
    preparer: PrepareAhead | None = None
    caches = Caches()
    waiting = list(beside)
    try:
        if ahead:
            ahead.start()
            preparer = PrepareAhead(files, hints, READ_AHEAD_FILES)  # before the matcher: the two overlap
        matcher = matcher() if callable(matcher) else matcher
        hints = _watching(hints, matcher)
        if ahead:
            ahead.hints = hints
        with _Group(store, caches) as group:
            for entry in _prepared(store, files, hints, ahead, preparer):
                if isinstance(entry, _Plan):
                    if waiting and ahead and entry.blob.local and not ahead.ready(entry.blob.local):
                        waiting.pop(0)()  # the worker has not parsed it yet: meanwhile, work from ``beside``
                    parsed = ahead.take(entry.blob.local) if ahead and entry.blob.local else None
                    records = parsed if parsed is not None else _records(entry, hints)
                    entry = group.write(matcher, entry, records)
                report.files.append(entry)
                if progress:
                    progress(Path(entry.path), Path(entry.path).stat().st_size if Path(entry.path).exists() else 0)
        for work in waiting:
            work()
    finally:
        if preparer:
            preparer.close()
        if ahead:
            ahead.close()
    return report


def _worth_a_worker(files: list[Path]) -> bool:
    """Whether parsing in a second process pays for starting it: two files or more, of some size together."""
    if len(files) < 2:
        return False
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # reported when it is prepared
        if total >= AHEAD_MIN_TOTAL:
            return True
    return False


def _prepared(
    store: Store, files: list[Path], hints: Hints, ahead: ReadAhead | None, preparer: PrepareAhead | None
) -> Iterator[_Plan | FileResult]:
    """The inputs in order, hashed, detected and looked up (known ones as duplicates) a chunk at a time.

    Preparing the whole batch before the first parse left the worker idle for seconds on a large fleet. Here a
    chunk is prepared, its new files go to the worker at once, and whenever the worker wants more files or the
    next input's parse is not ready yet, the next chunk is prepared meanwhile: hashing and detection run beside
    parsing, and the writer's waits for the worker become preparation of the files after. At most
    ``PREPARED_MOST`` inputs wait prepared, so memory stays bounded whatever the batch; a chunk is at most
    ``PREPARE_BYTES`` (one file if larger), so the writer looks back at the worker's results every few milliseconds.
    """
    waiting: deque[_Plan | FileResult] = deque()
    for chunk in _chunks(files, hints, preparer):
        for entry in _drop_known(store, chunk):
            waiting.append(entry)
            if ahead and isinstance(entry, _Plan) and entry.blob.local:
                size = entry.ahead_size
                if size <= AHEAD_MAX_BYTES:
                    ahead.add(entry.format, entry.blob.local, size)
        while waiting and (not ahead or len(waiting) >= PREPARED_MOST or not _worth_preparing(ahead, waiting[0])):
            yield waiting.popleft()
    yield from waiting


def _chunks(files: list[Path], hints: Hints, ahead: PrepareAhead | None) -> Iterator[list[_Plan | FileResult]]:
    """The files hashed and detected, ``PREPARE_CHUNK`` at a time or fewer when ``PREPARE_BYTES`` together; each
    chunk is taken when it is asked for. ``ahead``: the files are prepared in a process of their own, ahead
    (sources/preparing.py); without it, here, when asked for."""
    chunk: list[_Plan | FileResult] = []
    size = 0
    prepared = iter(ahead) if ahead is not None else (prepare_file(path, hints) for path in files)
    for path, done in zip(files, prepared, strict=True):
        entry = _entry(path, done)
        chunk.append(entry)
        size += entry.blob.size if isinstance(entry, _Plan) else 0
        if len(chunk) >= PREPARE_CHUNK or size >= PREPARE_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _entry(path: Path, done: Prepared) -> _Plan | FileResult:
    """A prepared file as the writer takes it: a plan, or a failed result (unreadable, not recognized)."""
    if done.problem:
        return FileResult(done.shown, "failed", sha256=done.sha256, problems=[Problem(0, done.problem)])
    assert done.observed is not None
    blob = Blob(done.shown, done.origin, done.sha256, done.size, b"", done.observed, partial(open_binary, path),
                local=path)  # fmt: skip
    return _Plan(blob, done.format, done.identity, done.context, done.ahead_size)


def _worth_preparing(ahead: ReadAhead, entry: _Plan | FileResult) -> bool:
    """Whether to prepare the next chunk before writing ``entry``: the worker wants files, or ``entry`` is not
    parsed yet (the writer would wait)."""
    if ahead.wanting():
        return True
    return isinstance(entry, _Plan) and entry.blob.local is not None and not ahead.ready(entry.blob.local)


def ingest_bytes(
    store: Store,
    caches: Caches,
    matcher: Matcher,
    data: bytes,
    name: str,
    hints: Hints,
    after: AfterWrite | None = None,
    evidence_only: bool = False,
    defer_custody: bool = False,
    titles_first: bool = False,
) -> FileResult:
    """Ingest content received as bytes (an agent's push), with the same custody and idempotence as a file.

    ``evidence_only``: software and network evidence only; a registry, ownership or purchase file (or record)
    raises RefusedError before anything is written. ``defer_custody``: the custody links commit as pending,
    for a linker to chain (store/custody.py): concurrent pushes do not wait for each other on the chain's head.
    ``titles_first``: the new titles (with their verdicts) are inserted in a short transaction of their own
    before the input's, so concurrent writers do not wait for each other's uncommitted titles.
    """
    hints = _watching(hints, matcher)
    # No lookup first: the artifact's unique identity finds a duplicate in the write (one connection, one query less).
    plan = _received(data, name, hints)
    if isinstance(plan, FileResult):
        return plan
    records = _records(plan, hints)
    if evidence_only:
        _refuse_registry(plan.format)
        records = _evidence_only(records)
    if titles_first:
        records = _with_titles_resolved(store, caches, matcher, records)
    return _write(store, caches, matcher, plan, records, after, defer_custody)


def check_received(data: bytes, name: str, hints: Hints, digest: str | None = None) -> FileResult | str:
    """The cheap check of pushed bytes before they are queued, in one reading of their head: a failed result when
    they are unreadable or not recognized; otherwise the first host they name ("" if none), for the intake to
    check against the token's scope. RefusedError for a registry, ownership or purchase file (a format an agent
    may not push). Reads records only up to the first observation (one host's rows). ``digest``: their SHA-256
    when the caller has it already."""
    plan = _received(data, name, hints, digest=digest)
    if isinstance(plan, FileResult):
        return plan
    _refuse_registry(plan.format)
    try:
        for record in _records(plan, hints):
            if isinstance(record, Observation):
                return record.host
            if isinstance(record, NetworkContact):
                return ""
    except Exception:  # whatever a reader makes of it, the applier reports it, on the receipt
        return ""
    return ""


def ingest_received(
    savepoint: InputSavepoint,
    caches: Caches,
    matcher: Matcher,
    data: bytes,
    name: str,
    hints: Hints,
    after: AfterWrite | None = None,
    observed: datetime | None = None,
    titles_from: Store | None = None,
) -> FileResult:
    """A queued push applied inside the caller's transaction, in a savepoint of its own (a group of them commits
    together: server/push.py ``apply_queued``; ``savepoint``: the transaction's, shared by its inputs). Evidence
    only, as ``ingest_bytes(evidence_only=True)``.
    ``titles_from``: its new titles are inserted first through another connection of this store, as
    ``ingest_bytes(titles_first=True)`` does (appliers of other lanes then never wait for this group's titles).

    Nothing of a failed or refused input stays; RefusedError (a registry file or record, the hook's refusal)
    propagates. The custody links of an ingested input (the artifact's, then the hook's) are in ``links``, for
    the caller to append with its commit. ``observed``: the time of records that carry none (when it was received).
    """
    hints = _watching(hints, matcher)
    plan = _received(data, name, hints, observed)
    if isinstance(plan, FileResult):
        return plan
    _refuse_registry(plan.format)
    records = _evidence_only(_records(plan, hints))
    if titles_from is not None:
        records = _with_titles_resolved(titles_from, caches, matcher, records)
    held = HeldHosts()
    body = partial(_write_held, savepoint.conn, savepoint, caches, matcher, plan, records, held, after)
    result = _guarded(caches, plan, body, held, savepoint)
    if result.status == "ingested":
        result.links.insert(0, _custody_entry(plan, result))
    return result


@dataclass
class Unpacked:
    """A queued push read ahead of its group's transaction (server/push.py): the group's new titles go in once,
    its hosts are held once, before any of its pushes is written (``unpack_received``, ``write_unpacked``)."""

    plan: _Plan | None
    failed: FileResult | None = None  # unreadable or not recognized: nothing to write
    head: list[Record] = field(default_factory=list)  # the records read ahead
    rest: Iterator[Record] | None = None  # the records after the bound, still to read (from the bytes)
    error: Exception | None = None  # what reading it ahead raised (a registry record: RefusedError), raised again
    items: int = 0  # items read ahead
    hosts: set[str] = field(default_factory=set)  # the host keys of the records read ahead

    @property
    def identity(self) -> str:
        return self.plan.identity if self.plan is not None else ""


def unpack_received(
    data: bytes, name: str, hints: Hints, matcher: Matcher, observed: datetime, most_items: int
) -> Unpacked:
    """Pushed bytes detected, identified and read ahead, up to ``most_items`` items (the rest is read when
    written): as ``ingest_received`` reads them, evidence only. Nothing is written."""
    hints = _watching(hints, matcher)
    plan = _received(data, name, hints, observed)
    if isinstance(plan, FileResult):
        return Unpacked(None, failed=plan)
    unpacked = Unpacked(plan)
    try:
        _refuse_registry(plan.format)
        stream = iter(_evidence_only(_records(plan, hints)))
        for record in stream:
            unpacked.head.append(record)
            if isinstance(record, Observation):
                unpacked.items += len(record.items) + len(record.removed)
                unpacked.hosts.add(host_key(record.host))
                if unpacked.items >= most_items:
                    unpacked.rest = stream
                    break
            elif isinstance(record, Problem) and record.fatal:  # refused whole by the write
                unpacked.rest = stream
                break
    except Exception as exc:  # raised again when it is written, as reading it there would have
        unpacked.head, unpacked.rest, unpacked.error = [], None, exc
    return unpacked


def received_titles(store: Store, caches: Caches, matcher: Matcher, unpacked: Iterable[Unpacked]) -> None:
    """The new titles of a group of pushes read ahead, with their verdicts, in one short transaction of their own
    (as ``_with_titles_resolved`` does for one push)."""
    items: set[Item] = set()
    for one in unpacked:
        if one.error is None and one.failed is None and not _refused_whole(one):
            for record in one.head:
                if isinstance(record, Observation):
                    items.update(record.items)
                    items.update(record.removed)
    _titles_first(store, caches, matcher, items)


def write_unpacked(
    savepoint: InputSavepoint,
    caches: Caches,
    matcher: Matcher,
    unpacked: Unpacked,
    held: HeldHosts,
    after: AfterWrite | None = None,
) -> FileResult:
    """A push read ahead (``unpack_received``), written as ``ingest_received`` writes one, into ``held``: the
    group's hosts, which the caller writes once for the group (so ``after`` reads the hosts as held, not as
    written). Raises what reading it ahead raised."""
    if unpacked.failed is not None:
        return unpacked.failed
    if unpacked.error is not None:
        raise unpacked.error
    plan = unpacked.plan
    assert plan is not None
    records = itertools.chain(unpacked.head, unpacked.rest or ())
    conn = savepoint.conn

    def body() -> FileResult:
        result = _write_in(conn, savepoint, caches, matcher, plan, records, held)
        if after is not None:
            after(conn, result)
        return result

    result = _guarded(caches, plan, body, held, savepoint)
    if result.status == "ingested":
        result.links.insert(0, _custody_entry(plan, result))
    return result


def _refused_whole(unpacked: Unpacked) -> bool:
    last = unpacked.head[-1] if unpacked.head else None
    return isinstance(last, Problem) and last.fatal


def _received(
    data: bytes, name: str, hints: Hints, observed: datetime | None = None, digest: str | None = None
) -> _Plan | FileResult:
    """Received bytes detected and identified (a failed result when unreadable or not recognized)."""
    digest = digest or hashlib.sha256(data).hexdigest()
    try:
        with _open_bytes(data) as stream:
            head = stream.read(HEAD_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        return FileResult(name, "failed", sha256=digest, problems=[Problem(0, f"cannot read ({_reason(exc)})")])
    when = observed or datetime.now(UTC).replace(tzinfo=None)
    return _prepare(Blob(name, name, digest, len(data), head, when, lambda: _open_bytes(data)), hints)


TITLES_FIRST_ITEMS = 50_000  # items read ahead for their titles: the writer's batch, so memory stays as bounded


def _with_titles_resolved(
    store: Store, caches: Caches, matcher: Matcher, records: Iterable[Record]
) -> Iterable[Record]:
    """The records, the titles of their first ``TITLES_FIRST_ITEMS`` items inserted with their verdicts and
    committed in a short transaction of their own (titles are content-addressed and never change: one that
    outlives a failed or refused input is harmless, and so is a lost race, left to the input's own write)."""
    head: list[Record] = []
    items: set[Item] = set()
    stream = iter(records)
    for record in stream:  # a RefusedError (a registry record) comes out here, before anything is written
        head.append(record)
        if isinstance(record, Observation):
            items.update(record.items)
            items.update(record.removed)
            if len(items) >= TITLES_FIRST_ITEMS:
                break
        elif isinstance(record, Problem) and record.fatal:  # refused whole by the write: no titles for it
            return itertools.chain(head, stream)
    _titles_first(store, caches, matcher, items)
    return itertools.chain(head, stream)  # the rest of the records, if it stopped at the bound


def _titles_first(store: Store, caches: Caches, matcher: Matcher, items: set[Item]) -> None:
    """The titles of ``items`` the store lacks, with their verdicts, in a short transaction of their own."""
    unknown = [item for item in items if item not in caches.titles] if caches.loaded else list(items)
    if not unknown:
        return
    matched = {item: matcher.match(item) for item in unknown}  # before the transaction: no lock held meanwhile
    try:
        with store.engine.connect() as conn, conn.begin():
            _begin(conn)
            caches.load(conn)
            resolve_titles(conn, caches, unknown, partial(_attribute, matcher, matched=matched))
    except (IntegrityError, OperationalError):
        caches.forget()  # its ids were rolled back; the input's write inserts what is still missing


def _refuse_registry(format_name: str) -> None:
    if format_name in sources.REGISTRY_FORMATS:
        raise RefusedError(f"an agent pushes evidence about its hosts; a {format_name} file is the registry's, refused")


def _evidence_only(records: Iterable[Record]) -> Iterator[Record]:
    """The records, refusing any that is not host evidence (a format added later cannot open the registry)."""
    for record in records:
        if not isinstance(record, Observation | NetworkContact | Problem):
            raise RefusedError(f"an agent pushes evidence about its hosts; a {type(record).__name__} is refused")
        yield record


def _watching(hints: Hints | None, matcher: Matcher) -> Hints:
    """The hints plus the catalogs' network filter, so log parsers keep only lines that may match."""
    return dataclasses.replace(hints or Hints(), contacts=matcher.network_watch)


def _open_bytes(data: bytes) -> IO[bytes]:
    if data[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb")
    return io.BytesIO(data)


def _existing(paths: list[Path], follow: bool, skipped: list[InputError]) -> list[Path]:
    present = [path for path in paths if path.exists()]
    skipped.clear()
    return list(walk(present, follow, skipped))


def _after_path(error: InputError) -> str:
    return str(error).removeprefix(f"{error.path}: ")


def _prepare(blob: Blob, hints: Hints) -> _Plan | FileResult:
    """Detect and identify an input; a FileResult when it cannot be ingested (format not recognized)."""
    found = identify(blob.shown, blob.sha256, blob.head, hints)
    if isinstance(found, str):
        return FileResult(blob.shown, "failed", sha256=blob.sha256, problems=[Problem(0, found)])
    return _Plan(blob, *found)


def _drop_known(store: Store, prepared: list[_Plan | FileResult]) -> list[_Plan | FileResult]:
    """Inputs already in the store become "duplicate" results: one lookup for the whole batch."""
    plans = [p for p in prepared if isinstance(p, _Plan)]
    known: dict[str, int] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(plans), _LOOKUP_CHUNK):
            chunk = sorted({p.identity for p in plans[start : start + _LOOKUP_CHUNK]})
            rows = conn.execute(select(Artifact.identity, Artifact.id).where(Artifact.identity.in_(chunk)))
            known.update({identity: aid for identity, aid in rows})
    return [
        FileResult(p.blob.shown, "duplicate", format=p.format, sha256=p.blob.sha256, artifact_id=known[p.identity])
        if isinstance(p, _Plan) and p.identity in known
        else p
        for p in prepared
    ]


def _known_artifact(conn: Connection, identity: str) -> int | None:
    return conn.execute(select(Artifact.id).where(Artifact.identity == identity)).scalar_one_or_none()


def _records(plan: _Plan, hints: Hints) -> Iterable[Record]:
    return read_records(plan.format, plan.blob.shown, hints, opener=plan.blob.open)


class _Group:
    """Many inputs per transaction, each in a savepoint of its own: one commit per group, not per file.

    An input that fails rolls back to its savepoint and leaves nothing; the group commits every
    ``GROUP_FILES`` inputs, ``GROUP_ITEMS`` items or ``GROUP_SECONDS`` (so concurrent writers wait little).
    An exception (an interrupt) undoes the input being written, commits the inputs completed before it,
    and propagates: a rerun finds those as duplicates and completes the batch.

    The hosts the group touches are held in memory for the whole transaction (``HeldHosts``) and written
    once, just before its commit; an input that fails undoes its changes there as well as in the store.
    """

    def __init__(self, store: Store, caches: Caches) -> None:
        self.store, self.caches = store, caches
        self.held = HeldHosts()
        self.conn: Connection | None = None
        self.savepoint: InputSavepoint | None = None
        self.custody: list[custody.Entry] = []  # the group's custody links, appended once, just before its commit
        self.files = self.items = 0
        self.started = 0.0

    def __enter__(self) -> _Group:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if self.conn is None:
            return
        try:
            self._commit()
        except BaseException:
            self._close(commit=False)
            if kind is None:
                raise

    def write(self, matcher: Matcher, plan: _Plan, records: Iterable[Record]) -> FileResult:
        conn, self.savepoint = self._open()
        held = self.held
        saves = self.savepoint
        result = _guarded(
            self.caches, plan, lambda: _write_in(conn, saves, self.caches, matcher, plan, records, held), held, saves
        )
        if result.status == "ingested":
            self.custody.append(_custody_entry(plan, result))
        self.files += 1
        self.items += result.items
        if self.files >= GROUP_FILES or self.items >= GROUP_ITEMS or time.monotonic() - self.started >= GROUP_SECONDS:
            self._commit()
        return result

    def _open(self) -> tuple[Connection, InputSavepoint]:
        if self.conn is None or self.savepoint is None:
            self.conn = self.store.engine.connect()
            self.conn.begin()
            _begin(self.conn)
            self.savepoint = InputSavepoint(self.conn, defer=True)
            self.files = self.items = 0
            self.started = time.monotonic()
        return self.conn, self.savepoint

    def _commit(self) -> None:
        self._close(commit=True)

    def _close(self, commit: bool) -> None:
        conn, saves, self.conn, self.savepoint = self.conn, self.savepoint, None, None
        if conn is None:
            return
        links, self.custody = self.custody, []
        try:
            if commit:
                if saves is not None:
                    saves.flush()  # artifact rows still deferred go before the rows that name them
                self.held.write(conn)
                custody.append(conn, links)
                conn.commit()
            else:
                conn.rollback()
                self.caches.forget()
        finally:
            self.held.clear()
            conn.close()


def _write(
    store: Store,
    caches: Caches,
    matcher: Matcher,
    plan: _Plan,
    records: Iterable[Record],
    after: AfterWrite | None = None,
    defer_custody: bool = False,
) -> FileResult:
    """One input in a transaction of its own."""
    held = HeldHosts()
    with store.engine.connect() as conn, conn.begin():
        _begin(conn)
        saves = InputSavepoint(conn)
        body = partial(_write_held, conn, saves, caches, matcher, plan, records, held, after)
        result = _guarded(caches, plan, body, held, saves)
        if result.status == "ingested":
            links = [_custody_entry(plan, result), *result.links]
            if defer_custody:
                custody.defer(conn, links)
            else:
                custody.append(conn, links)  # the last: see store/custody.py
        return result


def _write_held(
    conn: Connection,
    saves: InputSavepoint,
    caches: Caches,
    matcher: Matcher,
    plan: _Plan,
    records: Iterable[Record],
    held: HeldHosts,
    after: AfterWrite | None,
) -> FileResult:
    """One input's records, then the hosts it holds, then the caller's hook (which reads the hosts as written)."""
    result = _write_in(conn, saves, caches, matcher, plan, records, held)
    held.write(conn)
    if after is not None:
        after(conn, result)
    return result


def _attribute(
    matcher: Matcher,
    conn: Connection,
    titles: list[tuple[int, Item]],
    matched: dict[Item, list[Attribution]] | None = None,
) -> set[int]:
    """New titles' verdicts, stored as they are inserted: attributed titles are written as installation rows."""
    attributed: set[int] = set()
    save_matches(conn, matcher, titles, attributed, matched)
    return attributed


def _begin(conn: Connection) -> None:
    """Start the transaction for real on SQLite.

    pysqlite begins only before the first write, so a SAVEPOINT first would itself become the
    transaction and its RELEASE a commit. IMMEDIATE takes the write lock now, waiting up to the busy timeout.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


start_writing = _begin  # for a writer that groups inputs in its own transaction (the push applier)


def _guarded(
    caches: Caches, plan: _Plan, body: Callable[[], FileResult], held: HeldHosts, savepoint: InputSavepoint
) -> FileResult:
    """Runs ``body`` in a savepoint (``body`` begins it with the artifact row); what it wrote (in the store and in
    ``held``) is undone when it fails, and the failure is reported. Anything but the input's own failure (an
    interrupt) propagates, undone."""
    held.begin_file()
    try:
        result = body()
        savepoint.release()
    except BaseException as exc:
        savepoint.rollback()
        held.undo_file()
        caches.forget()
        if isinstance(exc, _NothingReadable):
            return exc.result
        if isinstance(exc, IntegrityError | OperationalError):
            return _conflicted(savepoint.conn, plan, exc)
        raise
    held.keep_file()
    return result


def _conflicted(conn: Connection, plan: _Plan, exc: IntegrityError | OperationalError) -> FileResult:
    blob = plan.blob
    result = FileResult(blob.shown, "failed", format=plan.format, sha256=blob.sha256)
    known = _known_artifact(conn, plan.identity)
    if known is not None:
        result.status = "duplicate"  # the same input was ingested meanwhile (another process, or twice here)
        result.artifact_id = known
    else:  # a conflict with a concurrent writer on other rows (same host, deadlock): nothing was written
        result.retryable = True
        result.problems = [Problem(0, f"conflicted with a concurrent ingest, nothing written; retry ({exc.orig})")]
    return result


def _write_in(
    conn: Connection,
    savepoint: InputSavepoint,
    caches: Caches,
    matcher: Matcher,
    plan: _Plan,
    records: Iterable[Record],
    held: HeldHosts,
) -> FileResult:
    """Writes one input's artifact row (beginning its savepoint), records and verdicts for its new titles, on
    ``conn``; what it holds in ``held`` (hosts' compact titles, spans, examinations, the artifact's counts) the
    caller writes."""
    blob = plan.blob
    result = FileResult(blob.shown, "ingested", format=plan.format, sha256=blob.sha256)
    artifact_id = savepoint.begin(
        _ARTIFACTS,
        {
            "identity": plan.identity,
            "sha256": blob.sha256,
            "context": plan.context,
            "path": blob.origin,
            "size": blob.size,
            "format": plan.format,
            "ingested_at": datetime.now(UTC).replace(tzinfo=None),
            "tool_version": __version__,
            "records": 0,
            "items": 0,
            "problems": 0,
            "problem_sample": [],
        },
    )
    writer = ArtifactWriter(conn, caches, artifact_id, partial(_attribute, matcher), held=held)
    network, orgs = NetworkWriter(conn, artifact_id), OrgsWriter(conn, artifact_id)
    route = _Router(writer, network, orgs, blob.observed, DeviceHosts(conn))
    for record in records:
        if isinstance(record, Problem):
            if record.fatal:  # past the input's limits: refused whole
                result.status, result.too_large, result.problems, result.records = "failed", True, [record], 0
                raise _NothingReadable(result)
            result.problems.append(record)
            continue
        if isinstance(record, Observation) and len(record.host.strip()) > HOST_NAME_MOST:
            result.problems.append(_host_name_too_long(record))
            continue
        result.records += 1
        route.add(record)
    writer.flush()
    route.network.flush()
    result.problems.extend(route.orgs.flush(result.problems))
    if (result.records == 0 and result.problems) or route.orgs.rejected:
        result.status = "failed"
        raise _NothingReadable(result)
    result.items = writer.stats.items + route.orgs.items
    result.host_ids = set(writer.stats.hosts)
    result.prior_facts = writer.stats.prior_facts
    result.artifact_id = artifact_id
    held.counts.append(
        {
            "aid": artifact_id,
            "records": result.records,
            "items": result.items,
            "problems": len(result.problems),
            "sample": [f"{p.line}: {p.message}" for p in result.problems[:MAX_PROBLEMS_KEPT]],
        }
    )
    return result


def _custody_entry(plan: _Plan, result: FileResult) -> custody.Entry:
    """The custody link of an ingested input: its hash, identity, origin and what it yielded."""
    blob = plan.blob
    facts = {"sha256": blob.sha256, "identity": plan.identity, "context": plan.context, "path": blob.origin,
             "size": blob.size, "format": plan.format, "tool_version": __version__, "records": result.records,
             "items": result.items, "problems": len(result.problems)}  # fmt: skip
    return custody.artifact_entry(result.artifact_id or 0, facts)


@dataclass
class _Router:
    """Sends each record to the writer of its kind: software, network contacts, or organizations."""

    software: ArtifactWriter
    network: NetworkWriter
    orgs: OrgsWriter
    observed: datetime  # the input's time, for records that carry none
    devices: DeviceHosts  # ties devices seen by network tools to hosts already known

    def add(self, record: Record) -> None:
        if isinstance(record, Observation):
            _default_time(record, self.observed)
            if record.host_facts.get("kind") == "device":
                self.devices.tie(record)
            self.software.add(record)
        elif isinstance(record, NetworkContact):
            record.first_seen = record.first_seen or self.observed
            record.last_seen = record.last_seen or self.observed
            self.network.add(record)
        else:
            self.orgs.add(record)  # registry, host ownership, purchases: not software evidence


def _host_name_too_long(record: Observation) -> Problem:
    """A host name the hosts' table cannot key: refused here, on every store alike (PostgreSQL would refuse the
    whole group's insert, SQLite would keep it; a DNS name has at most 253 characters)."""
    return Problem(record.line, f"{too_long([('host', record.host.strip(), HOST_NAME_MOST)])}: record left out")


def _default_time(record: Observation, observed: datetime) -> None:
    """Without a time of its own, an observation is as of the input's time."""
    if record.seen_at is None:
        record.seen_at = observed


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
