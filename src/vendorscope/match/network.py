"""Which network names, addresses and ports the catalogs watch, as a filter for log parsers.

A DNS log of twenty million lines mostly names other things. The needles are
substrings that every line that could concern a catalog contains (the longest
label of each watched domain; watched port numbers and octet prefixes of
watched IPv4 ranges for connection logs), so parsers skip the rest without
decoding it; ``wants`` then decides exactly on the parsed values. Scoring stays
with the matcher: a contact is matched as an item of source ``network``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from vendorscope.catalog.schema import Catalog, IndicatorKind, Match
from vendorscope.match.index import domain_key, parse_network

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class NetworkWatch:
    """The catalogs' domain, network and port indicators, compiled for filtering logs."""

    def __init__(self, catalogs: Iterable[Catalog]) -> None:
        self.exact: set[str] = set()
        self.suffixes: set[str] = set()
        self.networks: list[_Network] = []
        self.ports: set[str] = set()
        for catalog in catalogs:
            for ind in catalog.all_indicators():
                if ind.kind is IndicatorKind.DOMAIN:
                    value = domain_key(ind.value).removeprefix("*.")
                    (self.suffixes if ind.match is Match.WILDCARD else self.exact).add(value)
                elif ind.kind is IndicatorKind.NETWORK and (network := parse_network(ind.value)):
                    self.networks.append(network)
                elif ind.kind is IndicatorKind.PORT:
                    self.ports.add(ind.value.strip().lower())
        self.name_needles = _minimal({_distinctive(d).encode() for d in self.exact | self.suffixes if d})
        self.address_needles = _address_needles(self.networks, self.ports)

    def wants(self, target: str, port: str) -> bool:
        if port and port.lower() in self.ports:
            return True
        name = domain_key(target)
        if name in self.exact:
            return True
        labels = name.split(".")
        if any(".".join(labels[i:]) in self.suffixes for i in range(len(labels))):
            return True
        if self.networks:
            try:
                address = ipaddress.ip_address(name.strip("[]"))
            except ValueError:
                return False
            return any(address in network for network in self.networks)
        return False


def _minimal(needles: set[bytes]) -> tuple[bytes, ...]:
    """Drop needles that contain another ("kaspersky-labs" is found by looking for "kaspersky")."""
    return tuple(sorted(n for n in needles if not any(o != n and o in n for o in needles)))


def _address_needles(networks: list[_Network], ports: set[str]) -> tuple[bytes, ...] | None:
    """Port numbers and IPv4 octet prefixes; None when a range cannot be narrowed (IPv6, wider than /8)."""
    needles = {p.split("/")[0].encode() for p in ports if p}
    for network in networks:
        prefixes = _octet_prefixes(network)
        if prefixes is None:
            return None
        needles |= {p.encode() for p in prefixes}
    return _minimal(needles)


def _distinctive(domain: str) -> str:
    """The registrable label (kaspersky of dnl-07.geo.kaspersky.com.au): Windows DNS logs write names without dots.

    Short trailing labels are taken for public suffixes; a superset is harmless, the exact test comes after.
    """
    labels = domain.split(".")
    while len(labels) > 1 and len(labels[-1]) <= 3:
        labels.pop()
    return labels[-1]


def _octet_prefixes(network: _Network) -> list[str] | None:
    if network.version != 4 or network.prefixlen < 8:
        return None
    whole = network.prefixlen // 8
    base = str(network.network_address).split(".")
    if network.prefixlen % 8 == 0:
        return [".".join(base[:whole]) + "."] if whole < 4 else [str(network.network_address)]
    subnets = network.subnets(new_prefix=(whole + 1) * 8)
    return [".".join(str(s.network_address).split(".")[: whole + 1]) + ("." if whole < 3 else "") for s in subnets]
