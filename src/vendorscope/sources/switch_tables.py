"""Switch and router tables as text: MAC address tables and ARP tables (Cisco IOS/NX-OS, Juniper, Aruba).

The saved output of ``show mac address-table`` (Cisco IOS, NX-OS), ``show ethernet-switching table``
(Juniper), ``show mac-address-table`` / ``show mac-address`` (Aruba AOS-CX / ArubaOS-Switch),
``show ip arp`` / ``show arp`` (all four). The layouts differ but every data line has one MAC in one
of the usual notations (``4419.b63a.1021``, ``44:19:b6:3a:10:21``, ``4419b6-3a1021``), and ARP lines
an IPv4 address too: those are read, the rest (legends, headers, totals, prompts) is skipped.
Parsed by hand: no maintained library reads all of these (TextFSM templates exist per platform and
command, but need the platform named; a line-level reader needs nothing).

A MAC table says a device with this MAC sits behind this port and VLAN; an ARP table adds its
address. The device's evidence is its MAC prefix only — a candidate until something else agrees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.device_record import DeviceBook
from vendorscope.sources.reader import decoded_lines

_MAC = (
    r"(?<![\w.:-])("
    r"[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}"  # Cisco
    r"|[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}"  # colon
    r"|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}"  # dash
    r"|[0-9a-fA-F]{6}-[0-9a-fA-F]{6}"  # ArubaOS-Switch
    r")(?![\w.:-])"
)
MAC = re.compile(_MAC)
IPV4 = re.compile(r"(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![\d.])")
# Header lines that name the table: at least one must appear in the head for the file to be one.
_HEADERS = re.compile(
    rb"(?im)^\s*(?:\*?\s*vlan\s+mac address\s+type"
    rb"|protocol\s+address\s+age\s*\(min\)\s+hardware addr"
    rb"|address\s+age\s+mac address\s+interface"
    rb"|mac address\s+address\s+interface\s+flags"
    rb"|ipv4 address\s+mac\s+port"
    rb"|mac address\s+vlan\s+type\s+port"
    rb"|mac address\s+port\s+vlan"
    rb"|ethernet switching table\b"
    rb"|\s*vlan\s+mac\s+mac\s+age)"
)
_PROMPT = re.compile(r"^(?:[\w.-]+@)?([\w.-]+)(?:#|>)\s*show\b", re.IGNORECASE)
_PORT = re.compile(
    r"\b((?:Gi|Te|Fa|Fo|Hu|Twe|Eth|Po|Tw|TenGig|GigabitEthernet)[\w/.:-]*\d|[gx]e-\d+/\d+/\d+(?:\.\d+)?|\d+/\d+/\d+)\b"
)
_VLAN = re.compile(r"^\s*\*?\s*(\d{1,4})\s")
_SKIP_TYPES = ("static", "cpu", "system", "igmp", "router")


class SwitchTables:
    name = "switch-table"
    description = "MAC address and ARP tables as text (Cisco IOS/NX-OS, Juniper, Aruba)"

    def may_claim(self, head: bytes) -> bool:
        """Every table heading ``identify`` looks for has one of these."""
        lowered = head[:8192].lower()
        return b"address" in lowered or b"vlan" in lowered or b"ethernet switching table" in lowered

    def identify(self, filename: str, head: bytes) -> bool:
        return bool(_HEADERS.search(head[:8192])) and bool(MAC.search(head.decode("latin-1")))

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook("switch-table")
        undecodable: set[int] = set()
        switch = hints.host
        for number, line in enumerate(decoded_lines(stream, undecodable), start=1):
            prompt = _PROMPT.match(line)
            if prompt and not hints.host:
                switch = prompt.group(1)
            found = MAC.search(line)
            if not found or _static(line):
                continue
            if number in undecodable:
                yield Problem(number, "not UTF-8; skipped")
                continue
            book.add(number, mac=found.group(1), ip=_ip(line), facts=_where(line, switch))
        yield from book.observations()


def _static(line: str) -> bool:
    """Entries the switch made itself (its CPU, static router MACs), not devices behind a port."""
    words = line.lower().split()
    return any(w in _SKIP_TYPES for w in words) and not any(w in ("dynamic", "learned", "d") for w in words)


def _ip(line: str) -> str:
    found = IPV4.search(line)
    return found.group(1) if found else ""


def _where(line: str, switch: str) -> dict[str, str]:
    facts = {}
    port = _PORT.search(line)
    if port:
        facts["switch_port"] = f"{switch} {port.group(1)}".strip()
    vlan = _VLAN.match(line)
    if vlan and not IPV4.search(line):
        facts["vlan"] = vlan.group(1)
    return facts


FORMAT = SwitchTables()
