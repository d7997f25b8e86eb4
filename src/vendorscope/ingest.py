"""Ingest: files → evidence store, one transaction per file.

Every file is hashed first; a hash already in the store means the file was
ingested before and nothing happens (idempotent). A file's records, its new
titles' match verdicts and its artifact row commit together or not at all, so
an interrupted run leaves no partial file and a rerun completes the batch.
Bad lines are skipped and reported with their line number; the rest goes in.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from vendorscope import __version__, sources
from vendorscope.errors import InputError
from vendorscope.findings.title_matches import save_matches
from vendorscope.match.matcher import Matcher
from vendorscope.orgs.writer import OrgsWriter
from vendorscope.sources.base import Hints, NetworkContact, Observation, Problem, Record, artifact_context
from vendorscope.sources.read_ahead import (
    AHEAD_MAX_BYTES,
    AHEAD_MIN_TOTAL,
    AHEAD_WINDOW,
    ReadAhead,
    ahead_size,
    read_records,
)
from vendorscope.sources.reader import read_head, sha256_of, walk
from vendorscope.store.network_writer import NetworkWriter
from vendorscope.store.store import Store
from vendorscope.store.tables import Artifact
from vendorscope.store.writer import ArtifactWriter, Caches

MAX_PROBLEMS_KEPT = 20


@dataclass
class FileResult:
    path: str
    status: str  # ingested | duplicate | failed
    format: str = ""
    sha256: str = ""
    records: int = 0
    items: int = 0
    problems: list[Problem] = field(default_factory=list)
    artifact_id: int | None = None

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
    """Raised inside the transaction to undo a file that yielded no records, only problems."""


Progress = Callable[[Path, int], None]


@dataclass
class _Plan:
    """A file that is to be ingested: what it is and what makes it unique."""

    path: Path
    format: str
    sha256: str
    size: int
    identity: str
    context: str


def ingest_paths(
    store: Store,
    matcher: Matcher,
    paths: list[Path],
    hints: Hints | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders; each file in its own transaction, parsed ahead in a second process."""
    hints = dataclasses.replace(hints or Hints(), contacts=matcher.network_watch)
    report = IngestReport()
    try:
        files = list(walk(paths))
    except InputError as exc:
        report.files.append(FileResult(exc.path, "failed", problems=[Problem(0, str(exc).split(": ", 1)[1])]))
        files = _existing(paths)
    prepared = [_prepare(store, path, hints) for path in files]
    plans = [p for p in prepared if isinstance(p, _Plan)]
    eligible = [p for p in plans if ahead_size(p.path) <= AHEAD_MAX_BYTES]
    ahead = ReadAhead() if len(eligible) >= 2 and sum(p.size for p in eligible) >= AHEAD_MIN_TOTAL else None
    position = {id(p): i for i, p in enumerate(eligible)}
    submitted = 0
    caches = Caches()
    try:
        for entry in prepared:
            if isinstance(entry, _Plan):
                if ahead:  # keep the parser AHEAD_WINDOW files ahead of the writer
                    upto = min(position.get(id(entry), submitted - 1) + 1 + AHEAD_WINDOW, len(eligible))
                    for plan in eligible[submitted:upto]:
                        ahead.submit(plan.format, plan.path, hints)
                    submitted = max(submitted, upto)
                parsed = ahead.take(entry.path) if ahead else None
                records = parsed if parsed is not None else read_records(entry.format, str(entry.path), hints)
                entry = _write_file(store, caches, matcher, entry, records, hints)
            report.files.append(entry)
            if progress:
                progress(Path(entry.path), Path(entry.path).stat().st_size if Path(entry.path).exists() else 0)
    finally:
        if ahead:
            ahead.close()
    return report


