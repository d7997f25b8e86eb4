"""Kaspersky Security Center's own device list ("Managed devices" exported from the console).

When an agency runs the vendor's management server, its device list is the most complete record of
where the product is: every device whose Network Agent reports to it. The console exports the list as
text with the visible columns, tab-separated (comma-separated is read too), UTF-8 or UTF-16 with a
byte-order mark. Columns read: ``Name`` (the device), ``Network Agent is installed``, ``Network Agent
version``, ``Application version`` (the security application's), ``Connection IP address``, ``DNS
domain``, ``Windows domain``, ``Parent group``, ``Real-time protection``, ``Operating system type``.

Each device gets what the server says is on it: the Network Agent (with its version) and, when the
server reports one, a Kaspersky security application, both published by AO Kaspersky Lab — matched by
the catalog like any inventory line, so the finding says the evidence came from the vendor's server.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from vendorscope.sources.asset_csv import text_lines
from vendorscope.sources.base import Hints, Item, Observation, Problem, Record

METHOD = "kaspersky-security-center"
PUBLISHER = "AO Kaspersky Lab"
AGENT = "Kaspersky Security Center Network Agent"
APPLICATION = "Kaspersky protection application (reported by the management server)"
_REQUIRED = ("Name", "Network Agent version")
_YES = {"yes", "да", "true", "1"}
MAX_FIELD = 4096


class KscDevices:
    name = "ksc-devices"
    description = "Kaspersky Security Center managed-devices export (tab- or comma-separated text)"

    def identify(self, filename: str, head: bytes) -> bool:
        text = _decode(head)
        first = next((line for line in text.splitlines() if line.strip()), "")
        cells = [c.strip().strip('"') for c in first.replace("\t", ",").split(",")]
        return all(c in cells for c in _REQUIRED) and ("Network Agent is installed" in cells or "Parent group" in cells)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        # Bare carriage returns inside a line would make the csv module raise: read them as line ends.
        lines = (part for line in text_lines(stream) for part in line.replace("\r\n", "\n").splitlines())
        header_line = next(lines, "")
        delimiter = "\t" if "\t" in header_line else ","
        header = [c.strip().strip('"') for c in next(csv.reader([header_line], delimiter=delimiter), [])]
        try:
            yield from self._rows(csv.reader(lines, delimiter=delimiter), header)
        except csv.Error as error:
            yield Problem(0, f"not readable as a delimited export: {error}")

    def _rows(self, reader: Iterator[list[str]], header: list[str]) -> Iterator[Record]:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield Problem(number, f"{len(cells)} columns where the header has {len(header)}; skipped")
                continue
            row = {k: v.strip()[:MAX_FIELD] for k, v in zip(header, cells, strict=True)}
            record = _device(row, number)
            if record is not None:
                yield record


def _device(row: dict[str, str], number: int) -> Record | None:
    """The device's Kaspersky software as the server reports it."""
    name = row.get("Name", "")
    if not name:
        return Problem(number, "no device name; skipped")
    items = []
    agent = row.get("Network Agent version", "")
    if row.get("Network Agent is installed", "").lower() in _YES or agent:
        items.append(Item(name=AGENT, version=agent, publisher=PUBLISHER, source="programs"))
    if row.get("Application version"):
        items.append(Item(name=APPLICATION, version=row["Application version"], publisher=PUBLISHER, source="programs"))
    if not items:  # the server knows the device but has no agent on it: it never examined it, so it says nothing
        return None
    facts = {
        key: row[column]
        for key, column in (
            ("addresses", "Connection IP address"),
            ("dns_domain", "DNS domain"),
            ("windows_domain", "Windows domain"),
            ("ksc_group", "Parent group"),
            ("os", "Operating system type"),
            ("ksc_real_time_protection", "Real-time protection"),
        )
        if row.get(column)
    }
    return Observation(host=name, items=items, method=METHOD, line=number, host_facts=facts)


def _decode(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
    return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


FORMAT = KscDevices()
