"""A worker process that ends when the process that started it is gone.

A process pool's worker waits on its task queue, and it holds that queue's pipe itself, so it never sees
the end of it: when the ingest that started it is killed (SIGKILL, an out-of-memory kill), the worker would
wait forever. A daemon thread in the worker notices that its parent changed and ends the worker.
"""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 1.0


def end_with_parent(parent: int) -> None:
    """Pool initializer: end this worker once ``parent`` is no longer its parent process."""
    if os.getppid() != parent:  # the parent died before the worker started
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="end-with-parent", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # no cleanup to run: the worker holds no store, files or locks of its own
