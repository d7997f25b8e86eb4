"""Records ingest: walk the paths, extract in parallel (process pool or Dask), write in batches.

Each batch of files is one transaction: its originals are in the content-addressed store first, then
its rows and index entries are committed together, so an interrupted ingest leaves nothing half-written
(running the same command again finishes it; files already in the store are skipped).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from vendorscope.errors import InputError
from vendorscope.records import dedup, groups, index, runner
from vendorscope.records.extract import extract, preload
from vendorscope.records.model import Doc, Limits
from vendorscope.records.store import Originals
from vendorscope.records.writer import FileResult, RecordWriter, take_originals
from vendorscope.sources.reader import walk_in_order as files_in_order
from vendorscope.store import dialect
from vendorscope.store.store import Store

FILES_PER_TASK = 32
# A batch (one transaction) ends at whichever comes first. Some of its index keys are random (dedup keys,
# files' SHA-256; near-duplicate bands and threads before their recent levels), so a commit writes pages
# all over those B-trees: 2,048 files a commit cost the writer 22 % less CPU than 512 at 100,000 e-mails
# (docs/benchmarks.md), for about 10 MB more held.
FILES_PER_TRANSACTION = 2048
TEXT_PER_TRANSACTION = 64 * 1024 * 1024  # characters of extracted text held: large documents end a batch sooner
PACK_BYTES = 64 * 1024 * 1024  # a task's originals held before they go to a pack


@dataclass
class Task:
    """Files for one worker call. ``data`` is sent along for remote (Dask) workers; locally they read the path."""

    files: list[tuple[str, str, datetime | None, bytes | None]]  # (real path, shown path, mtime, data)
    limits: Limits
    originals: str | None = None  # the originals folder, when the worker shares our disk: it stores them


MAX_ERRORS = 1_000  # (path, reason) pairs a report keeps; all of them are in the store (`records exceptions`)


@dataclass
class RecordsIngestReport:
    """Counts, and the first ``MAX_ERRORS`` errors: a report's size does not grow with the input."""

    files: int = 0
    skipped: int = 0  # already in the store for this custodian and path
    documents: int = 0
    duplicates: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): the first MAX_ERRORS
    error_count: int = 0  # documents (and files) read with errors, all of them
    threads: int = 0
    near_duplicate_groups: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def add_errors(self, errors: list[tuple[str, str]], first: bool = False, count: int | None = None) -> None:
        """Count the errors (``count`` when more were met than are given) and keep them while the sample has
        room (``first``: before those kept)."""
        self.error_count += len(errors) if count is None else count
        if first:
            self.errors[:0] = errors
            del self.errors[MAX_ERRORS:]
        else:
            self.errors.extend(errors[: max(0, MAX_ERRORS - len(self.errors))])


def extract_task(task: Task) -> list[FileResult]:
    """Worker side: read, hash, extract, sign for near-duplicates, pack the originals (when the worker
    shares our disk). Never raises for file content."""
    results: list[FileResult] = []
    unpacked: list[tuple[str, bytes]] = []  # one pack for the task's originals, not a file (and a folder) each
    held = 0
    for real, shown, mtime, data in task.files:
        if data is None:
            try:
                data = Path(real).read_bytes()
            except OSError as exc:
                results.append(FileResult(shown, "", 0, mtime, b"", [], f"cannot read: {exc.strerror}"))
                continue
        docs = extract(data, shown, task.limits)
        for doc in docs:
            for item in doc.walk():
                item.minhash = dedup.signature(item.text)
        same = len(docs) == 1 and docs[0].data is data
        result = FileResult(shown, hashlib.sha256(data).hexdigest(), len(data), mtime, None if same else data, docs)
        results.append(result)
        if task.originals:
            taken = take_originals(result)
            unpacked.extend(taken)
            held += sum(len(original) for _, original in taken)
            if held >= PACK_BYTES:  # large files: memory stays bounded, a pack is written now
                result.packed.extend(_originals(task.originals).pack(unpacked))
                unpacked, held = [], 0
    if task.originals and unpacked:
        results[-1].packed.extend(_originals(task.originals).pack(unpacked))
    return results


@functools.cache
def _originals(root: str) -> Originals:
    """One per worker process, so its index connection lasts across tasks."""
    return Originals(Path(root))


