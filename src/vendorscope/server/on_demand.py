"""A background thread of a server process that runs while there is work and stops when idle.

The custody linker and the push applier share this life cycle: a request ``poke``s the thread (starting it
if it is not running), the thread runs rounds until it has been idle long enough, and ``close`` stops it
after the round under way. Keeping the start/stop bookkeeping in one place keeps the two from drifting
apart in how they are started, stopped and restarted.
"""

from __future__ import annotations

import threading


class OnDemandThread:
    """Starts on demand (``poke``), stops when idle or on ``close``; safe to call from many threads."""

    thread_name = "on-demand"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._poked = False
        self._closed = threading.Event()

    def poke(self) -> None:
        """There is work: make sure the thread runs."""
        with self._lock:
            self._poked = True
            if self._thread is None and not self._closed.is_set():
                self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop after the round under way (work still left is taken by the next start, or another process)."""
        self._closed.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _take_poke(self) -> bool:
        """Whether the thread was poked since the last call (and clear it)."""
        with self._lock:
            poked, self._poked = self._poked, False
        return poked

    def _stop_if_idle(self, idle: bool) -> bool:
        """End the thread's run when ``idle`` and nobody poked it meanwhile; True when it should return."""
        with self._lock:
            if idle and not self._poked:
                self._thread = None
                return True
        return False

    def _run(self) -> None:
        raise NotImplementedError
