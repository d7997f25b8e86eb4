"""Windows registry hive files (SOFTWARE, SYSTEM, NTUSER.DAT, Amcache.hve), read offline with regipy.

Detected by the ``regf`` signature whatever the file is called. The host is the SYSTEM hive's
ComputerName, else ``--host``. A SYSTEM hive is the host's whole list of services and drivers;
program lists are additive (an NTUSER.DAT holds one user's programs only).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.collect import windows_registry
from vendorscope.collect.regtree import MAX_HIVE, Key, RegError, open_hive
from vendorscope.errors import InputError
from vendorscope.sources.base import Hints, Observation, Problem, Record
from vendorscope.sources.reader import read_bounded

METHOD = "registry-hive"


def registry_observation(root: Key, hints: Hints, method: str, filename: str) -> Iterator[Record]:
    """One observation of everything a registry tree holds; shared by hives and ``.reg`` exports."""
    try:
        items = list(windows_registry.everything(root))
        host = windows_registry.computer_name(root) or hints.host
    except Exception as exc:  # regipy raises many kinds on damaged cells
        yield Problem(0, f"corrupt registry data ({type(exc).__name__}: {str(exc)[:200]})")
        return
    if not host:
        yield Problem(0, "no computer name in this file (only a SYSTEM hive has one): give --host")
        return
    complete = ("drivers", "services") if windows_registry.control_set(root) is not None else ()
    yield Observation(host=host, items=items, method=method, complete_sources=complete)


class WindowsHive:
    name = "windows-hive"
    description = "Windows registry hive (SOFTWARE, SYSTEM, NTUSER.DAT, Amcache.hve)"

    def identify(self, filename: str, head: bytes) -> bool:
        return head.startswith(b"regf")

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        try:
            root = open_hive(read_bounded(stream, filename, MAX_HIVE))
        except (RegError, InputError) as exc:
            yield Problem(0, str(exc).removeprefix(f"{filename}: "))
            return
        yield from registry_observation(root, hints, METHOD, filename)


FORMAT = WindowsHive()
