"""Document productions made from the web: one volume folder per production, zipped for download.

The volume is what ``vendorscope records produce`` writes (natives, load files, privilege log); here it lands
in the server's data folder (``DATA/productions/<prefix>-<time>/``) and is listed with its Bates range.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vendorscope.errors import NotFoundError

_NAME = re.compile(r"^[A-Za-z0-9_-]+-\d{8}T\d{6}Z$")
Produce = Callable[[Path, str], Any]  # (out_dir, prefix) -> records.produce.ProductionReport


def _root(data: Path) -> Path:
    return data / "productions"


def produce(run: Produce, data: Path, prefix: str) -> tuple[str, Any]:
    """A new production volume under the data folder; its folder name and the production's report."""
    _root(data).mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    target = _root(data) / name
    if target.exists():
        raise NotFoundError(f"a production {name} was made this second; try again")
    report = run(target, prefix)
    return name, report


def listing(data: Path) -> list[dict[str, Any]]:
    """The productions made so far, newest first: name and files."""
    if not _root(data).is_dir():
        return []
    folders = [p for p in _root(data).iterdir() if p.is_dir() and _NAME.match(p.name)]
    return [
        {"name": p.name, "files": sum(1 for f in p.rglob("*") if f.is_file())}
        for p in sorted(folders, key=lambda p: p.name.rsplit("-", 1)[1], reverse=True)
    ]


def zip_path(data: Path, name: str) -> Path:
    """The production ``name`` as a zip (made once; a volume never changes)."""
    folder = _root(data) / name
    if not _NAME.match(name) or not folder.is_dir():
        raise NotFoundError(f"no production {name!r}")
    target = _root(data) / f"{name}.zip"
    if not target.is_file():
        handle, temp = tempfile.mkstemp(prefix=".zip.", dir=_root(data))
        os.close(handle)
        try:
            with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        archive.write(path, path.relative_to(folder).as_posix())
            shutil.move(temp, target)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    return target
