"""The push applier of a server process: applies the bundles the intake queued, a group per transaction.

A push is answered 202 once its bundle is in the intake (server/intake.py). This thread takes the queued
bundles in the order received, a group at a time, and applies them in one transaction
(server/push.py ``AgentIngest.apply_queued``): each bundle in a savepoint, checked against its token's scope
again, its outcome recorded on its receipt, its hosts' findings refreshed — all committed together, so a
server stopped at any point leaves every bundle either applied with its outcome or still queued. Of the
store's server processes one applies at a time (an advisory lock on PostgreSQL, the write lock on SQLite);
each process's thread runs while there is work, stops after ``IDLE_ROUNDS`` rounds with nothing queued, and
starts again on the next push it receives and when the server starts (the bundles a stopped server left).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from vendorscope.server.on_demand import OnDemandThread

INTERVAL = 0.05  # seconds between rounds while another process applies or nothing is queued yet
IDLE_ROUNDS = 40  # rounds with nothing queued before the thread stops (2 s)
FAILED_ROUND_PAUSE = 0.5  # after a round that failed (a lost connection, a deadlock): its group is queued still
log = logging.getLogger(__name__)

# One round: how many bundles it applied; 0 when nothing is queued; None when another process's applier is at it.
Round = Callable[[], int | None]


class Applier(OnDemandThread):
    """Starts on demand (``poke``: a bundle was queued, or the server started), stops when idle or on ``close``;
    ``wait`` lets a caller see rounds end."""

    thread_name = "push-applier"

    def __init__(self, round_: Round) -> None:
        super().__init__()
        self._round_fn = round_
        self._ended = threading.Condition()
        self.rounds = 0  # rounds that applied something, for waiters

    def wait(self, seconds: float) -> None:
        """Return after the next round that applied something, or after ``seconds``."""
        with self._ended:
            self._ended.wait(seconds)

    def _run(self) -> None:
        idle = 0
        while not self._closed.is_set():
            poked = self._take_poke()
            applied = self._round()
            if applied:
                idle = 0
                with self._ended:
                    self.rounds += 1
                    self._ended.notify_all()
                continue  # more may be queued: no pause
            idle = 0 if poked or applied is None else idle + 1
            if self._stop_if_idle(idle >= IDLE_ROUNDS):
                return
            self._closed.wait(FAILED_ROUND_PAUSE if applied == -1 else INTERVAL)
        with self._lock:
            self._thread = None

    def _round(self) -> int | None:
        try:
            return self._round_fn()
        except SQLAlchemyError as exc:  # the group rolled back whole: its bundles are still queued
            log.warning("push applier: %s; the bundles stay queued and are applied next round", exc)
            return -1
        except Exception:  # a bug must not stop the thread for good: the group rolled back, it is tried again
            log.exception("push applier: the round failed; the bundles stay queued")
            return -1
