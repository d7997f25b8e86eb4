"""Run extraction tasks: inline, on a local process pool (default), or on a Dask distributed cluster.

Submission is windowed so a large corpus never sits in memory (or on the scheduler) all at once, and the
results come back in task order, so two runs over the same inputs give the same outputs. A task that fails
as a whole (a crashed worker) is reported, not raised: the batch goes on.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from vendorscope.sources.worker_life import end_with_parent

T = TypeVar("T")
R = TypeVar("R")


class TaskFailed:
    """Stands in for a result whose task could not run."""

    def __init__(self, task: Any, error: str, cause: BaseException | None = None) -> None:
        self.task = task
        self.error = error
        self.cause = cause


TASKS_PER_WORKER = 8  # submitted and not yet taken: work queued ahead, and room to finish out of order


def run(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    workers: int | None = None,
    dask: str | None = None,
    prepare: Callable[[T], T] | None = None,
    before_pool: Callable[[], None] | None = None,
) -> Iterator[R | TaskFailed]:
    """Results (or TaskFailed) in task order, whatever order the workers finish in: what the caller
    derives from the order (document ids, which copy of a duplicate is kept) is the same on every run.
    ``tasks`` may be a stream (a walk still going on): it is read as results are taken. ``prepare`` runs
    on each task just before a remote submission (e.g. to load the file bytes then, not all at once);
    ``before_pool`` runs once before a local pool forks (imports each worker would otherwise pay for),
    never when the tasks run inline."""
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
    again alone in a fresh process, in its turn, so only the task that crashes on its own is reported as
    failed, and the tasks not yet sent go on in a new pool."""
    queue: Iterator[T] = tasks
    while True:
        unsent: list[T] = []
        with _local_pool(workers) as pool:
            window = workers * TASKS_PER_WORKER
            for outcome in _in_order(lambda t: pool.submit(fn, t), queue, window, unsent):
                if isinstance(outcome, TaskFailed) and isinstance(outcome.cause, BrokenProcessPool):
                    yield _alone(fn, outcome.task)
                else:
                    yield outcome
        if not unsent:
            return
        queue = iter(unsent)


def _local_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers end if this process is killed (they would otherwise wait on their queue forever)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent, initargs=(os.getpid(),))


def _alone(fn: Callable[[T], R], task: T) -> R | TaskFailed:
    """One task in a process of its own: its result, or TaskFailed if that process dies too."""
    with _local_pool(1) as pool:
        try:
            return pool.submit(fn, task).result()
        except Exception as exc:
            return TaskFailed(task, f"{type(exc).__name__}: {exc}")


def _guarded(fn: Callable[[T], R], task: T) -> R | TaskFailed:
    try:
        return fn(task)
    except Exception as exc:
        return TaskFailed(task, f"{type(exc).__name__}: {exc}")


def _in_order(
    submit: Callable[[T], Any], tasks: Iterable[T], window: int, unsent: list[T] | None = None
) -> Iterator[Any | TaskFailed]:
    """Each task's result (a future's), in task order, with at most ``window`` tasks submitted and not yet
    taken: a reorder buffer bounded like the submission window, so memory stays bounded by the batch while
    the workers finish in any order. Once a submission fails (a broken pool), the tasks not yet submitted
    are left in ``unsent`` (or the failure is raised when there is no such list)."""
    outstanding: deque[tuple[Any, T]] = deque()
    queue = iter(tasks)
    broken: BrokenProcessPool | None = None

    def fill() -> None:
        nonlocal broken
        while broken is None and len(outstanding) < window:
            task = next(queue, _END)
            if task is _END:
                return
            try:
                outstanding.append((submit(task), task))
            except BrokenProcessPool as exc:
                if unsent is None:
                    raise
                broken = exc
                unsent.append(task)

    fill()
    while outstanding:
        future, task = outstanding.popleft()
        try:
            outcome: Any = future.result()
        except Exception as exc:
            outcome = TaskFailed(task, f"{type(exc).__name__}: {exc}", exc)
        fill()  # before the caller takes its time over the result: the workers keep busy meanwhile
        yield outcome
    if broken is not None and unsent is not None:
        unsent.extend(queue)


_END: Any = object()


def _run_dask(
    fn: Callable[[T], R], tasks: Iterable[T], address: str, prepare: Callable[[T], T]
) -> Iterator[R | TaskFailed]:
    from distributed import Client

    client = Client(address)
    try:
        window = (sum(client.nthreads().values()) or 1) * TASKS_PER_WORKER
        yield from _in_order(lambda task: client.submit(fn, prepare(task), pure=False), tasks, window)
    finally:
        client.close()
