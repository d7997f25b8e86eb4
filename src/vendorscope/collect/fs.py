"""Careful file access for collectors: bounded reads, paths kept inside the examined root.

An image or chroot is hostile input: absolute symlinks must resolve inside it, loops must end,
and a huge file where a small config file is expected must not be read whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

MAX_TEXT = 64 * 1024 * 1024  # dpkg status of a large system is a few MiB
MAX_DEPTH = 12


class TooLarge(OSError):
    pass


def inside(root: Path, path: str) -> Path:
    """``path`` (absolute, as on the examined system) under ``root``; never escaping it."""
    return root / path.lstrip("/")


def read_bytes(path: Path, limit: int = MAX_TEXT) -> bytes:
    """The file's bytes, refusing a file larger than ``limit`` (noted by the caller, collection goes on)."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(0, f"larger than {limit // (1024 * 1024)} MiB; skipped", str(path))
    return data


def read_text(path: Path, limit: int = MAX_TEXT) -> str:
    return read_bytes(path, limit).decode("utf-8", errors="replace")


def entries(folder: Path) -> list[Path]:
    """A folder's entries sorted; empty when it does not exist."""
    try:
        return sorted(folder.iterdir())
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        return []


def walk_files(top: Path, on_error: object = None, max_depth: int = MAX_DEPTH) -> Iterator[Path]:
    """Regular files under ``top``, symlinks not followed (no loops), depth bounded, errors reported.

    ``on_error`` is called with each OSError (permission denied, vanished folder) and the walk goes on.
    """
    base = len(top.parts)
    for folder, dirs, files in os.walk(top, onerror=on_error, followlinks=False):  # type: ignore[arg-type]
        if len(Path(folder).parts) - base >= max_depth:
            dirs[:] = []
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if not path.is_symlink():
                yield path
