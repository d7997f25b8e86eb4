"""Windows DHCP Server audit logs (``DhcpSrvLog-Mon.log`` ...): which MAC got which address under which name.

The file starts with a preamble (the event ID legend), then a CSV header ``ID,Date,Time,Description,
IP Address,Host Name,MAC Address,...`` (Windows Server 2008 R2 and later add ``VendorClass(Hex),
VendorClass(ASCII)`` among others). Lease events (10 assign, 11 renew, 12 release, 13 conflict…
read: 10, 11 and 12) give a device. The MAC is written without separators (``4419B63A1021``). Times
are the server's local time, month/day/two-digit year, as written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook, canonical_mac
from vendorscope.sources.reader import decoded_lines

_HEADER_START = "ID,Date,Time,Description,IP Address,Host Name,MAC Address"
_LEASE_EVENTS = {"10", "11", "12"}


class WindowsDhcp:
    name = "windows-dhcp"
    description = "Windows DHCP Server audit log (DhcpSrvLog-*.log)"

    def may_claim(self, head: bytes) -> bool:
        """Both texts ``identify`` looks for, as bytes; a UTF-16 log has NULs between its letters."""
        return b"DHCP" in head or b"ID,Date" in head or b"\x00" in head

    def identify(self, filename: str, head: bytes) -> bool:
        text = head.decode("utf-8", errors="replace").replace("\x00", "")
        return "Microsoft DHCP Service Activity Log" in text or _HEADER_START in text

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook("dhcp")
        columns: list[str] = []
        for number, line in enumerate(decoded_lines(stream, set()), start=1):
            line = line.replace("\x00", "").strip()
            if line.startswith(_HEADER_START):
                columns = [c.strip() for c in line.rstrip(".").split(",")]
                continue
            if not columns or not line or not line[:2].strip().isdigit():
                continue
            cells = next(csv.reader([line]))
            if len(cells) < 7:
                yield Problem(number, f"{len(cells)} columns where the header has {len(columns)}; skipped")
                continue
            row = dict(zip(columns, (c.strip() for c in cells), strict=False))
            problem = _event(row, number, book)
            if problem:
                yield problem
        if not columns:
            yield Problem(0, "no header line (ID,Date,Time,Description,...) found")
        yield from book.observations()


def _event(row: dict[str, str], number: int, book: DeviceBook) -> Problem | None:
    if row.get("ID") not in _LEASE_EVENTS:
        return None
    mac = row.get("MAC Address", "")
    if mac and not canonical_mac(mac):
        return Problem(number, f"bad MAC address {mac[:40]!r}; skipped")
    try:
        when = datetime.strptime(f"{row.get('Date', '')} {row.get('Time', '')}", "%m/%d/%y %H:%M:%S")
    except ValueError:
        return Problem(number, f"bad date or time {row.get('Date', '')!r} {row.get('Time', '')!r}; skipped")
    name = row.get("Host Name", "")
    vendor_class = row.get("VendorClass(ASCII)", "")
    items = [Item(name=name.split(".")[0], identifier=vendor_class, source="dhcp")] if name or vendor_class else []
    book.add(number, mac=mac, ip=row.get("IP Address", ""), name=name, items=items, seen_at=when)
    return None


FORMAT = WindowsDhcp()
