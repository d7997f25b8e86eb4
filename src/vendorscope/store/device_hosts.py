"""Tie a device seen by a network tool to a host the store already knows: by name, MAC or address.

nmap, a switch's MAC table and a DHCP log each name the same camera differently (its address, its
MAC, its DHCP host name). The first file that sees it makes the host; later files find it by any
of the three, so one device is one host. A device that turns out to be a managed host (a
workstation with a collector's inventory) keeps that host's name and is not marked a device.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from vendorscope.sources.base import ADDRESS_FACTS, Observation
from vendorscope.store.tables import Host

_MAC_FACTS = ("mac", "mac_addresses", "mac_address")


class DeviceHosts:
    """Lookup of known hosts by name, short name, MAC and address; loaded once per input."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._loaded = False
        self._by_name: dict[str, str] = {}
        self._by_id: dict[str, str] = {}  # MAC or address → host name
        self._devices: set[str] = set()  # names of hosts that are devices (not managed machines)

    def _load(self) -> None:
        for name, key, facts in self._conn.execute(select(Host.name, Host.key, Host.facts).order_by(Host.id)):
            facts = facts or {}
            self._remember(name, key, facts)
        self._loaded = True

    def _remember(self, name: str, key: str, facts: dict[str, str]) -> None:
        self._by_name.setdefault(key, name)
        self._by_name.setdefault(key.split(".")[0], name)
        for fact in (*ADDRESS_FACTS, *_MAC_FACTS):
            for value in str(facts.get(fact, "")).replace(",", " ").split():
                self._by_id.setdefault(value.lower(), name)
        if facts.get("kind") == "device":
            self._devices.add(name)

    def tie(self, observation: Observation) -> None:
        """Rename the observation to the known host it is, and drop device marks from a managed host."""
        if not self._loaded:
            self._load()
        facts = observation.host_facts
        candidates = [facts.get("mac", ""), facts.get("ip", "")]
        name = observation.host.strip()
        known = self._by_name.get(name.lower()) or next(
            (self._by_id[c] for c in candidates if c and c in self._by_id), None
        )
        if known is None and "." in name and facts.get("ip") != name:
            known = self._by_name.get(name.lower().split(".")[0])
        if known is not None:
            observation.host = known
            if known not in self._devices:  # a managed machine seen on the network stays what it is
                observation.host_facts = {k: v for k, v in facts.items() if k not in ("kind", "unmanaged")}
        self._remember(observation.host, observation.host.lower(), observation.host_facts)
