"""net-snmp ``snmpwalk`` output of one device: sysDescr, sysObjectID, sysName, interface MACs.

Lines look like ``SNMPv2-MIB::sysDescr.0 = STRING: Huawei Versatile Routing Platform ...`` (with
MIBs), ``iso.3.6.1.2.1.1.1.0 = STRING: "..."`` (without), or ``.1.3.6.1.2.1.1.1.0 = STRING: ...``
(``-On``). A value may continue on the next lines (multi-line sysDescr). sysObjectID is read in any of
``SNMPv2-SMI::enterprises.2011.2.224``, ``iso.3.6.1.4.1.2011.2.224`` or ``.1.3.6.1.4.1.2011.2.224``
and compared as a numeric OID. The device is ``--host``, else sysName, else the file name's stem;
an address in the file name (``10.40.2.1.walk``) becomes its ``ip``. The first non-zero
``ifPhysAddress`` is its MAC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import canonical_ip, canonical_mac, device_observation
from vendorscope.sources.reader import decoded_lines

_LINE = re.compile(r"^([.\w:-]+(?:\.[\w-]+)*)\s*=\s*(?:([\w-]+):\s?)?(.*)$")
_SYS = {
    "1.3.6.1.2.1.1.1": "descr",
    "1.3.6.1.2.1.1.2": "object_id",
    "1.3.6.1.2.1.1.5": "name",
    "1.3.6.1.2.1.2.2.1.6": "mac",
}
_NAMES = {
    "sysDescr": "descr",
    "sysObjectID": "object_id",
    "sysName": "name",
    "ifPhysAddress": "mac",
}
_PREFIXES = (("SNMPv2-SMI::enterprises.", "1.3.6.1.4.1."), ("iso.", "1."), ("enterprises.", "1.3.6.1.4.1."))
MAX_VALUE = 4096
_SYSTEM_LINE = re.compile(
    rb"(?m)^(?:SNMPv2-MIB::sys\w+\.0|iso\.3\.6\.1\.2\.1\.1\.\d\.0|\.1\.3\.6\.1\.2\.1\.1\.\d\.0) = "
)


class SnmpWalk:
    name = "snmpwalk"
    description = "net-snmp snmpwalk output of one device (with or without MIBs, or -On)"

    def may_claim(self, head: bytes) -> bool:
        """Every first line ``identify`` knows ends its name in ".0 = "."""
        return b".0 = " in head[:4096]

    def identify(self, filename: str, head: bytes) -> bool:
        text = head[:4096]
        return bool(
            re.search(
                rb"(?m)^(?:SNMPv2-MIB::sys\w+\.0|iso\.3\.6\.1\.2\.1\.1\.\d\.0|\.1\.3\.6\.1\.2\.1\.1\.\d\.0) = ", text
            )
        )

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        found: dict[str, str] = {}
        last = ""
        for line in decoded_lines(stream, set()):
            parsed = _LINE.match(line.rstrip("\r\n"))
            if not parsed:
                if last and line.strip() and len(found.get(last, "")) < MAX_VALUE:
                    found[last] += " " + line.strip().strip('"')  # a value continued on the next line
                continue
            oid, _kind, value = parsed.groups()
            last = _field(oid)
            if last and (last != "mac" or "mac" not in found) and _useful(last, value):
                found[last] = value.strip().strip('"')[:MAX_VALUE]
            elif last == "mac":
                last = ""
        if not found:
            yield Problem(0, "no system group values (sysDescr, sysObjectID, sysName) found")
            return
        yield from _device(found, filename, hints)


def _field(oid: str) -> str:
    name = oid.split("::")[-1].split(".")[0]
    if name in _NAMES:
        return _NAMES[name]
    numeric = _numeric(oid)
    return next((f for prefix, f in _SYS.items() if numeric.startswith(prefix + ".")), "")


def _numeric(oid: str) -> str:
    oid = oid.strip().lstrip(".")
    for prefix, number in _PREFIXES:
        if oid.startswith(prefix):
            return number + oid[len(prefix) :]
    return oid


def _useful(field_name: str, value: str) -> bool:
    if field_name == "mac":
        mac = canonical_mac(_padded(value))
        return bool(mac) and mac != "00:00:00:00:00:00"
    return bool(value.strip().strip('"'))


def _padded(value: str) -> str:
    """net-snmp prints ifPhysAddress as 0:e0:fc:12:34:1 (no leading zeros) or as hex bytes."""
    parts = re.split(r"[:\s]+", value.strip().strip('"'))
    return ":".join(p.zfill(2) for p in parts if p) if len(parts) == 6 else value


def _device(found: dict[str, str], filename: str, hints: Hints) -> Iterator[Record]:
    stem = PurePath(filename).name
    for suffix in (".txt", ".walk", ".snmpwalk", ".log", ".gz"):
        stem = stem.removesuffix(suffix)
    name = hints.host or found.get("name", "") or stem
    object_id = _numeric(found.get("object_id", ""))
    items = [Item(name=found.get("descr", ""), identifier=object_id, source="snmp")]
    observation = device_observation(
        method="snmpwalk",
        line=1,
        mac=_padded(found.get("mac", "")),
        ip=stem if canonical_ip(stem) else "",
        name=name,
        items=items,
        facts={"snmp_sysname": found["name"]} if found.get("name") else {},
    )
    if observation is not None:
        yield observation


FORMAT = SnmpWalk()
