"""Which network names, addresses and ports the catalogs watch, as a filter for log parsers.

A DNS log of twenty million lines mostly names other things. ``pattern`` is a
bytes regular expression that every line that could concern a catalog matches
(the distinctive label of each watched domain, watched ports as whole numbers,
octet prefixes of watched IPv4 ranges), so parsers skip the rest without
decoding it; ``wants`` then decides exactly on the parsed values. Scoring stays
with the matcher: a contact is matched as an item of source ``network``.
"""

from __future__ import annotations

import ipaddress
import re
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
        self.pattern = _pattern(self.exact | self.suffixes, self.networks, self.ports)

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


def _pattern(domains: set[str], networks: list[_Network], ports: set[str]) -> re.Pattern[bytes] | None:
    """A superset of the lines that can concern the catalogs; None when it cannot be narrowed."""
    parts = {re.escape(_distinctive(d)).encode() for d in domains if d}
    parts |= {rb"(?<![\d.])" + re.escape(p.split("/")[0]).encode() + rb"(?!\d)" for p in ports if p}
    for network in networks:
        prefixes = _octet_prefixes(network)
        if prefixes is None:
            return None  # an IPv6 or very wide range: every line must be looked at
        parts |= {rb"(?<![\d.])" + re.escape(p).encode() for p in prefixes}
    if not parts:
        return None
    return re.compile(rb"(?m)^#|" + b"|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def _distinctive(domain: str) -> str:
    """The longest label: Windows DNS logs write names as (9)kaspersky(3)com(0), without dots."""
    return max(domain.split("."), key=len)


def _octet_prefixes(network: _Network) -> list[str] | None:
    if network.version != 4 or network.prefixlen < 8:
        return None
    whole = network.prefixlen // 8
    base = str(network.network_address).split(".")
    if network.prefixlen % 8 == 0:
        return [".".join(base[:whole]) + "."] if whole < 4 else [str(network.network_address)]
    subnets = network.subnets(new_prefix=(whole + 1) * 8)
    return [".".join(str(s.network_address).split(".")[: whole + 1]) + ("." if whole < 3 else "") for s in subnets]
