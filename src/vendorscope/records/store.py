"""Originals, byte-identical, in a content-addressed folder: ``ROOT/ab/cd/<sha256>``.

The folder sits next to an SQLite store (``<db>.records/``); for PostgreSQL, or to put it elsewhere, set
``VENDORSCOPE_RECORDS_DIR`` (or pass ``--records-dir``): ``config.Settings.records_root`` decides. A file is
written under a temporary name and renamed, so an interrupted ingest never leaves a partial original under a
real hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from vendorscope.errors import NotFoundError, StoreError


class Originals:
    """Put and get originals by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: set[Path] = set()  # folders known to exist: one mkdir per folder, not per file

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, sha256: str | None = None) -> str:
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.exists():
            return sha256
        try:
            if target.parent not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(target.parent)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
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
