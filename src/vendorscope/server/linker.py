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

from sqlalchemy.exc import SQLAlchemyError

from vendorscope.server.on_demand import OnDemandThread
from vendorscope.store import custody
from vendorscope.store.store import Store

INTERVAL = 0.1  # seconds between rounds while pushes come in
IDLE_ROUNDS = 20  # rounds with nothing pending before the thread stops
log = logging.getLogger(__name__)


class Linker(OnDemandThread):
    """Starts on demand (``poke``: a push committed pending links), stops when idle or on ``close``."""

    thread_name = "custody-linker"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def link_now(self) -> int:
        """Chain what is pending, in the calling thread; returns how many links were chained."""
        with self.store.transaction() as conn:
            return custody.link_pending(conn)

    def _run(self) -> None:
        idle = 0
        while True:
            stopping = self._closed.wait(INTERVAL)
            poked = self._take_poke()
            linked = self._round()
            idle = 0 if linked or poked else idle + 1
            if stopping:  # one last round done (a link still left pending is chained by the next append)
                with self._lock:
                    self._thread = None
                return
            if self._stop_if_idle(idle >= IDLE_ROUNDS):
                return

    def _round(self) -> int:
        try:
            return self.link_now()
        except SQLAlchemyError as exc:  # the next round (or any append) chains them: they stay pending meanwhile
            log.warning("custody linker: %s; the links stay pending and are chained next time", exc)
            return 0
