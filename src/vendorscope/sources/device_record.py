"""What every device importer makes of a device: one observation, its identity facts, its evidence items.

A device is a host like any other (``kind: device``), named by the best identity the evidence
gives: a host name, else its IP address, else its MAC. ``ingest`` ties it to a host already known
by that name, MAC or address (store/device_hosts.py); otherwise it stays *unmanaged*.

The MAC gives an evidence item only when it is universally administered: a locally administered
address (the U/L bit, set by phones' randomized MACs and by virtual machines) was chosen by
software and names no maker; the observation then records that instead.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from vendorscope.oui import locally_administered, mac_hex, multicast, organization
from vendorscope.sources.base import Item, Observation, Problem

DEVICE = "device"
# The methods of the device importers: what they examine is a device's identity on the network (its MAC,
# banners, certificates, SNMP, DHCP), never the software installed on it. Coverage reads this set
# (findings/coverage.py); a new device importer adds its method here (a test checks every format's sample).
DEVICE_METHODS = frozenset(
    {"nmap", "runzero", "zeek", "switch-table", "dhcp", "snmpwalk", "lldp-neighbors", "onvif-upnp"}
)
MAC_OUI = "mac_oui"  # match.matcher.MAC_OUI: the registered organization of the MAC's OUI
RANDOMIZED = "locally administered (randomized or virtual): names no maker"


def canonical_mac(mac: str) -> str:
    """aa:bb:cc:dd:ee:ff, or '' when the text is not a MAC (Cisco 4419.b612.3456, Windows 44-19-B6-...)."""
    digits = mac_hex(mac)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)) if digits else ""


def canonical_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return ""


def mac_items(mac: str) -> list[Item]:
    """The OUI evidence of a MAC: its registered organization, from the IEEE registry (none if randomized)."""
    oui, org = organization(mac)
    return [Item(name=org, identifier=oui, source=MAC_OUI)] if org else []


def device_observation(
    *,
    method: str,
    line: int,
    mac: str = "",
    ip: str = "",
    name: str = "",
    items: Iterable[Item] = (),
    seen_at: datetime | None = None,
    facts: dict[str, str] | None = None,
) -> Observation | None:
    """One device's observation, or None when nothing identifies it (no MAC, address or name)."""
    mac, ip, name = canonical_mac(mac), canonical_ip(ip), name.strip().rstrip(".")
    host = name or ip or mac
    if not host:
        return None
    known = {"kind": DEVICE, "unmanaged": f"known only from device evidence ({method})"}
    if ip:
        known["ip"] = ip
    if mac:
        known["mac"] = mac
        if locally_administered(mac) and not multicast(mac):
            known["mac_note"] = RANDOMIZED
    evidence = [*mac_items(mac), *(i for i in items if i.name or i.identifier or i.publisher)]
    return Observation(
        host=host,
        items=sorted(set(evidence)),
        seen_at=seen_at,
        method=method,
        line=line,
        host_facts=known | (facts or {}),
    )


MAX_DEVICES = 200_000  # distinct devices kept per file; more is reported as one problem, not kept


@dataclass(slots=True)
class _Device:
    line: int
    mac: str = ""
    ip: str = ""
    name: str = ""
    items: set[Item] = field(default_factory=set)
    seen: datetime | None = None
    facts: dict[str, str] = field(default_factory=dict)


class DeviceBook:
    """Devices seen across a file's lines, merged by MAC (else address, else name), yielded at the end.

    Logs name a device on many lines (every HTTP request to a camera); one observation per device
    keeps the store and memory bounded by the number of devices, not of lines.
    """

    def __init__(self, method: str) -> None:
        self.method = method
        self._devices: dict[str, _Device] = {}
        self.overflow = 0

    def add(
        self,
        line: int,
        *,
        mac: str = "",
        ip: str = "",
        name: str = "",
        items: Iterable[Item] = (),
        seen_at: datetime | None = None,
        facts: dict[str, str] | None = None,
    ) -> None:
        mac, ip = canonical_mac(mac), canonical_ip(ip)
        key = mac or ip or name.strip().lower()
        if not key:
            return
        device = self._devices.get(key)
        if device is None:
            if len(self._devices) >= MAX_DEVICES:
                self.overflow += 1
                return
            device = self._devices[key] = _Device(line)
        device.mac = device.mac or mac
        device.ip = device.ip or ip
        device.name = device.name or name.strip()
        device.items.update(items)
        device.facts.update(facts or {})
        if seen_at is not None and (device.seen is None or seen_at > device.seen):
            device.seen = seen_at

    def observations(self) -> Iterator[Observation | Problem]:
        if self.overflow:
            yield Problem(0, f"more than {MAX_DEVICES} devices in one file; {self.overflow} lines beyond were not kept")
        built = [
            device_observation(
                method=self.method,
                line=d.line,
                mac=d.mac,
                ip=d.ip,
                name=d.name,
                items=d.items,
                seen_at=d.seen,
                facts=d.facts,
            )
            for d in self._devices.values()
        ]
        yield from sorted((o for o in built if o is not None), key=lambda o: (o.host, o.line))
