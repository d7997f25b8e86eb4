"""What CycloneDX and SPDX documents have in common: a described product and its components.

An SBOM describes one product or system. The product becomes the "host" the
components are on (``--host`` names it otherwise), its supplier the org. The
product itself is an item of source ``sbom_product``; its components are
``sbom_component`` items, except in an operations BOM made from osquery
(cdxgen's ``cdx:osquery:category``), whose components are the machine's own
programs, services and drivers and keep those sources. Findings decide
branded vs embedded from these sources (``findings/refresh.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import orjson

from vendorscope.errors import InputError
from vendorscope.sources.base import Hints, Item, Observation, Problem
from vendorscope.sources.inventory_row import RowError, parse_time
from vendorscope.sources.reader import read_bounded

METHOD = "sbom"
PRODUCT = "sbom_product"
COMPONENT = "sbom_component"
MAX_DEPTH = 64  # nesting of components; deeper is refused as hostile
MAX_FIELD = 4096
MAX_DOCUMENT = 256 * 1024 * 1024

# cdxgen OBOM categories (osquery tables) that are a host's own software.
OSQUERY_CATEGORIES = {
    "windows_programs": "programs",
    "programs": "programs",
    "services_snapshot": "services",
    "services": "services",
    "windows_drivers": "drivers",
    "drivers": "drivers",
    "processes": "processes",
    "certificates": "certificates",
    "chrome_extensions": "chrome_extensions",
    "firefox_addons": "firefox_addons",
    "python_packages": "python_packages",
    "npm_packages": "npm_packages",
    "deb_packages": "deb_packages",
    "rpm_packages": "rpm_packages",
    "apps": "apps",
    "kernel_modules": "kernel_modules",
}


@dataclass
class Component:
    """One component as the document states it, before it becomes an item."""

    name: str
    version: str = ""
    makers: list[str] = field(default_factory=list)  # supplier, manufacturer, publisher, authors, originator
    purl: str = ""
    cpe: str = ""
    group: str = ""
    sha256: str = ""
    category: str = ""  # cdx:osquery:category
    path: str = ""

    def item(self, source: str = COMPONENT) -> Item:
        publisher = next((clip(m) for m in self.makers if usable(m)), "")
        refs = [self.purl, self.cpe, f"group:{self.group}" if self.group and not self.purl else ""]
        return Item(
            name=clip(self.name),
            version=clip(self.version),
            publisher=publisher,
            source=OSQUERY_CATEGORIES.get(self.category, source),
            path=clip(self.path),
            identifier=clip(" ".join(r.replace(" ", "%20") for r in refs if r)),
            sha256=self.sha256.lower() if len(self.sha256) == 64 else "",
        )


def usable(value: str) -> bool:
    return bool(value.strip()) and value.strip().upper() not in ("NOASSERTION", "NONE", "UNKNOWN")


def clip(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return text[:MAX_FIELD]


def org_name(value: str) -> str:
    """SPDX actors read ``Organization: Name (email)`` or ``Person: Name``; keep the name."""
    kind, sep, rest = value.partition(":")
    if sep and kind.strip() in ("Organization", "Person", "Tool"):
        value = rest
    return value.split("(")[0].strip() if "@" in value else value.strip()


def observation(
    product: Component | None,
    components: list[Component],
    hints: Hints,
    fallback: str,
    created: str = "",
) -> Observation:
    """The SBOM as one observation of its product (or of the host ``--host`` names)."""
    product_name = f"{product.name} {product.version}".strip() if product else ""
    host = hints.host or product_name or fallback
    items = [c.item() for c in components if c.name.strip()]
    facts = {"described_by": METHOD}
    if product is not None:
        items.append(product.item(PRODUCT))
        facts["product"] = product_name
        maker = next((m for m in product.makers if usable(m)), "")
        if maker:
            facts["product_supplier"] = maker
    org = hints.org or facts.get("product_supplier", "")
    if org:
        facts["org"] = org
    sources = tuple(sorted({i.source for i in items} | {COMPONENT}))
    return Observation(
        host=host,
        items=items,
        seen_at=_time(created),
        complete_sources=sources,
        method=METHOD,
        host_facts=facts,
    )


def _time(text: str) -> datetime | None:
    try:
        return parse_time(text.strip()) if isinstance(text, str) else None
    except RowError:
        return None


def read_document(stream: IO[bytes], filename: str, problems: list[Problem]) -> bytes | None:
    """The whole document (an SBOM cannot be streamed), bounded; None with a problem when too large."""
    try:
        return read_bounded(stream, filename, MAX_DOCUMENT).removeprefix(b"\xef\xbb\xbf")
    except InputError as exc:
        problems.append(Problem(0, str(exc).split(": ", 1)[1]))
        return None


def json_object(data: bytes, problems: list[Problem], what: str) -> dict[str, Any] | None:
    """The top-level JSON object; orjson refuses nesting deeper than 1,024 (a problem, not a crash)."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        problems.append(Problem(0, f"not valid JSON ({exc})"))
        return None
    if not isinstance(doc, dict):
        problems.append(Problem(0, f"not {what} (top level is not an object)"))
        return None
    return doc


def file_stem(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1].split(".")[0]
