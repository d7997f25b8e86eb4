"""The catalog's YAML format as typed models.

A catalog describes one vendor of concern: its legal entities, its products and
the indicators that reveal them. Every indicator names a source (a key of
``sources``) and a strength, so that an answer can say *why* it believes what it
believes, and weak indicators can be kept from deciding alone.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vendorscope.oui import registry_version, resolve

FORMAT_VERSION = 1


class Strength(StrEnum):
    """Who says the indicator belongs to the vendor."""

    VENDOR = "vendor"  # the vendor's own documentation, or an authoritative registry
    THIRD_PARTY = "third-party"  # security tools, detection rules, public scripts
    UNCONFIRMED = "unconfirmed"  # plausible, no reliable source found


class IndicatorKind(StrEnum):
    """Which field of the evidence an indicator is compared with."""

    PUBLISHER = "publisher"  # organization that publishes/ships the software (Windows publisher, rpm vendor)
    NAME = "name"  # product/display name
    PACKAGE = "package"  # deb/rpm/snap/flatpak/chocolatey package name
    BUNDLE_ID = "bundle_id"  # macOS/iOS bundle id, Android package, system extension id
    SERVICE = "service"  # Windows service / systemd unit / launchd label
    DRIVER = "driver"  # kernel driver or module file name
    EXECUTABLE = "executable"  # executable file name
    PATH = "path"  # install path (regex, case-insensitive, either slash)
    SIGNER = "signer"  # code-signing subject organization/common name
    TEAM_ID = "team_id"  # Apple developer team id
    CERTIFICATE = "certificate"  # certificate subject in a trust store
    PRODUCT_CODE = "product_code"  # MSI product / upgrade code, browser extension id
    DOMAIN = "domain"  # network name; wildcard '*.' allowed
    NETWORK = "network"  # address range (CIDR)
    PORT = "port"  # TCP/UDP port, as "13000/tcp"
    # Device evidence (docs/catalog.md, "Device indicators"): what a device shows the network.
    OUI = "oui"  # IEEE MA-L registrant; resolved to OUI prefixes from the registry netaddr ships
    HTTP_SERVER = "http_server"  # HTTP Server header
    HTTP_TITLE = "http_title"  # HTML page title of the device's web interface
    TLS_SUBJECT = "tls_subject"  # subject DN of the device's certificate
    TLS_ISSUER = "tls_issuer"  # issuer DN of the device's certificate
    SNMP_OBJECT_ID = "snmp_object_id"  # sysObjectID; namespace match = enterprise-number prefix
    SNMP_DESCR = "snmp_descr"  # sysDescr text
    DHCP_VENDOR_CLASS = "dhcp_vendor_class"  # DHCP option 60
    DHCP_HOSTNAME = "dhcp_hostname"  # DHCP option 12 / lease client-hostname
    MANUFACTURER = "manufacturer"  # ONVIF/UPnP/LLDP/asset-tool manufacturer field
    MODEL = "model"  # ONVIF/UPnP/LLDP model name or number
    NMAP_SERVICE = "nmap_service"  # nmap -sV product (and extra info)
    NMAP_OS = "nmap_os"  # nmap -O OS match or class


DEVICE_KINDS = frozenset(
    {
        IndicatorKind.OUI,
        IndicatorKind.HTTP_SERVER,
        IndicatorKind.HTTP_TITLE,
        IndicatorKind.TLS_SUBJECT,
        IndicatorKind.TLS_ISSUER,
        IndicatorKind.SNMP_OBJECT_ID,
        IndicatorKind.SNMP_DESCR,
        IndicatorKind.DHCP_VENDOR_CLASS,
        IndicatorKind.DHCP_HOSTNAME,
        IndicatorKind.MANUFACTURER,
        IndicatorKind.MODEL,
        IndicatorKind.NMAP_SERVICE,
        IndicatorKind.NMAP_OS,
    }
)
# Device classes a product (or a relabeler's line) may be.
DEVICE_CLASSES = frozenset(
    {
        "camera",
        "recorder",
        "video-management",
        "intercom",
        "access-control",
        "switch",
        "router",
        "firewall",
        "wireless",
        "modem",
        "optical-terminal",
        "base-station",
        "radio",
        "phone",
        "server",
        "storage",
        "iot-module",
        "chipset",
    }
)


class Match(StrEnum):
    """How the indicator's value is compared."""

    EXACT = "exact"  # equal after normalization (case, legal forms for organizations)
    PATTERN = "pattern"  # regular expression, case-insensitive, searched
    NAMESPACE = "namespace"  # dotted prefix on whole segments: com.kaspersky matches com.kaspersky.kes
    WILDCARD = "wildcard"  # domain wildcard: *.kaspersky.com


