"""LLDP and CDP neighbor tables as text: what a switch learned about the devices plugged into it.

The saved output of ``show lldp neighbors detail`` (Cisco IOS, NX-OS), ``show cdp neighbors detail``
(IOS, NX-OS), ``show lldp neighbors`` (Juniper), ``show lldp neighbor-info detail`` (Aruba AOS-CX) and
``show lldp info remote-device detail`` (ArubaOS-Switch). Every layout is a run of ``Key: value`` entries,
one block per neighbor, except Juniper's summary, which is a table. A neighbor says who it is: its
chassis id (usually a MAC), system name, management address and system description — the same text as
its SNMP sysDescr (IEEE 802.1AB defines the LLDP field as that object) — and, in CDP, its platform (the
model). Parsed by hand: TextFSM templates exist per platform and command and need the platform named;
a reader of known keys needs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook, canonical_ip, canonical_mac
from vendorscope.sources.reader import decoded_lines
from vendorscope.sources.switch_tables import MAC

METHOD = "lldp-neighbors"
LLDP = "lldp"  # match.matcher: name = the neighbor's system description, compared like an SNMP sysDescr
MAX_VALUE = 4096
MAX_ENTRY_LINES = 400
MAX_LINE = 8192  # characters of a line looked at: CLI output lines are short; a hostile one is cut, not scanned

# Known keys (lower case, spaces squeezed) → the field they fill. Nothing else is read.
_KEYS = {
    "local intf": "local_port",
    "local port id": "local_port",
    "local port": "local_port",
    "port": "local_port",
    "chassis id": "chassis",
    "neighbor chassis-id": "chassis",
    "chassisid": "chassis",
    "port id": "port_id",
    "neighbor port-id": "port_id",
    "portid": "port_id",
    "system name": "name",
    "neighbor chassis-name": "name",
    "neighbor system-name": "name",
    "sysname": "name",
    "device id": "device_id",
    "system description": "descr",
    "neighbor chassis-description": "descr",
    "neighbor system-description": "descr",
    "system descr": "descr",
    "version": "descr",
    "platform": "platform",
    "management address": "address",
    "neighbor management-address": "address",
    "ip": "address",
    "ip address": "address",
    "ipv4 address": "address",
    "address": "address",
    "interface": "cdp_interface",
}
# Keys whose value may go on over the next lines (a sysDescr or CDP version text), until a blank line.
_MULTILINE = {"descr"}
# Keys that open a new neighbor entry when the current one already has them.
_OPENERS = {"local_port", "chassis", "name", "device_id"}
# Keys that follow a description in the layouts read: they end it (a description's own lines go on).
_AFTER_DESCRIPTION = {
    "time remaining",
    "system capabilities",
    "enabled capabilities",
    "advertisement version",
    "holdtime",
    "management addresses",
    "vlan id",
    "port description",
    "chassis capabilities available",
    "chassis capabilities enabled",
    "native vlan",
    "duplex",
    "ttl",
    "portdescr",
    "pvid",
}
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 ()/-]*?)\s*:\s?(.*?)\s*$")
_SEPARATOR = re.compile(r"^\s*-{8,}\s*$")
_PROMPT = re.compile(r"^(?:[\w.-]+@)?([\w.-]+)(?:#|>)\s*show\b", re.IGNORECASE)
_JUNIPER_HEADER = re.compile(r"^\s*Local Interface\s+Parent Interface\s+Chassis Id\s+Port info\s+System Name", re.I)
_HEADS = re.compile(
    rb"(?im)^\s*(?:chassis\s?id\s*:|neighbor chassis-id\s*:|local interface\s+parent interface\s+chassis id"
    rb"|lldp remote device information detail)"
)
_CDP_HEAD = re.compile(rb"(?im)^\s*device id\s*:.*\n(?:.*\n){0,8}?\s*platform\s*:")
_SPACED_MAC = re.compile(r"^\s*([0-9a-fA-F]{2}(?:\s[0-9a-fA-F]{2}){5})\s*$")


class LldpNeighbors:
    name = METHOD
    description = "LLDP/CDP neighbor tables as text (Cisco IOS/NX-OS, Juniper, Aruba)"

    def may_claim(self, head: bytes) -> bool:
        """Every heading ``identify`` looks for has one of these (cheaper than its expressions)."""
        lowered = head[:16384].lower()
        return b"chassis" in lowered or b"lldp remote device" in lowered or b"device id" in lowered

    def identify(self, filename: str, head: bytes) -> bool:
        window = head[:16384]
        return bool(_HEADS.search(window) or _CDP_HEAD.search(window))

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook(METHOD)
        undecodable: set[int] = set()
        reader = _Entries(hints.host)
        seen = 0
        for number, line in enumerate(decoded_lines(stream, undecodable), start=1):
            if number in undecodable:
                yield Problem(number, "not UTF-8; skipped")
                continue
            for entry in reader.feed(number, line[:MAX_LINE].rstrip("\r\n")):
                seen += 1
                problem = _add(entry, book)
                if problem:
                    yield problem
            if reader.overlong:
                yield Problem(reader.overlong, f"neighbor entry longer than {MAX_ENTRY_LINES} lines; cut there")
                reader.overlong = 0
        for entry in reader.close():
            seen += 1
            problem = _add(entry, book)
            if problem:
                yield problem
        if not seen:
            yield Problem(0, "no neighbor entries found")
        yield from book.observations()


@dataclass
class _Entry:
    line: int
    switch: str
    values: dict[str, str] = field(default_factory=dict)


class _Entries:
    """Lines → neighbor entries: ``Key: value`` blocks, or rows of Juniper's summary table."""

    def __init__(self, switch: str) -> None:
        self.switch = switch
        self.fixed_switch = bool(switch)
        self.current: _Entry | None = None
        self.last_key = ""
        self.table = False
        self.overlong = 0

    def feed(self, number: int, line: str) -> Iterator[_Entry]:
        prompt = _PROMPT.match(line)
        if prompt:
            if not self.fixed_switch:
                self.switch = prompt.group(1)
            yield from self.close()
            return
        if _JUNIPER_HEADER.match(line):
            yield from self.close()
            self.table = True
            return
        if self.table:
            row = _juniper_row(number, line, self.switch)
            if row is not None:
                yield row
                return
            self.table = False
        if _SEPARATOR.match(line):
            yield from self.close()
            return
        if not line.strip():
            self.last_key = ""
            return
        found = _KEY_VALUE.match(line)
        label = " ".join(found.group(1).lower().split()) if found else ""
        key = _KEYS.get(label)
        if found is None or key is None:
            if label in _AFTER_DESCRIPTION:
                self.last_key = ""
            else:
                self._continue(line)
            return
        value = found.group(2)
        if self.current is not None and key in _OPENERS and key in self.current.values:
            yield from self.close()
        if self.current is None:
            self.current = _Entry(number, self.switch)
        elif number - self.current.line > MAX_ENTRY_LINES:
            self.overlong = self.current.line
            yield from self.close()
            self.current = _Entry(number, self.switch)
        _set(self.current.values, key, value)
        self.last_key = key if key in _MULTILINE else ""

    def _continue(self, line: str) -> None:
        """A line that is no known key: the rest of a multi-line description, else ignored."""
        if self.current is None or not self.last_key:
            return
        values = self.current.values
        text = values.get(self.last_key, "")
        if len(text) < MAX_VALUE:
            values[self.last_key] = f"{text} {line.strip()}".strip()[:MAX_VALUE]

    def close(self) -> Iterator[_Entry]:
        if self.current is not None and self.current.values:
            yield self.current
        self.current = None
        self.last_key = ""


