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
        return self


class Entity(_Model):
    """A legal entity of the vendor, with every name it is known by."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    country: str | None = None
    identifiers: dict[str, str] = Field(default_factory=dict)  # e.g. {"lei": ..., "ogrn": ...}
    lists: tuple[str, ...] = ()  # restriction lists naming it (e.g. "bis-entity-list")
    source: str

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.former_names)


class Product(_Model):
    """A product (or embedded technology) of the vendor."""

    id: str
    name: str
    family: str
    kind: ProductKind = ProductKind.BRANDED
    category: str  # e.g. endpoint-protection, management, vpn, password-manager, scan-engine
    platforms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names, abbreviations (KES, KSC); abbreviations never match alone
    capabilities: tuple[Capability, ...] = ()
    host_product: str | None = None  # for embedded technology: the other company's product
    replacement_note: str | None = None
    indicators: tuple[Indicator, ...] = ()
    source: str | None = None


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
        problems += [f"{what} cites unknown source {src!r}" for what, src in refs if src not in self.sources]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def all_indicators(self) -> list[Indicator]:
        return [*self.indicators, *(i for p in self.products for i in p.indicators)]

    def product(self, product_id: str) -> Product:
        for product in self.products:
            if product.id == product_id:
                return product
        raise KeyError(product_id)