class Capability(StrEnum):
    """Risk-relevant behaviour of a product."""

    KERNEL_DRIVER = "kernel-driver"
    CLOUD_TELEMETRY = "cloud-telemetry"
    FILE_UPLOAD = "file-upload"
    REMOTE_ADMINISTRATION = "remote-administration"
    TLS_INTERCEPTION = "tls-interception"
    AUTO_UPDATE = "auto-update"


class ProductKind(StrEnum):
    BRANDED = "branded"  # sold under the vendor's name (BOD 17-01 scope)
    EMBEDDED = "embedded"  # the vendor's technology inside another company's product


DEFAULT_WEIGHT: dict[Strength, float] = {
    Strength.VENDOR: 0.9,
    Strength.THIRD_PARTY: 0.7,
    Strength.UNCONFIRMED: 0.3,
}

_Weight = Annotated[float, Field(ge=0.0, le=1.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Model):
    """A public reference backing one or more indicators."""

    title: str
    url: str | None = None
    accessed: date | None = None
    note: str | None = None


class Indicator(_Model):
    """One observable that points at the vendor (and maybe one product)."""

    kind: IndicatorKind
    value: str
    match: Match = Match.EXACT
    source: str
    strength: Strength
    weight: _Weight | None = None  # evidence strength; default from `strength`
    note: str | None = None
    platforms: tuple[str, ...] = ()

    @property
    def effective_weight(self) -> float:
        return self.weight if self.weight is not None else DEFAULT_WEIGHT[self.strength]

    @model_validator(mode="after")
    def _check_value(self) -> Indicator:
        if not self.value.strip():
            raise ValueError("indicator value is empty")
        if self.match is Match.PATTERN:
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"bad regular expression {self.value!r}: {exc}") from exc
        if self.match is Match.WILDCARD and self.kind is not IndicatorKind.DOMAIN:
            raise ValueError("wildcard match is only for domains")
        oid_prefix = self.match is Match.NAMESPACE and self.kind is IndicatorKind.SNMP_OBJECT_ID
        if oid_prefix and not re.fullmatch(r"\d+(?:\.\d+)+", self.value.strip()):
            raise ValueError(f"sysObjectID prefix {self.value!r} is not a dotted OID (1.3.6.1.4.1.N)")
        return self


class Relation(StrEnum):
    """How an entity stands to the vendor (the rules reach "any subsidiary or affiliate")."""

    PARENT = "parent"
    SUBSIDIARY = "subsidiary"
    AFFILIATE = "affiliate"
    JOINT_VENTURE = "joint-venture"
    FORMER_SUBSIDIARY = "former-subsidiary"  # sold: screened, flagged with the date in `note`


class Entity(_Model):
    """A legal entity of the vendor, with every name it is known by."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()  # other names, names in other scripts (华为技术有限公司)
    former_names: tuple[str, ...] = ()
    country: str | None = None
    identifiers: dict[str, str] = Field(default_factory=dict)  # e.g. {"lei": ..., "ogrn": ...}
    lists: tuple[str, ...] = ()  # restriction lists naming it (e.g. "bis-entity-list")
    relation: Relation = Relation.PARENT
    named_in: tuple[str, ...] = ()  # rules naming it as written there (e.g. "ndaa-889", "fcc-covered-list")
    note: str | None = None
    source: str

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.former_names)


class Relabel(_Model):
    """A brand known to sell some of the vendor's devices under its own name (an OEM relationship).

    The brand alone proves little (it also sells devices made by others): its indicators are weak and
    only corroborate; with the maker's own identity on the same device it names the label in reports.
    """

    brand: str
    aliases: tuple[str, ...] = ()  # other spellings and company names of the brand
    models: tuple[str, ...] = ()  # regexes of the brand's model numbers for the maker's devices (HC35W45R3)
    device_classes: tuple[str, ...] = ()
    period: str | None = None  # when the relationship is reported, e.g. "2012-2022"
    note: str | None = None
    source: str
    strength: Strength = Strength.THIRD_PARTY
    weight: _Weight = 0.35  # a brand name on a device: corroborates, never decides alone

    @field_validator("device_classes")
    @classmethod
    def _known_classes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_classes(value)

    @field_validator("models")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return value


class ComponentMaker(_Model):
    """A maker of components the rules reach inside other makers' equipment (HiSilicon chips)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    relation: Relation = Relation.SUBSIDIARY
    components: tuple[str, ...] = ()  # e.g. "video SoC"
    products: tuple[str, ...] = ()  # ids of the catalog's products that stand for its components
    note: str | None = None
    source: str