def ingest_records(
    store: Store,
    originals: Originals,
    paths: list[Path],
    custodian: str,
    workers: int | None = None,
    dask: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[int], None] | None = None,
    ocr: bool = False,
    ocr_languages: str | None = None,
    follow_links: bool = False,
) -> RecordsIngestReport:
    """Ingest files as one custodian's records; ``ocr`` reads scans and images with Tesseract.

    Links out of the named folders are not followed unless ``follow_links``: one error each.
    """
    skipped: list[InputError] = []
    files = walk(paths, follow_links, skipped)
    limits = with_ocr(limits or Limits(), ocr, ocr_languages)
    report = RecordsIngestReport()
    ingest_tasks(store, originals, _tasks(files, limits), custodian, report, workers, dask, progress)
    report.add_errors([(link.path, str(link).removeprefix(f"{link.path}: ")) for link in skipped], first=True)
    return finish(store, report)


def with_ocr(limits: Limits, ocr: bool, languages: str | None) -> Limits:
    if not ocr:
        return limits
    return dataclasses.replace(limits, ocr=True, ocr_languages=languages or limits.ocr_languages)


def finish(store: Store, report: RecordsIngestReport) -> RecordsIngestReport:
    """After every batch: the store's near-duplicate groups and threads, counted (each batch kept them)."""
    with store.engine.connect() as conn:
        report.near_duplicate_groups, report.threads = groups.counts(conn)
    return report


