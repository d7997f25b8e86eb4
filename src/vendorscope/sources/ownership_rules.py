"""Host ownership rules as CSV: ``org, hostname, network`` — a glob on host names or a CIDR range per row."""

from __future__ import annotations

import ipaddress

from vendorscope.sources import csv_table
from vendorscope.sources.base import OwnershipRule, Problem, Record

COLUMNS = ("org", "hostname", "network")


class OwnershipRulesCsv(csv_table.CsvRecords):
    name = "ownership-rules-csv"
    description = "rules assigning hosts to organizations by host name pattern or network, CSV"
    required = ("org",)
    allowed = COLUMNS

    def identify(self, filename: str, head: bytes) -> bool:
        return super().identify(filename, head) and bool({"hostname", "network"} & set(csv_table.header_of(head)))

    def record(self, line: int, cells: dict[str, str]) -> Record:
        org, pattern, network = cells.get("org", ""), cells.get("hostname", ""), cells.get("network", "")
        if not org or not (pattern or network):
            return Problem(line, "org and a hostname pattern or a network are required")
        if network:
            try:
                network = str(ipaddress.ip_network(network, strict=False))
            except ValueError:
                return Problem(line, f"network {network!r} is not an address range like 10.1.0.0/16")
        return OwnershipRule(org=org, hostname=pattern.lower(), network=network, line=line)


FORMAT = OwnershipRulesCsv()
