"""ISC Kea DHCP as evidence of devices: its memfile lease files and its log lines.

Lease files (``kea-leases4.csv`` / ``kea-leases6.csv``, the ``memfile`` backend) are CSV with a header
row naming the columns (``address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,
hostname,state,user_context[,pool_id]``; the v6 file has ``duid``, ``lease_type``, ``iaid`` … and
``hwaddr`` further right), so columns are read by name. Kea writes commas inside a value as ``&#x2c``
and appends a row at every change (the file is a journal), so one device has many rows; rows are merged
per device. ``expire`` minus ``valid_lifetime`` is when the lease was last granted.

Log lines (the Kea log file or syslog) carry the client as ``[hwtype=1 MAC]`` after the message id:
``DHCP4_LEASE_ALLOC [hwtype=1 44:19:b6:3a:10:21], cid=[…], tid=0x…: lease 10.40.1.21 has been allocated
for 3600 seconds``; ``client sent Hostname option: NAME`` (debug level) names the device too. Read by
hand: the lease file is CSV read with the csv module; no maintained library reads Kea's logs.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook, canonical_ip, canonical_mac
from vendorscope.sources.netlog import epoch
from vendorscope.sources.reader import decoded_lines, first_line

METHOD = "dhcp"  # the examination method, as for the other DHCP servers' logs (device_record.DEVICE_METHODS)
MAX_FIELD = 4096
DECLINED = "1"  # lease states: 0 default, 1 declined, 2 expired-reclaimed, 3 released
_LEASE_HEADERS = (b"address,hwaddr,client_id,valid_lifetime,expire", b"address,duid,valid_lifetime,expire")
_REQUIRED = ("address", "hwaddr", "expire", "hostname")
_LOG = re.compile(
    r"\b(DHCP[46]_[A-Z0-9_]+)\s+(?:duid=\[[^\]]*\],\s*)?\[hwtype=\d+\s+([0-9a-fA-F:]+)\]"
    r"(?:,\s*cid=\[[^\]]*\])?(?:,\s*tid=0x[0-9a-fA-F]+)?:\s*(.*)$"
)
_LOG_HEAD = re.compile(rb"\bDHCP[46]_[A-Z0-9_]+\s+(?:duid=\[[^\]]*\],\s*)?\[hwtype=\d+\s")
_LEASE_ADDRESS = re.compile(r"\blease (?:for address )?([0-9a-fA-F.:]+)\b")
_HOSTNAME = re.compile(r"\bHostname option: ([^\s,]+)")
_LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")


class KeaDhcp:
    name = "kea-dhcp"
    description = "ISC Kea DHCP memfile lease CSV (kea-leases4.csv, kea-leases6.csv) or Kea log lines"

    def may_claim(self, head: bytes) -> bool:
        """A lease file's first line starts with "address,"; a log line names a DHCP4_ or DHCP6_ message."""
        window = head[:16384]
        return first_line(head).startswith(b"address,") or b"DHCP4_" in window or b"DHCP6_" in window

    def identify(self, filename: str, head: bytes) -> bool:
        return first_line(head).startswith(_LEASE_HEADERS) or bool(_LOG_HEAD.search(head[:16384]))

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook(METHOD)
        undecodable: set[int] = set()
        lines = decoded_lines(stream, undecodable)
        first = next(lines, "")
        if first.strip().startswith(("address,hwaddr,", "address,duid,")):
            yield from _leases(first, lines, undecodable, book)
        else:
            for number, line in enumerate(_chain(first, lines), start=1):
                if number in undecodable:
                    yield Problem(number, "not UTF-8; skipped")
                else:
                    problem = _log_line(line, number, book)
                    if problem:
                        yield problem
        yield from book.observations()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _leases(header_line: str, lines: Iterator[str], undecodable: set[int], book: DeviceBook) -> Iterator[Problem]:
    header = [cell.strip() for cell in header_line.strip().split(",")]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        yield Problem(1, f"lease file header lacks {', '.join(missing)}")
        return
    where = {name: header.index(name) for name in header}
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        if number in undecodable:
            yield Problem(number, "not UTF-8; skipped")
            continue
        try:
            cells = next(csv.reader([line.rstrip("\r\n")]), [])
        except csv.Error as error:
            yield Problem(number, f"not readable as CSV ({error}); skipped")
            continue
        problem = _lease(cells, where, len(header), number, book)
        if problem:
            yield problem


def _lease(cells: list[str], where: dict[str, int], width: int, number: int, book: DeviceBook) -> Problem | None:
    if len(cells) != width:
        return Problem(number, f"{len(cells)} columns where the header has {width}; skipped")
    if any(len(cell) > MAX_FIELD for cell in cells):
        return Problem(number, f"a value is longer than {MAX_FIELD} characters; skipped")
    row = {name: cells[i].strip().replace("&#x2c", ",") for name, i in where.items()}
    if row.get("state") == DECLINED:  # an address the client found in use by someone else: no device of its own
        return None
    address = canonical_ip(row["address"])
    if not address:
        return Problem(number, f"address {row['address'][:60]!r} is not an IP address; skipped")
    mac = canonical_mac(row["hwaddr"]) if row["hwaddr"] else ""
    if row["hwaddr"] and not mac:
        return Problem(number, f"hwaddr {row['hwaddr'][:60]!r} is not a MAC address; skipped")
    try:
        expire, lifetime = int(row["expire"]), int(row.get("valid_lifetime") or 0)
    except ValueError:
        return Problem(number, "expire or valid_lifetime is not a number; skipped")
    hostname = row["hostname"].rstrip(".")
    items = [Item(name=hostname, source="dhcp")] if hostname else []
    granted = expire - lifetime
    book.add(number, mac=mac, ip=address, name=hostname, items=items, seen_at=epoch(granted) if granted > 0 else None)
    return None


def _log_line(line: str, number: int, book: DeviceBook) -> Problem | None:
    found = _LOG.search(line)
    if not found:
        return None
    message, mac, rest = found.groups()
    if not canonical_mac(mac):
        return Problem(number, f"{message}: hwtype address {mac[:60]!r} is not a MAC address; skipped")
    address = _LEASE_ADDRESS.search(rest)
    hostname = _HOSTNAME.search(rest)
    name = hostname.group(1).rstrip(".") if hostname else ""
    when = _LOG_TIME.match(line)
    book.add(
        number,
        mac=mac,
        ip=address.group(1) if address else "",
        name=name,
        items=[Item(name=name, source="dhcp")] if name else [],
        seen_at=_time(when.group(1)) if when else None,
    )
    return None


def _time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


FORMAT = KeaDhcp()
