"""The error tree: every error a user can cause knows its exit code and HTTP status.

The CLI and the web layer catch :class:`VendorscopeError` and show its message as
one line; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import re


class VendorscopeError(Exception):
    """A problem the user can fix; the message is shown as is, on one line."""

    exit_code = 1
    http_status = 400


class InputError(VendorscopeError):
    """A file that could not be read, with where (``path:line``) it went wrong."""

    exit_code = 2

    def __init__(self, path: str, message: str, line: int = 0) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        message = re.sub(r"\s*[\r\n]+\s*", " ", message)  # one line, even when a library's message has several
        super().__init__(f"{where}: {message}")


class CatalogError(VendorscopeError):
    """A catalog that does not load or does not validate."""

    exit_code = 3


class StoreError(VendorscopeError):
    """The evidence store cannot be opened or migrated."""

    exit_code = 4
    http_status = 503


class NotFoundError(VendorscopeError):
    """Something asked for by name that is not there."""

    exit_code = 5
    http_status = 404


class RefusedError(VendorscopeError):
    """Something the caller may not do or send (an agent pushing the org registry); audited by the caller."""

    exit_code = 6
    http_status = 403


class TooLargeError(InputError):
    """An input past a configured bound (decompressed bytes, items): refused whole, the rest of a batch goes on."""

    http_status = 413
