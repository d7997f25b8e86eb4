"""What an examination of a host can and cannot see, per question a vendor's catalog asks.

A software inventory (a collector, osquery, an SBOM) examines a host's *installed software*; a device tool
(nmap, a switch table, a DHCP log, Zeek's device logs) examines a device's *identity on the network* and
cannot see what is installed on it. A camera seen only by nmap is therefore "not examined" in a Kaspersky
answer (nobody looked at its software), while it is examined in a Section 889 answer; a workstation known
only from its software inventory is examined for Kaspersky but not for covered equipment. Coverage counts
an examination only for the questions it can answer, and says in words why the others do not count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from vendorscope.catalog.schema import Catalog
from vendorscope.match.matcher import DEVICE_SOURCES, NETWORK_SOURCES
from vendorscope.sources.device_record import DEVICE_METHODS

SOFTWARE = "installed software"
DEVICE = "device identity"
QUESTIONS = (SOFTWARE, DEVICE)
_CANNOT = {
    SOFTWARE: "identifies the device on the network; cannot see its installed software",
    DEVICE: "lists installed software; does not identify the device's maker",
}


def catalog_questions(catalog: Catalog) -> frozenset[str]:
    """The questions a vendor's catalog asks: installed software (products without a device class), covered
    equipment (products with one)."""
    asked = {DEVICE if p.device_class else SOFTWARE for p in catalog.products}
    return frozenset(asked or {SOFTWARE})


def examination_question(method: str, sources: Iterable[str]) -> str:
    """The question one examination answers: device importers' methods, or only device evidence, identify a
    device; anything else (programs, packages, services…) is a look at installed software."""
    seen = set(sources)
    if method in DEVICE_METHODS or (seen and seen <= DEVICE_SOURCES | NETWORK_SOURCES):
        return DEVICE
    return SOFTWARE


def cannot_examine(method: str, answers: str, questions: Collection[str]) -> str:
    """Why an examination does not count for these questions, in words ("nmap: identifies the device…")."""
    missing = next((q for q in QUESTIONS if q in questions and q != answers), SOFTWARE)
    return f"{method}: {_CANNOT[missing]}"
