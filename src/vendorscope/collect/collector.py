"""Run a collection: pick the readers for the examined system, gather host facts, build the bundle."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vendorscope.collect import bundle, hostfacts, linux, macos, signing, windows
from vendorscope.collect.model import Collection

# The hook for `--push URL --token T` (server issue): a function that receives the bundle bytes.
Push = Callable[[bytes], None]


@dataclass
class Request:
    root: Path = Path("/")
    windows_root: Path | None = None
    scan: list[Path] = field(default_factory=list)
    host: str = ""  # overrides the discovered host name


def collect(request: Request, now: datetime | None = None) -> dict[str, Any]:
    """The bundle document for one collection."""
    collection = Collection()
    if request.windows_root is not None:
        collection.host.update({"os": "Windows", "examined_root": str(request.windows_root)})
        windows.collect(collection, request.windows_root)
    elif macos.is_macos(request.root) or (sys.platform == "darwin" and str(request.root) == "/"):
        collection.host.update(macos.facts(request.root))
        collection.host.setdefault("hostname", hostfacts.linux_facts(request.root).get("hostname", ""))
        macos.collect(collection, request.root)
    else:
        collection.host.update(hostfacts.linux_facts(request.root))
        linux.collect(collection, request.root)
    if request.scan:
        collection.run("authenticode", lambda c: signing.scan(c, request.scan), complete=False)
    if str(request.root) != "/":
        collection.host["examined_root"] = str(request.root)
    if request.host:
        collection.host["hostname"] = request.host
    when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return bundle.document(collection, when.isoformat().replace("+00:00", "Z"))


def write(doc: dict[str, Any], out: Path, push: Push | None = None) -> bytes:
    """Write the bundle atomically (temp file, then rename) and hand its bytes to ``push`` if given."""
    data = bundle.to_bytes(doc)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(data)
    partial.replace(out)
    if push is not None:
        push(data)
    return data
