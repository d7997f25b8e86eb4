"""The IEEE MAC address registry, as the ``netaddr`` package ships it.

Catalogs name the *organizations* that registered OUIs (``Zhejiang Dahua Technology``), never
hand-typed prefixes: the prefixes are read here from netaddr's copy of the IEEE MA-L list
(``netaddr/eui/oui.txt``) when a catalog is loaded, so a newer netaddr brings newer registrations
without touching a catalog. Parsed once per process (about 38,000 lines of "XX-XX-XX (hex) ORG").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_HEX_LINE = re.compile(r"^([0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2})\s+\(hex\)\s+(.*?)\s*$", re.MULTILINE)
_MAC_HEX = re.compile(r"[0-9a-f]{12}")


def org_key(name: str) -> str:
    """Organization names compared without legal forms or punctuation ("Co., Ltd." = "CO.,LTD")."""
    from rigour.names import normalize_name, remove_org_types  # only to resolve exact names: keep start-up light

    bare = remove_org_types(normalize_name(name) or "")
    return " ".join(re.sub(r"[^\w\s]", " ", bare).split())


@lru_cache(maxsize=1)
def registry() -> dict[str, str]:
    """OUI (six upper-case hex digits) → registered organization, from netaddr's IEEE file."""
    text = resources.files("netaddr.eui").joinpath("oui.txt").read_text(encoding="utf-8", errors="replace")
    return {m.group(1).replace("-", ""): m.group(2) for m in _HEX_LINE.finditer(text)}


def registry_version() -> str:
    """Which copy of the registry was read (netaddr's version), for catalog fingerprints and reports."""
    from importlib.metadata import version

    return f"netaddr {version('netaddr')}"


@lru_cache(maxsize=256)
def resolve(value: str, pattern: bool) -> tuple[str, ...]:
    """The OUIs registered to an organization: same name after legal forms are removed, or a regex."""
    if pattern:
        rx = re.compile(value, re.IGNORECASE)
        return tuple(sorted(oui for oui, org in registry().items() if rx.search(org)))
    key = org_key(value)
    return tuple(sorted(oui for oui, org in registry().items() if key and org_key(org) == key))


def mac_hex(mac: str) -> str:
    """A MAC address as 12 lower-case hex digits, or '' when it is not one (any usual notation)."""
    digits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    return digits if _MAC_HEX.fullmatch(digits) else ""


def locally_administered(mac: str) -> bool:
    """The U/L bit (second-lowest bit of the first octet): set on randomized and virtual MACs.

    Such an address was chosen by software, not assigned from a maker's OUI, so it names no maker.
    """
    digits = mac_hex(mac)
    return bool(digits) and bool(int(digits[:2], 16) & 0x02)


def multicast(mac: str) -> bool:
    digits = mac_hex(mac)
    return bool(digits) and bool(int(digits[:2], 16) & 0x01)


def organization(mac: str) -> tuple[str, str]:
    """(OUI, registered organization) of a universally administered unicast MAC; ('', '') otherwise."""
    digits = mac_hex(mac)
    if not digits or locally_administered(mac) or multicast(mac):
        return "", ""
    oui = digits[:6].upper()
    return oui, registry().get(oui, "")
