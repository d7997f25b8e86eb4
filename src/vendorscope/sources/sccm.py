"""Microsoft SCCM/MECM installed-software exports (Add/Remove Programs views, ``…0`` column names).

``v_Add_Remove_Programs`` / ``v_GS_ADD_REMOVE_PROGRAMS(_64)`` name the program
``DisplayName0`` and the machine by ``ResourceID``; joined with ``v_R_System``
the machine is ``Netbios_Name0`` (or ``Name0`` beside ``DisplayName0``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.sources.asset_csv import header_of, pick, read_mapped
from vendorscope.sources.base import Hints, Record
from vendorscope.sources.reader import peek

METHOD = "sccm"


def _columns(header: list[str]) -> dict[str, str]:
    name = pick(header, "DisplayName0", "ARPDisplayName0", "ProductName0")
    host = pick(header, "Netbios_Name0", "Name0" if name else "", "MachineName", "ComputerName", "ResourceID")
    if not name:
        name = pick(header, "Name0")
    found = {
        "host": host,
        "name": name,
        "publisher": pick(header, "Publisher0"),
        "version": pick(header, "Version0", "ProductVersion0"),
        "identifier": pick(header, "ProdID0", "ProductCode0"),
        "path": pick(header, "InstallLocation0", "InstalledLocation0"),
        "seen_at": pick(header, "TimeStamp", "Timestamp0"),
    }
    return {k: v for k, v in found.items() if v}


class Sccm:
    name = "sccm"
    description = "Microsoft SCCM/MECM Add/Remove Programs export (CSV)"

    def identify(self, filename: str, head: bytes) -> bool:
        columns = _columns(header_of(head))
        return "name" in columns and "publisher" in columns and "host" in columns

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        yield from read_mapped(stream, _columns(header_of(peek(stream))), METHOD, hints)


FORMAT = Sccm()
