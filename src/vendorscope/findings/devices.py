"""Device findings: what the evidence about one device, taken together, says about its maker.

Each piece of device evidence (a MAC prefix, a web server banner, a certificate, an SNMP object
id...) is a title the matcher judged alone. Here the pieces of one device are graded together,
per maker, in words:

* **confirmed** — two independent identities agree, at least one of them decisive (weight ≥ 0.6):
  the certificate and the web server say Hikvision;
* **likely** — one decisive identity alone, or several weak clues of different kinds that together
  reach 0.6 (a Dahua MAC prefix on a camera labelled Honeywell, a known Dahua relabeler);
* **candidate** — one weak clue only. A MAC prefix names the maker of the network chip, which is not
  always the maker of the device: it is a lead to confirm, never a finding of covered equipment.

Confirmed and likely devices are findings of kind ``device``; candidates of kind
``device-candidate``, listed apart. A device sold under another brand is reported under its maker
*and* the brand on its label ("Honeywell-branded camera made by Dahua Technology").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from vendorscope.findings.status import DEVICE, DEVICE_CANDIDATE
from vendorscope.match.matcher import DECISIVE, DEVICE_SOURCES, UNIDENTIFIED
from vendorscope.store.tables import Artifact, Installation, Title, TitleMatch

CANDIDATE = DEVICE_CANDIDATE
CONFIRMED, LIKELY, CANDIDATE_GRADE = "confirmed", "likely", "candidate"

FIELD_WORDS = {
    "mac": "MAC address prefix (IEEE OUI)",
    "http_server": "HTTP Server header",
    "http_title": "web page title",
    "tls_subject": "TLS certificate subject",
    "tls_issuer": "TLS certificate issuer",
    "snmp_object_id": "SNMP sysObjectID",
    "snmp_descr": "SNMP sysDescr",
    "lldp_descr": "LLDP/CDP system description",
    "dhcp_hostname": "DHCP host name",
    "dhcp_vendor_class": "DHCP vendor class",
    "manufacturer": "manufacturer field",
    "model": "model",
    "nmap_service": "nmap service banner",
    "nmap_os": "nmap OS guess",
    "service_banner": "service banner",
}


# Fields that come from one source of truth count once: a self-signed certificate's subject and issuer; the
# system description a device sends in LLDP, which is its SNMP sysDescr.
INDEPENDENT = {"tls_issuer": "tls_subject", "lldp_descr": "snmp_descr"}


def _words(field_name: str, value: str, title: str, maker: str) -> str:
    if field_name == "mac":
        prefix = ":".join(value[i : i + 2] for i in range(0, len(value), 2))
        return f"MAC address prefix {prefix} is registered to {title} (IEEE registry)"
    return f'{FIELD_WORDS.get(field_name, field_name)} "{value}" names {maker}'


@dataclass
class _Device:
    """One device's evidence for one maker."""

    maker: str = ""
    fields: dict[str, float] = field(default_factory=dict)  # maker evidence: field → strongest weight
    brands: dict[str, float] = field(default_factory=dict)  # relabelers' brands seen on the device
    products: dict[str, float] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # product id → (name, device class)
    brand_class: str = ""  # what the relabeling brand sells of the maker's, when no product says
    evidence: list[dict[str, Any]] = field(default_factory=list)
    reasons: dict[str, tuple[float, str]] = field(default_factory=dict)  # clue → strongest hit in words
    first_seen: Any = None
    last_seen: Any = None
    present: bool = False

    def add(self, row: Any) -> None:
        title = {"title": row.name, "present": bool(row.present), "artifact": row.sha256, "file": row.file}
        for hit in row.evidence:
            self._hit(hit, row.name)
            self.evidence.append(hit | title)
        self.first_seen = row.first_seen if self.first_seen is None else min(self.first_seen, row.first_seen)
        self.last_seen = row.last_seen if self.last_seen is None else max(self.last_seen, row.last_seen)
        self.present = self.present or bool(row.present)

    def _hit(self, hit: dict[str, Any], title: str) -> None:
        self.maker = self.maker or str(hit.get("maker") or "")
        weight = float(hit.get("weight") or 0.0)
        name = str(hit.get("field") or "")
        clue = INDEPENDENT.get(name, name)
        if hit.get("brand"):
            brand = str(hit["brand"])
            self.brand_class = self.brand_class or str(hit.get("device_class") or "")
            self.brands[brand] = max(self.brands.get(brand, 0.0), weight)
            words = f'{FIELD_WORDS.get(name, name)} "{hit.get("value", "")}" names {brand}, a brand that relabels'
            clue = "brand:" + brand
        else:
            self.fields[clue] = max(self.fields.get(clue, 0.0), weight)
            words = _words(name, str(hit.get("value", "")), title, self.maker)
        product = hit.get("product")
        if product:
            self.products[str(product)] = max(self.products.get(str(product), 0.0), weight)
            self.names[str(product)] = (str(hit.get("product_name") or product), str(hit.get("device_class") or ""))
        text = f"{words} ({hit.get('strength')} source, weight {weight:.2f})"
        if clue not in self.reasons or self.reasons[clue][0] < weight:
            self.reasons[clue] = (weight, text)

    @property
    def confidence(self) -> float:
        miss = 1.0
        for weight in [*self.fields.values(), *(self.brands.values() if self.fields else ())]:
            miss *= 1.0 - weight
        return round(min(1.0 - miss, 0.9999), 4)

    @property
    def grade(self) -> str:
        strong = [f for f, w in self.fields.items() if w >= DECISIVE]
        kinds = len(self.fields) + (1 if self.brands and self.fields else 0)
        if strong and kinds >= 2:
            return CONFIRMED
        if strong or (self.fields and kinds >= 2 and self.confidence >= DECISIVE):
            return LIKELY
        return CANDIDATE_GRADE

    @property
    def product(self) -> str:
        return max(sorted(self.products), key=lambda p: self.products[p]) if self.products else UNIDENTIFIED


