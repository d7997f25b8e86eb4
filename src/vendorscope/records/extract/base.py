"""What one document format module provides: how to recognize its bytes, and how to read them.

``identify(head, name)`` looks at the first bytes (``HEAD_BYTES``) and the file name and answers how sure
it is: ``CONTENT`` when the bytes themselves say so (magic numbers, structure), ``NAME`` when only the
extension does, ``NO`` otherwise. The registry (``extract/__init__.py``) takes the surest answer, so a
file is read for what it is, not for what it is called: an Outlook message saved without its extension
is a message, a PNG named ``.txt`` is an image.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from vendorscope.records.model import Doc, Limits

HEAD_BYTES = 65536
NO, NAME, CONTENT = 0, 1, 2

Parser = Callable[[bytes, str, Limits, int], list[Doc]]


@dataclass(frozen=True)
class DocumentFormat:
    """One document format: ``name`` (stored as the document's format), ``identify`` and ``parse``.

    ``container``: its parts have their own limits (mail, mailboxes, archives), so the file may be larger.
    ``magic``: the first bytes without which ``identify`` never answers ``CONTENT`` (None: it looks further
    than the first bytes, so it is always asked); ``extensions``: the names it answers ``NAME`` for. The
    registry uses them to ask only the formats that may claim a file, and one lookup for the name
    (``tests/test_records_identify.py`` checks both against asking every format).
    """

    name: str
    identify: Callable[[bytes, str], int]
    parse: Parser
    container: bool = False
    description: str = ""
    magic: tuple[bytes, ...] | None = None
    extensions: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1024)
def extension(name: str) -> str:
    """The lower-cased extension of a file name (``#N`` suffixes of mailbox members removed). Every format
    asks for it, for every file (13 times a file, hence the cache): ``os.path.splitext`` costs a tenth of
    ``PurePath.suffix``."""
    suffix = posixpath.splitext(name.split("#", 1)[0])[1].lower()
    return "" if suffix == "." else suffix
