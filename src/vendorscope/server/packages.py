"""Response packages built on the server: one folder per uploaded request, next to the store.

``DATA/requests/<request id>-<time>-<tag>/`` holds the uploaded ``request.yaml`` and the ``package/`` that
``Service.respond`` wrote; the zip offered for download is made once, on first download, next to them. The
data folder is ``config.Settings.server_root()``: ``VENDORSCOPE_SERVER_DIR``, else ``<db>.server/`` next to
an SQLite store (``./vendorscope.server`` for a server database).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from vendorscope.errors import InputError, NotFoundError, VendorscopeError
from vendorscope.respond.package import MANIFEST
from vendorscope.respond.request import MAX_REQUEST_BYTES, load_request

Respond = Callable[[Path, Path], object]  # (request file, package folder): the service's respond

REQUEST_FILE = "request.yaml"
PACKAGE = "package"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


def _requests(root: Path) -> Path:
    return root / "requests"


def build(respond: Respond, root: Path, data: bytes, filename: str) -> dict[str, Any]:
    """Check an uploaded request file and build its package; errors name the uploaded file, not ours."""
    shown = Path(filename).name or REQUEST_FILE
    if len(data) > MAX_REQUEST_BYTES:
        raise VendorscopeError(f"{shown}: larger than {MAX_REQUEST_BYTES} bytes: not a request file")
    _requests(root).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".upload.", dir=_requests(root)))
    try:
        (staging / REQUEST_FILE).write_bytes(data)
        try:
            request = load_request(staging / REQUEST_FILE)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            folder = _requests(root) / f"{request.id}-{stamp}-{secrets.token_hex(2)}"
            respond(staging / REQUEST_FILE, staging / PACKAGE)
        except InputError as exc:
            raise VendorscopeError(str(exc).replace(str(staging / REQUEST_FILE), shown)) from None
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _summary(folder)


def listing(root: Path) -> list[dict[str, Any]]:
    """The packages built so far, newest first."""
    folders = _requests(root).glob(f"*/{PACKAGE}/{MANIFEST}") if _requests(root).is_dir() else []
    return sorted((_summary(m.parent.parent) for m in folders), key=lambda s: s["generated_at"], reverse=True)


def _summary(folder: Path) -> dict[str, Any]:
    manifest = orjson.loads((folder / PACKAGE / MANIFEST).read_bytes())
    return {
        "name": folder.name,
        "request": manifest.get("request", ""),
        "requester": manifest.get("requester", ""),
        "vendor": manifest.get("vendor", ""),
        "items": manifest.get("items", []),
        "generated_at": manifest.get("generated_at", ""),
        "files": len(manifest.get("files", [])) + 1,
        "bytes": sum(f.get("size", 0) for f in manifest.get("files", [])),
    }


def zip_path(root: Path, name: str) -> Path:
    """The package ``name`` as a zip (made on first asking; the package never changes afterwards)."""
    folder = _requests(root) / name
    if not _NAME.match(name) or not (folder / PACKAGE / MANIFEST).is_file():
        raise NotFoundError(f"no package {name!r}")
    target = folder / f"{name}.zip"
    if not target.is_file():
        handle, temp = tempfile.mkstemp(prefix=".zip.", dir=folder)
        os.close(handle)
        try:
            with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted((folder / PACKAGE).rglob("*")):
                    if path.is_file():
                        archive.write(path, path.relative_to(folder / PACKAGE).as_posix())
            os.replace(temp, target)
        finally:
            Path(temp).unlink(missing_ok=True)
    return target