def _existing(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.exists():
            found.extend(walk([path]))
    return found


def _prepare(store: Store, path: Path, hints: Hints) -> _Plan | FileResult:
    """Hash and identify a file; a FileResult when there is nothing to ingest (known, unreadable, unknown)."""
    shown = str(path)
    try:
        digest, size = sha256_of(path)
        head = read_head(path)
    except OSError as exc:
        return FileResult(shown, "failed", problems=[Problem(0, f"cannot read ({_reason(exc)})")])
    except InputError as exc:
        return FileResult(shown, "failed", problems=[Problem(0, str(exc).removeprefix(f"{shown}: "))])
    fmt = sources.detect(path.name, head, hints)
    if fmt is None:
        names = ", ".join(f.name for f in sources.FORMATS)
        return FileResult(
            shown, "failed", sha256=digest, problems=[Problem(0, f"format not recognized (vendorscope reads: {names})")]
        )
    context = artifact_context(fmt, shown, hints)
    identity = hashlib.sha256(f"{digest}\0{context}".encode()).hexdigest() if context else digest
    with store.engine.connect() as conn:
        known = conn.execute(select(Artifact.id).where(Artifact.identity == identity)).scalar_one_or_none()
    if known is not None:
        return FileResult(shown, "duplicate", format=fmt.name, sha256=digest, artifact_id=known)
    return _Plan(path, fmt.name, digest, size, identity, context)


def ingest_file(store: Store, caches: Caches, matcher: Matcher, path: Path, hints: Hints) -> FileResult:
    """Ingest one file (streaming, in this process)."""
    plan = _prepare(store, path, hints)
    if isinstance(plan, FileResult):
        return plan
    return _write_file(store, caches, matcher, plan, read_records(plan.format, str(path), hints), hints)


def _write_file(
    store: Store, caches: Caches, matcher: Matcher, plan: _Plan, records: Iterable[Record], hints: Hints
) -> FileResult:
    result = FileResult(str(plan.path), "ingested", format=plan.format, sha256=plan.sha256)
    observed = datetime.fromtimestamp(plan.path.stat().st_mtime, UTC).replace(tzinfo=None)
    try:
        with store.transaction() as conn:
            artifact_id = conn.execute(
                Artifact.__table__.insert().values(
                    identity=plan.identity,
                    sha256=plan.sha256,
                    context=plan.context,
                    path=str(plan.path.resolve()),
                    size=plan.size,
                    format=plan.format,
                    ingested_at=datetime.now(UTC).replace(tzinfo=None),
                    tool_version=__version__,
                    records=0,
                    items=0,
                    problems=0,
                    problem_sample=[],
                )
            ).inserted_primary_key[0]
            writer = ArtifactWriter(conn, caches, artifact_id)
            route = _Router(writer, NetworkWriter(conn, artifact_id), OrgsWriter(conn, artifact_id), observed)
            for record in records:
                if isinstance(record, Problem):
                    result.problems.append(record)
                    continue
                result.records += 1
                route.add(record)
            writer.flush()
            route.network.flush()
            result.problems.extend(route.orgs.flush(result.problems))
            if (result.records == 0 and result.problems) or route.orgs.rejected:
                raise _NothingReadable
            save_matches(conn, matcher, writer.stats.new_titles)
            result.items = writer.stats.items + route.orgs.items
            conn.execute(
                update(Artifact.__table__)
                .where(Artifact.__table__.c.id == artifact_id)
                .values(
                    records=result.records,
                    items=result.items,
                    problems=len(result.problems),
                    problem_sample=[f"{p.line}: {p.message}" for p in result.problems[:MAX_PROBLEMS_KEPT]],
                )
            )
            result.artifact_id = artifact_id
    except _NothingReadable:
        caches.forget()
        result.status = "failed"
    except IntegrityError:
        caches.forget()  # the same file was ingested meanwhile (by another process, or twice in this batch)
        result.status = "duplicate"
    except BaseException:
        caches.forget()
        raise
    return result


@dataclass
class _Router:
    """Sends each record to the writer of its kind: software, network contacts, or organizations."""

    software: ArtifactWriter
    network: NetworkWriter
    orgs: OrgsWriter
    observed: datetime  # the file's time, for records that carry none

    def add(self, record: Record) -> None:
        if isinstance(record, Observation):
            _default_time(record, self.observed)
            self.software.add(record)
        elif isinstance(record, NetworkContact):
            record.first_seen = record.first_seen or self.observed
            record.last_seen = record.last_seen or self.observed
            self.network.add(record)
        else:
            self.orgs.add(record)  # registry, host ownership, purchases: not software evidence


def _default_time(record: Observation, observed: datetime) -> None:
    """Without a time of its own, an observation is as of the file's modification time."""
    if record.seen_at is None:
        record.seen_at = observed


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