def _check_classes(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(value) - DEVICE_CLASSES)
    if unknown:
        raise ValueError(f"unknown device class {', '.join(unknown)} (known: {', '.join(sorted(DEVICE_CLASSES))})")
    return value


class Product(_Model):
    """A product (or embedded technology) of the vendor."""

    id: str
    name: str
    family: str
    device_class: str | None = None  # set for devices: camera, recorder, router, switch, radio...
    kind: ProductKind = ProductKind.BRANDED
    category: str  # e.g. endpoint-protection, management, vpn, password-manager, scan-engine
    platforms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names, abbreviations (KES, KSC); abbreviations never match alone
    capabilities: tuple[Capability, ...] = ()
    host_product: str | None = None  # for embedded technology: the other company's product
    replacement_note: str | None = None
    indicators: tuple[Indicator, ...] = ()
    source: str | None = None

    @field_validator("device_class")
    @classmethod
    def _known_class(cls, value: str | None) -> str | None:
        if value is not None:
            _check_classes((value,))
        return value


class Vendor(_Model):
    id: str
    name: str
    country: str | None = None
    description: str | None = None


class Catalog(_Model):
    """A complete, versioned catalog for one vendor of concern."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    format: int = FORMAT_VERSION
    version: str
    updated: date
    vendor: Vendor
    sources: dict[str, SourceRef]
    entities: tuple[Entity, ...]
    indicators: tuple[Indicator, ...] = ()  # vendor-level: not tied to one product
    products: tuple[Product, ...]
    relabels: tuple[Relabel, ...] = ()  # brands selling the vendor's devices under their own name
    component_makers: tuple[ComponentMaker, ...] = ()

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise ValueError(f"unsupported catalog format {value} (this vendorscope reads {FORMAT_VERSION})")
        return value

    @model_validator(mode="after")
    def _check_references(self) -> Catalog:
        problems: list[str] = []
        seen: set[str] = set()
        for product in self.products:
            if product.id in seen:
                problems.append(f"duplicate product id {product.id!r}")
            seen.add(product.id)
        refs = [("entity " + e.id, e.source) for e in self.entities]
        refs += [(f"indicator {i.kind}={i.value!r}", i.source) for i in self.all_indicators()]
        refs += [("product " + p.id, p.source) for p in self.products if p.source]
        refs += [("relabel " + r.brand, r.source) for r in self.relabels]
        refs += [("component maker " + c.id, c.source) for c in self.component_makers]
        problems += [
            f"component maker {c.id} names unknown product {pid!r}"
            for c in self.component_makers
            for pid in c.products
            if pid not in seen
        ]
        problems += [f"{what} cites unknown source {src!r}" for what, src in refs if src not in self.sources]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def registry_problems(self) -> list[str]:
        """``oui`` indicators that name no registrant in the IEEE registry (read from netaddr's copy).

        Checked by ``catalog validate`` and the tests, not at every load: parsing the registry takes a
        noticeable fraction of a second, which every command would otherwise pay."""
        return [
            f"oui indicator {i.value!r} names no organization in the IEEE registry ({registry_version()})"
            for i in self.all_indicators()
            if i.kind is IndicatorKind.OUI and not resolve(i.value, i.match is Match.PATTERN)
        ]

    def all_indicators(self) -> list[Indicator]:
        return [*self.indicators, *(i for p in self.products for i in p.indicators)]

    def product(self, product_id: str) -> Product:
        for product in self.products:
            if product.id == product_id:
                return product
        raise KeyError(product_id)
