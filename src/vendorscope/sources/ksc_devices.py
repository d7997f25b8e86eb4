"""Kaspersky Security Center's own device list ("Managed devices" exported from the console).

When an agency runs the vendor's management server, its device list is the most complete record of
where the product is: every device whose Network Agent reports to it. The console exports the list as
text with the visible columns, tab-separated (comma-separated is read too), UTF-8 or UTF-16 with a
byte-order mark. Columns read (``_COLUMNS``: the names of Security Center 10 to 14, and the older names of
Administration Kit, whose list had ``Agent / Antivirus`` as ``+``/``-`` marks): ``Name`` (the device),
``Network Agent is installed``, ``Network Agent version``, ``Application version`` (the security
application's), ``Connection IP address`` / ``IP address``, ``DNS domain``, ``DNS name`` / ``Domain
name``, ``Windows domain`` / ``Domain``, ``Parent group`` / ``Group``, ``Real-time protection``,
``Operating system type`` / ``OS type``. Names are compared without case.

Each device gets what the server says is on it: the Network Agent (with its version) and, when the
server reports one, a Kaspersky security application, both published by AO Kaspersky Lab — matched by
the catalog like any inventory line, so the finding says the evidence came from the vendor's server.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from vendorscope.sources.asset_csv import first_text_line, text_lines
from vendorscope.sources.base import Hints, Item, Observation, Problem, Record

METHOD = "kaspersky-security-center"
PUBLISHER = "AO Kaspersky Lab"
AGENT = "Kaspersky Security Center Network Agent"
APPLICATION = "Kaspersky protection application (reported by the management server)"
_YES = {"yes", "да", "true", "1", "+"}
MAX_FIELD = 4096
# Field → the column names it goes by, newest first (docs/formats.md gives the sources).
_COLUMNS = {
    "name": ("Name", "Device name", "Device"),
    "agent_installed": ("Network Agent is installed", "Network Agent installed"),
    "agent_version": ("Network Agent version", "Agent version"),
    "agent_antivirus": ("Agent / Antivirus",),
    "application_version": ("Application version", "Security application version"),
    "addresses": ("Connection IP address", "IP address", "IPv4 address"),
    "dns_domain": ("DNS domain",),
    "dns_name": ("DNS name", "Domain name"),
    "windows_domain": ("Windows domain", "Domain"),
    "ksc_group": ("Parent group", "Group", "Administration group"),
    "os": ("Operating system type", "OS type", "Operating system"),
    "ksc_real_time_protection": ("Real-time protection", "Real-time protection status"),
}
_AGENT_COLUMNS = ("agent_version", "agent_installed", "agent_antivirus")
_LIST_COLUMNS = (
    "Parent group",
    "Connection to the server",
    "Visible in the network",
    "Last connected to Administration Server",
)


class KscDevices:
    name = "ksc-devices"
    description = "Kaspersky Security Center managed-devices export (tab- or comma-separated text)"

    def identify(self, filename: str, head: bytes) -> bool:
        first = first_text_line(head)  # decoded as ``_decode`` does
        cells = [c.strip().strip('"') for c in first.replace("\t", ",").split(",")]
        found = _fields(cells)
        listed = {c.lower() for c in _LIST_COLUMNS} & {c.lower() for c in cells}
        agent = any(f in found for f in _AGENT_COLUMNS)
        return "name" in found and agent and bool(listed or "agent_installed" in found)

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
        where = _fields(header)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield Problem(number, f"{len(cells)} columns where the header has {len(header)}; skipped")
                continue
            values = {k.lower(): v.strip()[:MAX_FIELD] for k, v in zip(header, cells, strict=True)}
            record = _device({f: values.get(c.lower(), "") for f, c in where.items()}, number)
            if record is not None:
                yield record


def _fields(header: list[str]) -> dict[str, str]:
    """Field → the header's column for it (case-insensitive), for the fields the header has."""
    lowered = {h.lower() for h in header}
    found = {f: [n for n in names if n.lower() in lowered] for f, names in _COLUMNS.items()}
    return {f: names[0] for f, names in found.items() if names}


def _device(row: dict[str, str], number: int) -> Record | None:
    """The device's Kaspersky software as the server reports it."""
    name = row.get("name", "")
    if not name:
        return Problem(number, "no device name; skipped")
    marks = [m.strip() for m in row.get("agent_antivirus", "").split("/")]  # Administration Kit: "+ / +"
    items = []
    agent = row.get("agent_version", "")
    if row.get("agent_installed", "").lower() in _YES or agent or marks[0] == "+":
        items.append(Item(name=AGENT, version=agent, publisher=PUBLISHER, source="programs"))
    if row.get("application_version") or (len(marks) > 1 and marks[1] == "+"):
        version = row.get("application_version", "")
        items.append(Item(name=APPLICATION, version=version, publisher=PUBLISHER, source="programs"))
    if not items:  # the server knows the device but has no agent on it: it never examined it, so it says nothing
        return None
    skipped = ("name", *_AGENT_COLUMNS, "application_version")
    facts = {key: row[key] for key in _COLUMNS if key not in skipped and row.get(key)}
    return Observation(host=name, items=items, method=METHOD, line=number, host_facts=facts)


FORMAT = KscDevices()
