"""What the global options decide, for every command to take.

``vendorscope --db X --catalog Y COMMAND`` builds one ``Session`` in the root callback, puts it on the Typer
context (``ctx.obj``) and makes it the current one; commands ask ``service()`` for the ``Service``, which is
built — and its heavy modules imported — only when a command really needs it, and closed when the command
ends. (Typer bundles its own click, so the current session is kept here rather than looked up through click.)
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vendorscope.config import Settings

if TYPE_CHECKING:
    from vendorscope.service import Service


# The commands that may create a store; every other command reads one, and a store that does not exist is an
# error for it ("no store at …"), never a new, empty store answering "0". A subcommand that creates one
# (`records ingest`) says so with ``allow_new_store()``.
CREATING = frozenset({"ingest", "demo", "serve", "users", "tokens"})


def creates_store(command: str | None) -> bool:
    """Whether the top-level ``command`` may create the store."""
    return command in CREATING


@dataclass
class Session:
    """The settings of one command line (options over environment, read once), and the service built from
    them on first use."""

    settings: Settings = field(default_factory=Settings.load)
    create: bool = True  # False for reading commands: a missing store is an error
    _service: Service | None = None

    @property
    def service(self) -> Service:
        if self._service is None:
            from vendorscope.service import Service

            self._service = Service(settings=self.settings, create=self.create)
        return self._service

    def store_read(self) -> str:
        """The store a reading command used ("" when it opened none), for the line that names it."""
        if self._service is None or self.create or not self._service.store_opened:
            return ""
        return self._service.store_name

    def close(self) -> None:
        if self._service is not None:
            self._service.close()


_current: ContextVar[Session | None] = ContextVar("vendorscope_session", default=None)


def begin(session: Session) -> None:
    """Make ``session`` the one commands get (the root callback calls this)."""
    _current.set(session)


def session() -> Session:
    """The session of the command that is running (a default one when no callback ran, as in unit tests)."""
    current = _current.get()
    if current is None:
        current = Session()
        _current.set(current)
    return current


def service() -> Service:
    """The running command's service."""
    return session().service


def allow_new_store() -> None:
    """The running command writes evidence: it may create the store (call before ``service()``)."""
    session().create = True
