"""What a collection accumulates: items per source, which sources were read or not and why, problems.

Every reader runs through :meth:`Collection.run`, so one failing source (permission denied, a
missing tool, a corrupt file) is recorded and the collection goes on.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from vendorscope.sources.base import TITLE_FIELDS, Item

MAX_PROBLEMS = 1000

Extra = dict[str, Any]
Reader = Callable[["Collection"], Iterable[Item | tuple[Item, Extra]]]


class Unavailable(Exception):
    """A source that does not exist or cannot be read on this system; the message says why."""


@dataclass
class SourceReport:
    name: str
    status: str  # read | unavailable
    reason: str = ""
    items: int = 0
    complete: bool = True  # the items are the host's whole list for this source


@dataclass
class Collection:
    host: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, SourceReport] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        """Note something that could not be read; the collection carries on."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"where": where, "message": message})

    def unavailable(self, name: str, reason: str) -> None:
        self.sources[name] = SourceReport(name, "unavailable", reason)

    def run(self, name: str, reader: Reader, complete: bool = True) -> None:
        """Read one source into the collection; any failure makes it 'unavailable' with the reason."""
        rows: list[dict[str, Any]] = []
        try:
            for entry in reader(self):
                item, extra = (entry, {}) if isinstance(entry, Item) else entry
                rows.append(item_row(item, extra))
        except Unavailable as exc:
            self.unavailable(name, str(exc))
            return
        except OSError as exc:
            self.unavailable(name, os_reason(exc))
            return
        except Exception as exc:  # a reader's bug or odd input must not cost the other sources
            self.unavailable(name, f"failed: {type(exc).__name__}: {str(exc)[:200]}")
            return
        self.items.extend(rows)
        previous = self.sources.get(name)
        count = len(rows) + (previous.items if previous and previous.status == "read" else 0)
        self.sources[name] = SourceReport(name, "read", items=count, complete=complete)


def item_row(item: Item, extra: Extra | None = None) -> dict[str, Any]:
    """An item as a bundle row: only the fields that are set, plus any extra evidence."""
    row: dict[str, Any] = {f: getattr(item, f) for f in TITLE_FIELDS if getattr(item, f)}
    if extra:
        row["extra"] = extra
    return row


def os_reason(exc: OSError) -> str:
    """A short reason for an OS error: 'permission denied: /path' rather than a traceback."""
    if exc.errno == errno.EACCES or isinstance(exc, PermissionError):
        what = "permission denied"
    elif exc.errno == errno.ELOOP:
        what = "symlink loop"
    else:
        what = exc.strerror or type(exc).__name__
    return f"{what}: {exc.filename}" if exc.filename else what
