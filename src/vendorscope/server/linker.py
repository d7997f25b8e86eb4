"""The custody linker of a server process: chains the links agents' pushes left pending, shortly after.

Pushes commit their custody links as pending (store/custody.py ``defer``) so that they do not commit one at
a time behind the chain's head row. This thread chains them every ``INTERVAL`` in one short transaction while
pushes come in, and stops after ``IDLE_ROUNDS`` rounds with nothing to do; the next push starts it again. Of
the store's server processes one links at a time (an advisory lock on PostgreSQL); any other append (an
ingest, a review, a package), ``custody verify`` and the server's start chain what is pending too, so a link
left pending by a stopped server is chained by the next of these.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from vendorscope.store import custody
from vendorscope.store.store import Store

INTERVAL = 0.1  # seconds between rounds while pushes come in
IDLE_ROUNDS = 20  # rounds with nothing pending before the thread stops
log = logging.getLogger(__name__)


class Linker:
    """Starts on demand (``poke``), stops when idle or on ``close``; safe to call from many threads."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._poked = False
        self._closed = threading.Event()

    def poke(self) -> None:
        """A push committed pending links: make sure the thread runs."""
        with self._lock:
            self._poked = True
            if self._thread is None and not self._closed.is_set():
                self._thread = threading.Thread(target=self._run, name="custody-linker", daemon=True)
                self._thread.start()

    def link_now(self) -> int:
        """Chain what is pending, in the calling thread; returns how many links were chained."""
        with self.store.transaction() as conn:
            return custody.link_pending(conn)

    def close(self) -> None:
        """Stop the thread after one last round (a link still left pending is chained by the next append)."""
        self._closed.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        idle = 0
        while True:
            stopping = self._closed.wait(INTERVAL)
            with self._lock:
                poked, self._poked = self._poked, False
            linked = self._round()
            idle = 0 if linked or poked else idle + 1
            with self._lock:
                if stopping or (idle >= IDLE_ROUNDS and not self._poked):
                    self._thread = None
                    return

    def _round(self) -> int:
        try:
            return self.link_now()
        except SQLAlchemyError as exc:  # the next round (or any append) chains them: they stay pending meanwhile
            log.warning("custody linker: %s; the links stay pending and are chained next time", exc)
            return 0