def _set(values: dict[str, str], key: str, value: str) -> None:
    value = value.strip()[:MAX_VALUE]
    if key == "platform":  # CDP: "cisco WS-C2960-8TC-L,  Capabilities: Switch IGMP"
        value = value.split(",")[0].strip()
    elif key == "cdp_interface":  # CDP: "GigabitEthernet1/0/16,  Port ID (outgoing port): GigabitEthernet0/1"
        values.setdefault("local_port", value.split(",")[0].strip())
        return
    elif key == "address" and not canonical_ip(value):
        return
    if value and key not in values:  # the first management address, the neighbor's own fields
        values[key] = value


def _juniper_row(number: int, line: str, switch: str) -> _Entry | None:
    """``ge-0/0/1   -   2c:6b:f5:a1:c2:c0   ge-0/0/1   vmx2``: local port, parent, chassis, port, name."""
    cells = line.split()
    if len(cells) < 3 or not MAC.fullmatch(cells[2]):
        return None
    values = {"local_port": cells[0], "chassis": cells[2]}
    if len(cells) >= 5:
        values["name"] = " ".join(cells[4:])[:MAX_VALUE]
    return _Entry(number, switch, values)


def _mac(text: str) -> str:
    spaced = _SPACED_MAC.match(text)
    if spaced:
        return canonical_mac(spaced.group(1))
    found = MAC.fullmatch(text.strip())
    return canonical_mac(found.group(1)) if found else ""


def _add(entry: _Entry, book: DeviceBook) -> Problem | None:
    values = entry.values
    mac = _mac(values.get("chassis", "")) or _mac(values.get("port_id", ""))
    ip = canonical_ip(values.get("address", "")) or canonical_ip(values.get("chassis", ""))
    # CDP's device id may carry the serial number ("dc-lf03(SAL19069XXX)"); its System Name does not
    name = values.get("name") or re.sub(r"\([^)]*\)$", "", values.get("device_id", "")).strip()
    if _mac(name) or name.lower() in ("not advertised", "-"):
        name = ""
    if not (mac or ip or name):
        return Problem(entry.line, "neighbor entry with no chassis MAC, name or management address; skipped")
    items = []
    if values.get("descr"):
        items.append(Item(name=values["descr"], source=LLDP))
    if values.get("platform"):
        items.append(Item(name=values["platform"], source="device_info"))
    facts = {}
    if values.get("local_port"):
        facts["switch_port"] = f"{entry.switch} {values['local_port']}".strip()
    book.add(entry.line, mac=mac, ip=ip, name=name, items=items, facts=facts)
    return None


FORMAT = LldpNeighbors()
