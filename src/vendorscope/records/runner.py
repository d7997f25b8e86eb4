"""Run extraction tasks: inline, on a local process pool (default), or on a Dask distributed cluster.

Submission is windowed so a large corpus never sits in memory (or on the scheduler) all at once. A task
that fails as a whole (a crashed worker) is reported, not raised: the batch goes on.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class TaskFailed:
    """Stands in for a result whose task could not run."""

    def __init__(self, task: Any, error: str, cause: BaseException | None = None) -> None:
        self.task = task
        self.error = error
        self.cause = cause


def run(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    workers: int | None = None,
    dask: str | None = None,
    prepare: Callable[[T], T] | None = None,
    before_pool: Callable[[], None] | None = None,
) -> Iterator[R | TaskFailed]:
    """Results (or TaskFailed) in completion order. ``tasks`` may be a stream (a walk still going on): it is
    read as workers free up. ``prepare`` runs on each task just before a remote submission (e.g. to load
    the file bytes then, not all at once); ``before_pool`` runs once before a local pool forks (imports
    each worker would otherwise pay for), never when the tasks run inline."""
    if dask:
        yield from _run_dask(fn, tasks, dask, prepare or (lambda t: t))
        return
    workers = workers or os.cpu_count() or 1
    queue = iter(tasks)
    head = list(itertools.islice(queue, 2))
    if workers <= 1 or len(head) <= 1:
        for task in itertools.chain(head, queue):
            yield _guarded(fn, task)
        return
    if before_pool:
        before_pool()
    yield from _pool(fn, itertools.chain(head, queue), workers)


def _pool(fn: Callable[[T], R], tasks: Iterator[T], workers: int) -> Iterator[R | TaskFailed]:
    """The tasks on a local process pool that survives a worker's death. A crash in C code (a PDF, an
    image, HTML) kills its process and breaks the pool, failing every task in flight: each of those is run
    again alone in a fresh process, so only the task that crashes on its own is reported as failed, and
    the tasks not yet sent go on in a new pool."""
    queue: Iterator[T] = tasks
    while True:
        unsent: list[T] = []
        in_flight: list[T] = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for outcome in _windowed(lambda t: pool.submit(fn, t), queue, workers * 4, lambda f: f.result(), unsent):
                if isinstance(outcome, TaskFailed) and isinstance(outcome.cause, BrokenProcessPool):
                    in_flight.append(outcome.task)
                else:
                    yield outcome
        for task in in_flight:
            yield _alone(fn, task)
        if not unsent:
            return
        queue = iter(unsent)


def _alone(fn: Callable[[T], R], task: T) -> R | TaskFailed:
    """One task in a process of its own: its result, or TaskFailed if that process dies too."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(fn, task).result()
        except Exception as exc:
            return TaskFailed(task, f"{type(exc).__name__}: {exc}")


def _guarded(fn: Callable[[T], R], task: T) -> R | TaskFailed:
    try:
        return fn(task)
    except Exception as exc:
        return TaskFailed(task, f"{type(exc).__name__}: {exc}")


def _windowed(
    submit: Callable[[T], Any],
    tasks: Iterable[T],
    window: int,
    result: Callable[[Any], R],
    unsent: list[T] | None = None,
) -> Iterator[R | TaskFailed]:
    """At most ``window`` tasks submitted at once. Once a submission fails (a broken pool), the tasks not
    yet submitted are left in ``unsent`` (or reported failed when there is no such list)."""
    pending: dict[Any, T] = {}
    queue = iter(tasks)
    broken: BaseException | None = None

    def send(task: T) -> None:
        nonlocal broken
        if broken is None:
            try:
                pending[submit(task)] = task
                return
            except BrokenProcessPool as exc:
                broken = exc
        if unsent is None:
            raise broken
        unsent.append(task)

    for task in queue:
        send(task)
        if len(pending) >= window or broken is not None:
            break
    while pending:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            task = pending.pop(future)
            try:
                yield result(future)
            except Exception as exc:
                yield TaskFailed(task, f"{type(exc).__name__}: {exc}", exc)
            for nxt in queue:
                send(nxt)
                break
    if broken is not None and unsent is not None:
        unsent.extend(queue)


def _run_dask(
    fn: Callable[[T], R], tasks: Iterable[T], address: str, prepare: Callable[[T], T]
) -> Iterator[R | TaskFailed]:
    from distributed import Client, as_completed

    client = Client(address)  # as_completed needs it to be the default client
    try:
        window = (sum(client.nthreads().values()) or 1) * 4
        queue = iter(tasks)
        pending: dict[str, T] = {}
        first = []
        for task in queue:
            future = client.submit(fn, prepare(task), pure=False)
            pending[future.key] = task
            first.append(future)
            if len(first) >= window:
                break
        completed = as_completed(first)
        for future in completed:
            task = pending.pop(future.key)
            try:
                yield future.result()
            except Exception as exc:
                yield TaskFailed(task, f"{type(exc).__name__}: {exc}")
            future.release()
            for nxt in queue:
                new = client.submit(fn, prepare(nxt), pure=False)
                pending[new.key] = nxt
                completed.add(new)
                break
    finally:
        client.close()