def ingest_tasks(
    store: Store,
    originals: Originals,
    tasks: Iterable[Task],
    custodian: str,
    report: RecordsIngestReport,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Extract the tasks' files (in parallel) and write them as one custodian's, batch by batch."""
    with store.engine.begin() as conn:
        index.ensure(conn)
        groups.rebuild_if_marked(conn)
        writer = RecordWriter(conn, originals)
    originals.sweep()
    if not dask:  # local workers share our disk: each stores its files' originals itself
        tasks = (dataclasses.replace(task, originals=str(originals.root)) for task in tasks)
    pending: list[FileResult] = []
    text = 0  # characters of extracted text pending
    outcomes = runner.run(extract_task, tasks, workers=workers, dask=dask, prepare=with_data, before_pool=_warm)
    for outcome in outcomes:
        results = outcome if isinstance(outcome, list) else _failed(outcome)
        pending.extend(results)
        text += sum(len(item.text) for result in results for doc in result.docs for item in doc.walk())
        if progress:
            progress(len(results))
        if len(pending) >= FILES_PER_TRANSACTION or text >= TEXT_PER_TRANSACTION:
            _write(store, writer, pending, custodian, report)
            pending, text = [], 0
    _write(store, writer, pending, custodian, report)


def _warm() -> None:
    """Before a local pool forks, so that each worker does not import the extractors again, nor numpy."""
    preload()
    dedup.prepare()


def _write(
    store: Store, writer: RecordWriter, results: list[FileResult], custodian: str, report: RecordsIngestReport
) -> None:
    if not results:
        return
    with store.engine.connect() as conn:
        held = _held(conn, results, custodian)
    report.skipped += sum(1 for result in results if (result.sha256, result.path) in held)
    results = [result for result in results if (result.sha256, result.path) not in held]
    if not results:
        return
    # originals first (those no worker packed: Dask's, a crashed task's), listed before the rows that name them
    packed = writer.originals.pack([pair for result in results for pair in take_originals(result)])
    writer.originals.record([*(loc for result in results for loc in result.packed), *packed])
    with store.engine.begin() as conn:
        writer.conn = conn
        writer.prepare(results)
        for result in results:
            new, duplicates, errors = writer.write(result, custodian)
            report.files += 1
            report.documents += new
            report.duplicates += duplicates
            report.add_errors(errors)
        writer.flush()


def _held(conn: Connection, results: list[FileResult], custodian: str) -> set[tuple[str, str]]:
    """(SHA-256, path) of the batch's files the store already lists for this custodian: indexed queries,
    not every file of the store in a set."""
    digests = sorted({result.sha256 for result in results})
    sql = "SELECT sha256, path FROM record_files WHERE custodian = ? AND sha256 IN ({})"
    return {(sha256, path) for sha256, path in dialect.rows_in(conn, sql, digests, custodian)}


def _failed(failure: runner.TaskFailed) -> list[FileResult]:
    """A task that crashed as a whole: each of its files is recorded with the reason, none is lost."""
    task: Task = failure.task
    out = []
    for real, shown, mtime, data in task.files:
        try:
            content = data if data is not None else Path(real).read_bytes()
        except OSError:
            content = b""
        doc = Doc(shown, "unknown", content, error=f"extraction crashed: {failure.error}")
        out.append(FileResult(shown, hashlib.sha256(content).hexdigest(), len(content), mtime, None, [doc]))
    return out


def walk(
    paths: list[Path], follow_links: bool = False, skipped: list[InputError] | None = None
) -> Iterator[tuple[str, datetime | None]]:
    """Files under the paths (recursive, hidden files skipped), in sorted order, with their modification
    time (UTC), read as the tasks are made: extraction starts with the first files instead of after a
    ``stat`` of every file (half a minute at 100,000 files under load).

    Which files is decided now, before anything is written: the names are listed first (strings,
    about 1 µs a file), so an ingest never reads what it writes (its store inside the folder named).
    Links out of the named folders are not followed (``sources.reader.walk``): noted in ``skipped``.
    """
    roots = [p for p in paths if p.is_dir()]
    for path in paths:
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
    # the names on disk, not in a list (a million paths are 100 MB of str); _spooled closes it
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        for file in files_in_order(paths, follow_links, skipped, roots):
            spool.write(os.fsencode(file) + b"\0")  # no path holds a NUL
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return ((file, _mtime(file)) for file in _spooled(spool))


def _spooled(spool: IO[bytes]) -> Iterator[str]:
    """The names written to ``spool``, read back a block at a time; the file is closed (and gone) at the end."""
    with spool:
        rest = b""
        while block := spool.read(1 << 20):
            *names, rest = (rest + block).split(b"\0")
            yield from map(os.fsdecode, names)


def _mtime(file: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(os.stat(file).st_mtime, UTC).replace(tzinfo=None)
    except OSError:
        return None  # a dangling link: its extraction says it cannot be read


def _tasks(files: Iterable[tuple[str, datetime | None]], limits: Limits) -> Iterator[Task]:
    """Tasks of ``FILES_PER_TASK`` files, made as the walk yields them."""
    files = iter(files)
    while chunk := list(itertools.islice(files, FILES_PER_TASK)):
        yield Task([(path, path, mtime, None) for path, mtime in chunk], limits)


def with_data(task: Task) -> Task:
    """The task with its files' bytes, for workers that cannot read our disk (Dask)."""
    entries = []
    for real, shown, mtime, data in task.files:
        try:
            entries.append((real, shown, mtime, data if data is not None else Path(real).read_bytes()))
        except OSError:
            entries.append((real, shown, mtime, None))  # the worker reports it cannot read it
    return Task(entries, task.limits)


def ingest_export(
    store: Store,
    originals: Originals,
    root: Path,
    kind: str,
    custodian: str,
    custodian_from_folder: bool = False,
    workers: int | None = None,
    dask: str | None = None,
    limits: Limits | None = None,
    ocr: bool = False,
    ocr_languages: str | None = None,
) -> RecordsIngestReport:
    """Ingest an export (Google Vault, Purview, a DAT with natives, a folder tree), each item under the
    custodian and original path the export gives it (``exports.py``)."""
    from vendorscope.records import exports

    if not root.is_dir():
        raise InputError(str(root), "an export is a folder")
    limits = with_ocr(limits or Limits(), ocr, ocr_languages)
    report = RecordsIngestReport()
    pending: dict[str, list[tuple[str, str, datetime | None, bytes | None]]] = {}

    def flush(owner: str) -> None:
        entries = pending.pop(owner, [])
        chunks = [entries[start : start + FILES_PER_TASK] for start in range(0, len(entries), FILES_PER_TASK)]
        ingest_tasks(store, originals, [Task(chunk, limits) for chunk in chunks], owner, report, workers, dask)

    problems = exports.Problems(MAX_ERRORS)
    for item in exports.items(root, kind, custodian, problems, custodian_from_folder):
        pending.setdefault(item.custodian, []).append(_entry(item))
        if len(pending[item.custodian]) >= FILES_PER_TRANSACTION:  # memory bounded by the batch, not the export
            flush(item.custodian)
    for owner in sorted(pending):
        flush(owner)
    report.add_errors(problems.kept, first=True, count=problems.count)
    return finish(store, report)


def _entry(item: Any) -> tuple[str, str, datetime | None, bytes | None]:
    if item.path is None:
        return (item.shown, item.shown, None, item.data)
    stamp = datetime.fromtimestamp(os.stat(item.path).st_mtime, UTC).replace(tzinfo=None)
    return (str(item.path), item.shown, stamp, None)
