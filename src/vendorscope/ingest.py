"""Ingest: files → evidence store, one transaction per file.

Every file is hashed first; a hash already in the store means the file was
ingested before and nothing happens (idempotent). A file's records, its new
titles' match verdicts and its artifact row commit together or not at all, so
an interrupted run leaves no partial file and a rerun completes the batch.
Bad lines are skipped and reported with their line number; the rest goes in.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from vendorscope import __version__, sources
from vendorscope.errors import InputError
from vendorscope.findings.title_matches import save_matches
from vendorscope.match.matcher import Matcher
from vendorscope.sources.base import Hints, Observation, Problem
from vendorscope.sources.reader import GZIP_MAGIC, HEAD_BYTES, open_binary, read_head, sha256_of, walk
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
    host_ids: set[int] = field(default_factory=set)  # hosts the file wrote to
    retryable: bool = False  # failed only because a concurrent writer got in the way

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


def ingest_paths(
    store: Store,
    matcher: Matcher,
    paths: list[Path],
    hints: Hints | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    report = IngestReport()
    caches = Caches()
    try:
        files = list(walk(paths))
    except InputError as exc:
        report.files.append(FileResult(exc.path, "failed", problems=[Problem(0, str(exc).split(": ", 1)[1])]))
        files = [p for p in _existing(paths)]
    for path in files:
        result = ingest_file(store, caches, matcher, path, hints or Hints())
        report.files.append(result)
        if progress:
            progress(path, path.stat().st_size if path.exists() else 0)
    return report


def _existing(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.exists():
            found.extend(walk([path]))
    return found


@dataclass
class Blob:
    """One input, from a file or from bytes received over the network, ready to ingest."""

    shown: str  # how messages name it
    path: str  # what the artifact row records as its origin
    sha256: str
    size: int
    head: bytes
    observed: datetime  # the time of observations that carry none
    open: Callable[[], IO[bytes]]  # a fresh, decompressed stream of its content


# Runs inside the artifact's transaction once its records are written; raising undoes the whole file.
AfterWrite = Callable[[Connection, FileResult], None]


def ingest_file(store: Store, caches: Caches, matcher: Matcher, path: Path, hints: Hints) -> FileResult:
    shown = str(path)
    try:
        digest, size = sha256_of(path)
        head = read_head(path)
        observed = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    except (OSError, InputError) as exc:
        return FileResult(shown, "failed", problems=[Problem(0, f"cannot read ({_reason(exc)})")])
    blob = Blob(shown, str(path.resolve()), digest, size, head, observed, lambda: open_binary(path))
    return ingest_blob(store, caches, matcher, blob, hints)


def ingest_bytes(
    store: Store,
    caches: Caches,
    matcher: Matcher,
    data: bytes,
    name: str,
    hints: Hints,
    after: AfterWrite | None = None,
) -> FileResult:
    """Ingest content received as bytes (an agent's push), with the same custody and idempotence as a file."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        with _open_bytes(data) as stream:
            head = stream.read(HEAD_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        return FileResult(name, "failed", sha256=digest, problems=[Problem(0, f"cannot read ({_reason(exc)})")])
    now = datetime.now(UTC).replace(tzinfo=None)
    blob = Blob(name, name, digest, len(data), head, now, lambda: _open_bytes(data))
    return ingest_blob(store, caches, matcher, blob, hints, after)


def _open_bytes(data: bytes) -> IO[bytes]:
    if data[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb")
    return io.BytesIO(data)


def _known_artifact(store: Store, digest: str) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(select(Artifact.id).where(Artifact.sha256 == digest)).scalar_one_or_none()


def ingest_blob(
    store: Store,
    caches: Caches,
    matcher: Matcher,
    blob: Blob,
    hints: Hints,
    after: AfterWrite | None = None,
) -> FileResult:
    """Detect the format, then write the artifact, its records and verdicts in one transaction."""
    known = _known_artifact(store, blob.sha256)
    if known is not None:
        return FileResult(blob.shown, "duplicate", sha256=blob.sha256, artifact_id=known)
    fmt = sources.detect(blob.shown, blob.head)
    if fmt is None:
        names = ", ".join(f.name for f in sources.FORMATS)
        return FileResult(
            blob.shown,
            "failed",
            sha256=blob.sha256,
            problems=[Problem(0, f"format not recognized (vendorscope reads: {names})")],
        )
    result = FileResult(blob.shown, "ingested", format=fmt.name, sha256=blob.sha256)
    try:
        with store.transaction() as conn:
            artifact_id = conn.execute(
                Artifact.__table__.insert().values(
                    sha256=blob.sha256,
                    path=blob.path,
                    size=blob.size,
                    format=fmt.name,
                    ingested_at=datetime.now(UTC).replace(tzinfo=None),
                    tool_version=__version__,
                    records=0,
                    items=0,
                    problems=0,
                    problem_sample=[],
                )
            ).inserted_primary_key[0]
            writer = ArtifactWriter(conn, caches, artifact_id)
            _read_into(fmt, blob, hints, writer, result)
            writer.flush()
            if result.records == 0 and result.problems:
                raise _NothingReadable
            save_matches(conn, matcher, writer.stats.new_titles)
            result.items = writer.stats.items
            result.host_ids = set(writer.stats.hosts)
            result.artifact_id = artifact_id
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
            if after is not None:
                after(conn, result)
    except _NothingReadable:
        caches.forget()
        result.status = "failed"
    except (IntegrityError, OperationalError) as exc:
        caches.forget()
        result.artifact_id, result.host_ids = None, set()
        if _known_artifact(store, blob.sha256) is not None:
            result.status = "duplicate"  # another process ingested the same content meanwhile
        else:  # a conflict with a concurrent writer on other rows (same host, deadlock): nothing was written
            result.status, result.retryable = "failed", True
            result.problems = [Problem(0, f"conflicted with a concurrent ingest, nothing written; retry ({exc.orig})")]
    except BaseException:
        caches.forget()
        raise
    return result


def _read_into(fmt: sources.SourceFormat, blob: Blob, hints: Hints, writer: ArtifactWriter, result: FileResult) -> None:
    with blob.open() as stream:
        records = fmt.parse(stream, blob.shown, hints)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except (EOFError, OSError, zlib.error) as exc:
                result.problems.append(
                    Problem(
                        0,
                        f"truncated or corrupt data ({_reason(exc)}); kept the {result.records} records before it",
                    )
                )
                break
            if isinstance(record, Problem):
                result.problems.append(record)
                continue
            _default_time(record, blob.observed)
            writer.add(record)
            result.records += 1


def _default_time(record: Observation, observed: datetime) -> None:
    """Without a time of its own, an observation is as of the file's modification time."""
    if record.seen_at is None:
        record.seen_at = observed


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
