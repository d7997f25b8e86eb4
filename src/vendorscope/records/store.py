"""Originals, byte-identical, in a content-addressed folder: ``ROOT/ab/cd/<sha256>``.

The folder sits next to an SQLite store (``<db>.records/``); for PostgreSQL, or to put it elsewhere, set
``VENDORSCOPE_RECORDS_DIR`` (or pass ``--records-dir``): ``config.Settings.records_root`` decides. A file is
written under a temporary name and renamed, so an interrupted ingest never leaves a partial original under a
real hash.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from vendorscope.errors import NotFoundError, StoreError


class Originals:
    """Put and get originals by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        self._folders: set[str] = set()  # folders known to exist: one mkdir per folder, not per file

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, sha256: str | None = None) -> str:
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        folder = os.path.join(self._root, sha256[:2], sha256[2:4])  # str paths: pathlib costs more than the write
        target = os.path.join(folder, sha256)
        if os.path.exists(target):
            return sha256
        tmp = os.path.join(folder, f".tmp-{sha256}-{os.getpid()}")  # unique per writer process and content
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # as mkstemp: originals are private
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except OSError as exc:
            raise StoreError(f"cannot write originals under {self.root}: {exc}") from exc
        return sha256

    def get(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"original {sha256} is missing from {self.root}") from exc
