"""ISC dhcpd as evidence of devices: its lease file (``dhcpd.leases``) and its syslog lines.

``dhcpd.leases`` (dhcpd.leases(5)): ``lease ADDR { ... }`` blocks with ``hardware ethernet MAC;``,
``client-hostname "NAME";``, ``set vendor-class-identifier = "VC";`` and ``starts``/``cltt`` times;
a later block for the same address supersedes an earlier one (the file is append-only). Syslog:
``DHCPACK on ADDR to MAC (NAME) via IF`` and ``DHCPREQUEST for ADDR ... from MAC (NAME)`` lines
(``DHCPDISCOVER``/``DHCPOFFER`` say less and are read the same way). Kea's lease CSV is read by
``kea-dhcp``. Parsed by hand: no maintained Python library reads either text format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook
from vendorscope.sources.reader import decoded_lines

_LEASE = re.compile(r"^\s*lease\s+([0-9a-fA-F.:]+)\s*\{")
_HARDWARE = re.compile(r"^\s*hardware\s+ethernet\s+([0-9a-fA-F:]+)\s*;")
_HOSTNAME = re.compile(r'^\s*client-hostname\s+"((?:[^"\\]|\\.)*)"\s*;')
_VENDOR = re.compile(r'^\s*set\s+vendor-class-identifier\s*=\s*"((?:[^"\\]|\\.)*)"\s*;')
_TIME = re.compile(r"^\s*(?:cltt|starts)\s+\d\s+(\d{4}/\d{2}/\d{2}\s+\d{2}:\d{2}:\d{2})\s*;")
_SYSLOG = re.compile(
    r"\bdhcpd(?:\[\d+\])?:\s+(DHCPACK|DHCPREQUEST|DHCPOFFER|DHCPINFORM)\s+(?:on|for)\s+([0-9.]+)\s+"
    r"(?:\([0-9.]+\)\s+)?(?:to|from)\s+([0-9a-fA-F:]{17})(?:\s+\(([^)]*)\))?"
)
MAX_BLOCK_LINES = 200


class IscDhcp:
    name = "isc-dhcp"
    description = "ISC dhcpd lease file (dhcpd.leases) or dhcpd syslog lines"

    def may_claim(self, head: bytes) -> bool:
        """Every expression ``identify`` tries has one of these: "dhcpd", or "lease" at a line's start (anywhere
        was too loose: a software list's "release" made detection run both expressions)."""
        text = head[:16384]
        return b"dhcpd" in text or text.startswith(b"lease") or b"\nlease" in text

    def identify(self, filename: str, head: bytes) -> bool:
        text = head[:16384]
        leases = b"dhcpd.leases" in text or bool(re.search(rb"(?m)^lease\s+[0-9a-fA-F.:]+\s*\{", text))
        return leases or bool(re.search(rb"dhcpd(?:\[\d+\])?:\s+DHCP(?:ACK|REQUEST|OFFER)\s", text))

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook("dhcp")
        block: _Lease | None = None
        for number, line in enumerate(decoded_lines(stream, set()), start=1):
            if block is not None:
                if line.strip().startswith("}"):
                    block.close(book)
                    block = None
                elif number - block.line > MAX_BLOCK_LINES:
                    yield Problem(block.line, f"lease block not closed within {MAX_BLOCK_LINES} lines; skipped")
                    block = None
                else:
                    block.read(line)
                continue
            opened = _LEASE.match(line)
            if opened:
                block = _Lease(number, opened.group(1))
                continue
            problem = _syslog(line, number, book)
            if problem:
                yield problem
        if block is not None:
            yield Problem(block.line, "lease block not closed at the end of the file; skipped")
        yield from book.observations()


class _Lease:
    def __init__(self, line: int, address: str) -> None:
        self.line, self.address = line, address
        self.mac = self.hostname = self.vendor = ""
        self.when: datetime | None = None

    def read(self, line: str) -> None:
        for pattern, attribute in ((_HARDWARE, "mac"), (_HOSTNAME, "hostname"), (_VENDOR, "vendor")):
            found = pattern.match(line)
            if found:
                setattr(self, attribute, found.group(1))
        found = _TIME.match(line)
        if found:
            self.when = datetime.strptime(found.group(1), "%Y/%m/%d %H:%M:%S")

    def close(self, book: DeviceBook) -> None:
        items = [Item(name=self.hostname, identifier=self.vendor, source="dhcp")]
        book.add(self.line, mac=self.mac, ip=self.address, name=self.hostname, items=items, seen_at=self.when)


def _syslog(line: str, number: int, book: DeviceBook) -> Problem | None:
    found = _SYSLOG.search(line)
    if not found:
        return None
    _kind, address, mac, hostname = found.groups()
    items = [Item(name=hostname, source="dhcp")] if hostname else []
    book.add(number, mac=mac, ip=address, name=hostname or "", items=items)
    return None


FORMAT = IscDhcp()
