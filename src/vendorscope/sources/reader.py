"""Opening input files: walking folders, gzip read transparently, hashing, sniffing the head.

gzip is recognized by its magic bytes, not the file name. Decompressed reads are
bounded so that a small hostile file cannot expand without limit.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vendorscope.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 64 * 1024
MAX_WHOLE_FILE = 512 * 1024 * 1024  # formats that must load the whole document (a JSON array)
_SKIP_NAMES = {".DS_Store", "Thumbs.db"}


def walk(paths: list[Path]) -> Iterator[Path]:
    """Every regular file under the given files and folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name not in _SKIP_NAMES and not name.startswith("."):
                        yield Path(root) / name
        elif path.exists():
            yield path
        else:
            raise InputError(str(path), "no such file or folder")


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
    """A binary stream of the file's content, decompressed when it is gzip."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    try:
        with open_binary(path) as stream:
            return stream.read(size)
    except (OSError, EOFError) as exc:
        raise InputError(str(path), f"cannot read: {exc}") from exc


def read_bounded(stream: IO[bytes], filename: str, limit: int = MAX_WHOLE_FILE) -> bytes:
    """The whole stream, refusing one that decompresses beyond ``limit``."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(filename, f"larger than {limit // (1024 * 1024)} MiB once decompressed; refused")
    return data


def first_line(head: bytes) -> bytes:
    """The first non-blank line of a head, without a UTF-8 byte-order mark."""
    for line in head.removeprefix(b"\xef\xbb\xbf").splitlines():
        if line.strip():
            return line.strip()
    return b""


def peek(stream: IO[bytes], size: int = HEAD_BYTES) -> bytes:
    """Up to ``size`` bytes from the start of the stream without consuming them (files and gzip can peek)."""
    peeker = getattr(stream, "peek", None)
    return peeker(size)[:size] if peeker else b""
