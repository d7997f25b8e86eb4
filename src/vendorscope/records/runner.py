"""Run extraction tasks: inline, on a local process pool (default), or on a Dask distributed cluster.

Submission is windowed so a large corpus never sits in memory (or on the scheduler) all at once. A task
that fails as a whole (a crashed worker) is reported, not raised: the batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class TaskFailed:
    """Stands in for a result whose task could not run."""

    def __init__(self, task: Any, error: str) -> None:
        self.task = task
        self.error = error


def run(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    workers: int | None = None,
    dask: str | None = None,
    prepare: Callable[[T], T] | None = None,
) -> Iterator[R | TaskFailed]:
    """Results (or TaskFailed) in completion order. ``prepare`` runs on each task just before a remote
    submission (e.g. to load the file bytes then, not all at once)."""
    if dask:
        yield from _run_dask(fn, tasks, dask, prepare or (lambda t: t))
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _guarded(fn, task)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _windowed(lambda t: pool.submit(fn, t), tasks, workers * 4, lambda f: f.result())


def _guarded(fn: Callable[[T], R], task: T) -> R | TaskFailed:
    try:
        return fn(task)
    except Exception as exc:
        return TaskFailed(task, f"{type(exc).__name__}: {exc}")


def _windowed(
    submit: Callable[[T], Any], tasks: Sequence[T], window: int, result: Callable[[Any], R]
) -> Iterator[R | TaskFailed]:
    pending: dict[Any, T] = {}
    queue = iter(tasks)
    for task in queue:
        pending[submit(task)] = task
        if len(pending) >= window:
            break
    while pending:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            task = pending.pop(future)
            try:
                yield result(future)
            except Exception as exc:
                yield TaskFailed(task, f"{type(exc).__name__}: {exc}")
            for nxt in queue:
                pending[submit(nxt)] = nxt
                break


def _run_dask(
    fn: Callable[[T], R], tasks: Sequence[T], address: str, prepare: Callable[[T], T]
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
