"""Opening input files: walking folders, gzip and xz read transparently, hashing, sniffing the head.

gzip and xz are recognized by their magic bytes, not the file name. Decompressed reads are
bounded so that a small hostile file cannot expand without limit (``read_bounded``; xz is also
given a decoder memory limit).
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import lzma
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from vendorscope.errors import InputError, TooLargeError

GZIP_MAGIC = b"\x1f\x8b"
XZ_MAGIC = b"\xfd7zXZ\x00"
XZ_MEMLIMIT = 256 * 1024 * 1024  # decoder memory; real xz files need a few MiB
HEAD_BYTES = 64 * 1024
MAX_WHOLE_FILE = 512 * 1024 * 1024  # formats that must load the whole document (a JSON array)
_SKIP_NAMES = {".DS_Store", "Thumbs.db"}
IGNORE_FILE = ".vendorscopeignore"


def walk(
    paths: list[Path],
    follow_links: bool = False,
    skipped: list[InputError] | None = None,
    roots: list[Path] | None = None,
) -> Iterator[Path]:
    """Every regular file under the given files and folders, in a stable order.

    A symbolic link that leads out of the named folders (``/etc/passwd`` linked into an evidence folder) is
    not followed: it is noted in ``skipped``, one error each, unless ``follow_links``. Links that stay inside
    are read; the paths named themselves are the caller's choice and always read.
    """
    resolved = [p.resolve() for p in (paths if roots is None else roots) if p.is_dir()]
    for path in paths:
        if path.is_dir():
            yield from _walk_folder(path, resolved, follow_links, skipped)
        elif path.exists():
            yield path
        else:
            raise InputError(str(path), "no such file or folder")


def _walk_folder(
    folder: Path, roots: list[Path], follow_links: bool, skipped: list[InputError] | None
) -> Iterator[Path]:
    seen: set[Path] = set()  # real folders walked: a link loop ends here
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        real = Path(root).resolve()
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if _leaves(Path(root) / name, roots, follow_links, skipped) is False:
                kept.append(name)
        dirs[:] = kept
        ignored = ignore_patterns(Path(root))
        for name in sorted(files):
            if name in _SKIP_NAMES or name.startswith(".") or _matches(name, ignored):
                continue
            if not _leaves(Path(root) / name, roots, follow_links, skipped):
                yield Path(root) / name


def walk_in_order(
    paths: list[Path],
    follow_links: bool = False,
    skipped: list[InputError] | None = None,
    roots: list[Path] | None = None,
) -> Iterator[str]:
    """The files of ``walk``, as paths in sorted order (``sorted`` of ``Path`` objects, folder by folder as
    the paths are named), streamed: a folder's entries are sorted, not the whole tree, so the first file
    comes before the walk of a large tree ends (records start extracting while it goes on).

    The same choices as ``walk``: hidden files and folders, ``.vendorscopeignore`` and links out of the
    roots skipped (noted in ``skipped``), links inside read, folder links walked only with
    ``follow_links``; an unreadable folder is passed over. Paths are strings spelled as ``str(Path)``
    spells them: one ``Path`` per folder, not per file (pathlib cost more than the rest of the walk).
    """
    resolved = [p.resolve() for p in (paths if roots is None else roots) if p.is_dir()]
    for path in paths:
        if path.is_dir():
            yield from _in_order(path, resolved, follow_links, skipped, set())
        elif path.exists():
            yield str(path)
        else:
            raise InputError(str(path), "no such file or folder")


def _in_order(
    folder: Path, roots: list[Path], follow_links: bool, skipped: list[InputError] | None, seen: set[Path]
) -> Iterator[str]:
    real = folder.resolve()
    if real in seen:  # a link loop (or a folder linked twice) ends here
        return
    seen.add(real)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    ignored: list[str] | None = None
    base = str(folder)
    prefix = "" if base == "." else base if base.endswith("/") else base + "/"
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        link = entry.is_symlink()
        if _is_dir(entry):
            if link and (_leaves(Path(prefix + name), roots, follow_links, skipped) or not follow_links):
                continue  # os.walk does not enter a folder link unless told to
            yield from _in_order(folder / name, roots, follow_links, skipped, seen)
            continue
        if ignored is None:
            ignored = ignore_patterns(folder)
        if name in _SKIP_NAMES or _matches(name, ignored):
            continue
        if not (link and _leaves(Path(prefix + name), roots, follow_links, skipped)):
            yield prefix + name


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _leaves(path: Path, roots: list[Path], follow_links: bool, skipped: list[InputError] | None) -> bool:
    """Whether ``path`` is a link out of the roots that is not to be followed (and then note it)."""
    if follow_links or not path.is_symlink():
        return False
    target = path.resolve()
    if any(target == root or target.is_relative_to(root) for root in roots):
        return False
    if skipped is not None:
        why = f"symbolic link to {target}, outside the input folders; not followed (--follow-links reads it)"
        skipped.append(InputError(str(path), why))
    return True


def ignore_patterns(folder: Path) -> list[str]:
    """The names and globs listed in ``folder/.vendorscopeignore`` (comments with #)."""
    try:
        text = (folder / IGNORE_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines()[:1000])
    return [line for line in lines if line]


def _matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def sha256_of(path: Path) -> tuple[str, int]:
    """SHA-256 and size of the file as received (compressed or not): the custody record."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> IO[bytes]:
    """A binary stream of the file's content, decompressed when it is gzip or xz."""
    with path.open("rb") as handle:
        magic = handle.read(len(XZ_MAGIC))
    if magic.startswith(GZIP_MAGIC):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if magic == XZ_MAGIC:
        return io.BufferedReader(_XzStream(path.open("rb")), 1 << 16)
    return path.open("rb")


class _XzStream(io.RawIOBase):
    """xz decompression with a decoder memory limit (``lzma.open`` has none: a hostile header could ask for GiBs)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._decoder = lzma.LZMADecompressor(lzma.FORMAT_AUTO, memlimit=XZ_MEMLIMIT)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._decoder.eof:
                return 0
            chunk = self._decoder.decompress(b"" if self._decoder.needs_input is False else self._next(), len(buffer))
            if chunk:
                buffer[: len(chunk)] = chunk
                return len(chunk)

    def _next(self) -> bytes:
        data = self._raw.read(1 << 16)
        if not data:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()


class BoundedStream(io.RawIOBase):
    """Reads through to ``raw`` and raises TooLargeError past ``limit`` bytes (remembered in ``tripped``).

    The one guard of decompressed size for every format: line parsers meet the error as they read, and
    whole-document parsers that turn a read error into a Problem are caught by ``tripped`` afterwards.
    """

    def __init__(self, raw: IO[bytes], limit: int, filename: str, message: str) -> None:
        self._raw = raw
        self._left = limit
        self._filename = filename
        self._message = message
        self.tripped = ""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left < 0:
            self._trip()
        view = memoryview(buffer)
        data = self._raw.read(min(len(view), self._left + 1))
        self._left -= len(data)
        if self._left < 0:
            self._trip()
        view[: len(data)] = data
        return len(data)

    def _trip(self) -> None:
        self.tripped = self._message
        raise TooLargeError(self._filename, self._message)

    def close(self) -> None:
        self._raw.close()
        super().close()


def bounded(stream: IO[bytes], limit: int, filename: str, message: str) -> io.BufferedReader:
    """``stream`` read through a BoundedStream (buffered, so parsers can peek and iterate lines)."""
    return io.BufferedReader(BoundedStream(stream, limit, filename, message), 1 << 16)


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the content; a truncated gzip gives what it has (parsing reports the rest)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(size if not is_gzip(path) else 1 << 20)
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    if raw.startswith(GZIP_MAGIC):
        try:
            return zlib.decompressobj(wbits=31).decompress(raw, size)
        except zlib.error as exc:
            raise InputError(str(path), f"not valid gzip data ({exc})") from exc
    if raw.startswith(XZ_MAGIC):
        try:
            with open_binary(path) as stream:
                return stream.read(size)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise InputError(str(path), f"not valid xz data ({exc})") from exc
    return raw[:size]


def read_bounded(stream: IO[bytes], filename: str, limit: int = MAX_WHOLE_FILE) -> bytes:
    """The whole stream, refusing one that decompresses beyond ``limit``."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(filename, f"larger than {limit // (1024 * 1024)} MiB once decompressed; refused")
    return data


def first_line(head: bytes) -> bytes:
    """The first non-blank line of a head, without a UTF-8 byte-order mark (without splitting the whole head).
    Detection asks for it a dozen times per input, so the last head's is kept (by identity: the head is held,
    so never reused; each asking copied the head's text to strip it)."""
    global _last_first_line
    last_head, line = _last_first_line
    if head is not last_head:
        line = _first_line(head)
        _last_first_line = (head, line)
    return line


_last_first_line: tuple[bytes, bytes] = (b"", b"")


def _first_line(head: bytes) -> bytes:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    end = len(text)
    for newline in (b"\n", b"\r"):
        found = text.find(newline, 0, end)
        if found >= 0:
            end = found
    return text[:end].strip()


def peek(stream: IO[bytes], size: int = HEAD_BYTES) -> bytes:
    """Up to ``size`` bytes from the start of the stream without consuming them (files and gzip can peek)."""
    peeker = getattr(stream, "peek", None)
    return peeker(size)[:size] if peeker else b""


def decoded_lines(stream: IO[bytes], undecodable: set[int]) -> Iterator[str]:
    """UTF-8 lines (BOM dropped); a line that is not UTF-8 is noted by number, so one bad row costs one row."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.add(number)
            yield raw.decode("utf-8", errors="replace")
