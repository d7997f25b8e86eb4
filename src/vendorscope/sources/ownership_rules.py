"""Host ownership rules as CSV: ``org, hostname, network`` — a glob on host names or a CIDR range per row."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import IO

from vendorscope.sources import csv_table
from vendorscope.sources.base import Hints, OwnershipRule, Problem, Record

COLUMNS = ("org", "hostname", "network")


class OwnershipRulesCsv:
    name = "ownership-rules-csv"
    description = "rules assigning hosts to organizations by host name pattern or network, CSV"

    def identify(self, filename: str, head: bytes) -> bool:
        columns = csv_table.header_of(head)
        return csv_table.has_header(head, ("org",), COLUMNS) and bool({"hostname", "network"} & set(columns))

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        for row in csv_table.rows(stream):
            if isinstance(row, Problem):
                yield row
                continue
            line, cells = row
            org, pattern, network = cells.get("org", ""), cells.get("hostname", ""), cells.get("network", "")
            if not org or not (pattern or network):
                yield Problem(line, "org and a hostname pattern or a network are required")
                continue
            if network:
                try:
                    network = str(ipaddress.ip_network(network, strict=False))
                except ValueError:
                    yield Problem(line, f"network {network!r} is not an address range like 10.1.0.0/16")
                    continue
            yield OwnershipRule(org=org, hostname=pattern.lower(), network=network, line=line)


FORMAT = OwnershipRulesCsv()
