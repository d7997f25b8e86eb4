"""Preparing an input for ingest: its hash, head and format, and what makes it unique — in a process of its own.

Before an input is parsed or written, ingest needs its SHA-256 (the custody record), its head (to detect the
format), its format and the context that with the hash makes its identity (``artifact_context``). On a large
fleet this was the writer's own work: detection alone cost ~1.1 s for 5,015 files of the writer's thread, and
the thread that hashed beside it took the GIL back at every block it read. ``PrepareAhead`` does the same work
in a second worker process, a few files per task and ahead of the writer, and sends back only what the writer
keeps of an input (``Prepared``: no head). One function (``prepare_file``) prepares a file in either process,
so the answer is the same wherever it runs.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from vendorscope import sources
from vendorscope.errors import InputError
from vendorscope.sources.asset_csv import header_of
from vendorscope.sources.base import Hints, artifact_context
from vendorscope.sources.read_ahead import ahead_size
from vendorscope.sources.reader import read_head, sha256_of
from vendorscope.sources.worker_life import end_with_parent

TASK_FILES = 16  # files per task of the preparing process (a task's results come back together)


class Identified(NamedTuple):
    """An input's format, and its identity: its hash, plus its context when it has one."""

    format: str
    identity: str
    context: str


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the writer keeps of a file it prepared: no head (it served detection)."""

    shown: str  # the path as messages name it
    sha256: str = ""
    size: int = 0
    observed: datetime | None = None  # the time of observations that carry none: the file's
    origin: str = ""  # the resolved path, which the artifact row records
    ahead_size: int = 0  # read_ahead.ahead_size: the memory it may take once parsed
    format: str = ""
    identity: str = ""
    context: str = ""
    problem: str = ""  # why it cannot be ingested (unreadable, not recognized); then nothing above but its hash


def identify(shown: str, sha256: str, head: bytes, hints: Hints) -> Identified | str:
    """Detect an input's format and identify it; the reason in words when no format recognizes it."""
    fmt = sources.detect(shown, head, hints)
    if fmt is None:
        return not_recognized(shown, head, hints)
    context = artifact_context(fmt, shown, hints)
    identity = hashlib.sha256(f"{sha256}\0{context}".encode()).hexdigest() if context else sha256
    return Identified(fmt.name, identity, context)


def prepare_file(path: Path, hints: Hints) -> Prepared:
    """A file hashed, its head read and detected, identified."""
    shown = str(path)
    try:
        digest, size = sha256_of(path)
        head = read_head(path)
        observed = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
        ahead = ahead_size(path)
        origin = str(path.resolve())
    except OSError as exc:
        return Prepared(shown, problem=f"cannot read ({exc.strerror or str(exc) or type(exc).__name__})")
    except InputError as exc:
        return Prepared(shown, problem=str(exc).removeprefix(f"{shown}: "))
    found = identify(shown, digest, head, hints)
    if isinstance(found, str):
        return Prepared(shown, sha256=digest, problem=found)
    return Prepared(shown, digest, size, observed, origin, ahead, *found)


def prepare_files(paths: list[str], hints: Hints) -> list[Prepared]:
    """A task of the preparing process."""
    return [prepare_file(Path(path), hints) for path in paths]


class PrepareAhead:
    """``prepare_file`` of every file, in order, in a worker process, at most ``most`` files ahead of the one taken.

    Started at once (the process takes a moment to import the formats), before the writer's own start-up.
    Closing it cancels the tasks not begun and waits for the one running (``TASK_FILES`` files at most), so an
    interrupted ingest leaves no process behind. Only the user's hints cross: detection and identity read the
    host, organization and mapping, never the catalogs' network filter.
    """

    def __init__(self, files: list[Path], hints: Hints, most: int) -> None:
        self._hints = replace(hints, contacts=None)
        self._files = iter(files)
        self._task = max(1, min(TASK_FILES, most))
        self._most = max(most, self._task)
        self._pending: deque[tuple[Future[list[Prepared]], int]] = deque()
        self._ahead = 0  # files submitted and not taken
        self._pool = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=end_with_parent, initargs=(os.getpid(),)
        )
        self._fill()

    def __iter__(self) -> Iterator[Prepared]:
        try:
            while self._pending:
                future, count = self._pending.popleft()
                results = future.result()
                assert len(results) == count
                for prepared in results:
                    self._ahead -= 1
                    self._fill()
                    yield prepared
        finally:
            self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _fill(self) -> None:
        while self._ahead + self._task <= self._most:
            paths = [str(path) for _, path in zip(range(self._task), self._files, strict=False)]
            if not paths:
                return
            self._submit(paths)

    def _submit(self, paths: list[str]) -> None:
        self._pending.append((self._pool.submit(prepare_files, paths, self._hints), len(paths)))
        self._ahead += len(paths)


def not_recognized(shown: str, head: bytes, hints: Hints) -> str:
    """Why an input was not read, in words: for a CSV, the columns missing and present, and how ``--map`` helps."""
    header = [c for c in header_of(head) if c]
    is_csv = len(header) >= 2 and shown.lower().removesuffix(".gz").endswith((".csv", ".tsv", ".tab", ".txt"))
    if hints.mapping and is_csv:
        missing = [column for _, column in hints.mapping if column not in header]
        if missing:
            return (
                f"--map names {_quoted(missing)}, not in this file's header{_near(missing, header)}; "
                f"columns present: {_quoted(header)}; "
                "name the file's own columns, for example --map name=Program,host=Computer when the software's "
                "name is in a column called Program and the computer's in one called Computer"
            )
        if "name" not in dict(hints.mapping):
            return (
                f"--map needs name=COLUMN for a software list (columns present: {_quoted(header)}): "
                "name the column that holds the software's name"
            )
    if is_csv:
        return (
            "format not recognized: a CSV that no reader knows (a software list needs a column with the "
            f"software's name and one with the host's; columns present: {_quoted(header)}); say which column "
            "holds what with --map, for example --map name=Program,host=Computer when the software's name is in "
            "a column called Program and the computer's in one called Computer (fields: docs/formats.md)"
        )
    names = ", ".join(f.name for f in sources.FORMATS)
    return f"format not recognized (vendorscope reads: {names})"


def _quoted(columns: list[str], most: int = 30) -> str:
    shown = ", ".join(repr(c[:80]) for c in columns[:most])
    return shown + (f" and {len(columns) - most} more" if len(columns) > most else "")


def _near(missing: list[str], header: list[str]) -> str:
    """A column spelled differently only in case: (did you mean 'DisplayName'?)."""
    lowered = {c.casefold(): c for c in header}
    near = [lowered[m.casefold()] for m in missing if m.casefold() in lowered]
    return f" (did you mean {_quoted(near)}? columns are matched as spelled)" if near else ""
