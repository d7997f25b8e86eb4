"""Import signify, working around oscrypto 1.3.0's OpenSSL version check.

oscrypto (signify's crypto backend) finds libcrypto's version with the pattern
``\\d\\.\\d\\.\\d``, which fails on two-digit patch releases (OpenSSL 3.0.10 and later,
oscrypto issue #78; fixed upstream but not released). While signify is imported we
widen that one pattern; nothing else is touched and the fix is a no-op once oscrypto
ships its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_BROKEN = "\\b(\\d\\.\\d\\.\\d[a-z]*)\\b"
_FIXED = "\\b(\\d+\\.\\d+\\.\\d+[a-z]*)\\b"


@contextmanager
def _wider_version_pattern() -> Iterator[None]:
    original = re.search

    def search(pattern: Any, string: Any, flags: int = 0) -> Any:
        return original(_FIXED if pattern == _BROKEN else pattern, string, flags)

    re.search = search  # type: ignore[assignment]
    try:
        yield
    finally:
        re.search = original


@cache
def load() -> Any:
    """The ``signify.authenticode`` module, or raise ImportError with the reason."""
    with _wider_version_pattern():
        try:
            import signify.authenticode as authenticode
        except Exception as exc:  # oscrypto raises its own LibraryNotFoundError
            raise ImportError(f"signify cannot load: {exc}") from exc
    return authenticode
