"""runZero asset inventory exported as CSV (the console's Export → CSV, the API's ``/export/org/assets.csv``).

The CSV carries the asset object's fields as columns, so the same fields as the JSON export are read
(``runzero``): the address, the names, the MACs (the OUI looked up again in the IEEE registry; runZero's
MAC vendor kept as a fact), ``hw`` (hardware fingerprint, compared as a banner and as a model), the
products on its ports, ``os``, ``type``, the site, ``last_seen``. Column names are compared loosely
(case, spaces, ``-``) and both the singular and plural spellings are read (``address``/``addresses``,
``mac``/``macs``), because exports made with ``fields=`` name what was asked for. A cell that lists several
values separates them with spaces, tabs, commas or semicolons; the first is the device's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.csv_table import header_of, rows
from vendorscope.sources.device_record import DeviceBook
from vendorscope.sources.inventory_row import RowError, parse_time

METHOD = "runzero"
_COLUMNS = {
    "address": ("address", "addresses", "ip", "ip_address"),
    "name": ("names", "name", "hostname", "hostnames"),
    "mac": ("macs", "mac", "mac_address"),
    "mac_vendor": ("mac_vendors", "mac_vendor"),
    "hw": ("hw", "hardware"),
    "os": ("os", "operating_system"),
    "type": ("type",),
    "site": ("site", "site_name"),
    "products": ("service_ports_products", "products"),
    "last_seen": ("last_seen",),
}
_SPLIT = re.compile(r"[\s,;]+")


def _pick(columns: list[str]) -> dict[str, str]:
    """Field → the header's column for it, for the fields the header has."""
    return {f: next(c for c in names if c in columns) for f, names in _COLUMNS.items() if set(names) & set(columns)}


class RunZeroCsv:
    name = "runzero-csv"
    description = "runZero asset inventory exported as CSV"

    def identify(self, filename: str, head: bytes) -> bool:
        found = _pick(header_of(head))
        return "hw" in found and "mac" in found and "address" in found

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook(METHOD)
        where: dict[str, str] | None = None
        for row in rows(stream):
            if isinstance(row, Problem):
                yield row
                continue
            line, cells = row
            if where is None:
                where = _pick(list(cells))
            problem = _asset(line, {f: cells.get(c, "") for f, c in where.items()}, book)
            if problem:
                yield problem
        yield from book.observations()


def _first(text: str) -> str:
    return next((part for part in _SPLIT.split(text) if part), "")


def _asset(line: int, values: dict[str, str], book: DeviceBook) -> Problem | None:
    try:
        seen: datetime | None = parse_time(values.get("last_seen", ""))
    except RowError as error:
        return Problem(line, f"{error}; row skipped")
    hw, os_name = values.get("hw", ""), values.get("os", "")
    products = [p.strip() for p in re.split(r"[\t;]", values.get("products", "")) if p.strip()]
    items = [Item(name=banner, source="service_banner") for banner in (hw, *products) if banner]
    items += [Item(name=hw, source="device_info")] if hw else []
    items += [Item(name=os_name, source="nmap_os")] if os_name else []
    facts = {k: values[f] for k, f in (("runzero_type", "type"), ("site", "site")) if values.get(f)}
    vendor = values.get("mac_vendor", "").split("\t")[0].strip()
    if vendor:
        facts["runzero_mac_vendor"] = vendor
    mac, ip, name = _first(values.get("mac", "")), _first(values.get("address", "")), _first(values.get("name", ""))
    if not (mac or ip or name):
        return Problem(line, "asset with no address, name or MAC; skipped")
    book.add(line, mac=mac, ip=ip, name=name, items=items, seen_at=seen, facts=facts)
    return None


FORMAT = RunZeroCsv()