def _rows(conn: Connection, host_ids: Collection[int] | None) -> list[Any]:
    stmt = (
        select(
            Installation.host_id,
            Installation.first_seen,
            Installation.last_seen,
            Installation.present,
            TitleMatch.vendor,
            TitleMatch.evidence,
            Title.name,
            Artifact.sha256,
            Artifact.path.label("file"),
        )
        .join(TitleMatch, TitleMatch.title_id == Installation.title_id)
        .join(Title, Title.id == Installation.title_id)
        .join(Artifact, Artifact.id == Installation.last_artifact_id)
        .where(Title.source.in_(sorted(DEVICE_SOURCES)))
        .order_by(Installation.host_id, TitleMatch.vendor, Title.source, Title.name, Title.identifier)
    )
    if host_ids is not None:
        stmt = stmt.where(Installation.host_id.in_(sorted(host_ids)))
    return list(conn.execute(stmt))


def compute_devices(conn: Connection, host_ids: Collection[int] | None = None) -> dict[tuple[int, str, str, str], Any]:
    """Device findings as the evidence now supports them, keyed like host findings (host, vendor, product, kind)."""
    devices: dict[tuple[int, str], _Device] = defaultdict(_Device)
    for row in _rows(conn, host_ids):
        devices[(row.host_id, row.vendor)].add(row)
    drafts = {}
    for (host_id, vendor), device in devices.items():
        if not device.fields and not device.brands:
            continue
        grade = device.grade
        kind = CANDIDATE if grade == CANDIDATE_GRADE else DEVICE
        drafts[(host_id, vendor, device.product, kind)] = {
            "confidence": device.confidence,
            "evidence": device.evidence,
            "explanation": explain(device, grade),
            "first_seen": device.first_seen,
            "last_seen": device.last_seen,
            "present": device.present,
        }
    return drafts


def explain(device: _Device, grade: str) -> str:
    """The finding in words: what the device is, how sure, and every clue with its weight."""
    name, device_class = device.names.get(device.product, ("", ""))
    what = device_class or device.brand_class or "device"
    if device.brands and device.fields:
        label = " / ".join(sorted(device.brands))
        head = f"{label}-branded {what} made by {device.maker}"
    else:
        head = name or f"{device.maker} {what} (product not identified)"
    order = sorted(device.reasons, key=lambda k: (k == "mac", -device.reasons[k][0], k))
    reasons = "; ".join(device.reasons[k][1] for k in order)
    if grade == CANDIDATE_GRADE:
        why = _candidate_words(device)
    else:
        count = len(device.fields) + (1 if device.brands else 0)
        why = f"{grade} by {count} independent clue{'s' if count != 1 else ''}"
    return f"{head}: {why}, confidence {device.confidence:.2f}. Evidence: {reasons}."


def _candidate_words(device: _Device) -> str:
    if "mac" in device.fields and len(device.fields) == 1:
        return (
            f"a candidate to confirm — only the MAC address prefix points at {device.maker}; the maker of a network "
            "chip is not always the maker of the device: confirm by its web page, certificate, SNMP or label"
        )
    if device.brands and not device.fields:
        brands = " / ".join(sorted(device.brands))
        return (
            f"a candidate to confirm — {brands} sells devices made by {device.maker} under its own name, "
            "but nothing on this device names the maker itself"
        )
    return f"a candidate to confirm — one weak clue points at {device.maker}"
