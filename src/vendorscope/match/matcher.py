"""Attribute a software title to a vendor and product, with a confidence and the reasons.

The algorithm, in words (also shown by ``vendorscope catalog show --algorithm``):

1. Each field of the item (publisher, name, identifier, path, signer, team id) is
   looked up in the catalog index under the indicator kinds that apply to the
   item's source (a deb package name is compared with package indicators, a
   Windows service name with service indicators...).
2. Hits on the same field are not independent: a field counts with the weight
   of its strongest hit. Fields combine as independent evidence (noisy-OR):
   ``confidence = 1 - Π(1 - w_field)``.
3. Weak indicators never decide alone: without one hit of weight ≥ 0.6 there
   is no attribution, whatever the sum.
4. A name that says the vendor while an owner field (publisher, signer,
   team id, app namespace) names someone else is suspect: if the name is the
   only decisive field, the confidence is halved.
5. The product is the one whose own indicators score highest; evidence that
   only points at the vendor gives product ``unidentified``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from vendorscope.catalog.schema import DEFAULT_WEIGHT, Catalog, IndicatorKind, ProductKind
from vendorscope.match.index import CatalogIndex, Rule
from vendorscope.match.network import NetworkWatch
from vendorscope.match.normalize import basename, dn_names, executables, package_refs
from vendorscope.sources.base import Item

ALGORITHM_VERSION = "3"
DECISIVE = 0.6
REPORT_THRESHOLD = 0.5
FOREIGN_OWNER_FACTOR = 0.5
UNIDENTIFIED = "unidentified"

PACKAGE_SOURCES = frozenset(
    {
        "deb_packages",
        "rpm_packages",
        "snap_packages",
        "flatpak_packages",
        "chocolatey_packages",
        "homebrew_packages",
        "package_receipts",
    }
)
BUNDLE_SOURCES = frozenset({"apps", "android_packages", "ios_apps", "system_extensions", "package_receipts"})
SERVICE_SOURCES = frozenset({"services", "systemd_units", "launchd"})
DRIVER_SOURCES = frozenset({"drivers", "kernel_modules"})
# SBOM components carry purl / CPE / group in `identifier` (see normalize.package_refs).
SBOM_SOURCES = frozenset({"sbom_component", "sbom_product"})
# A network contact is matched as an item: name = DNS name or address, identifier = "port/proto".
NETWORK_SOURCES = frozenset({"network"})
# What device importers (nmap, Zeek, switch tables, DHCP, SNMP, discovery) record about a device:
# each a title of its own, compared only with device indicators (docs/formats.md, "Devices").
MAC_OUI = "mac_oui"  # identifier = OUI hex, name = the registered organization
DEVICE_SOURCES = frozenset(
    {
        MAC_OUI,
        "http_server",  # name = Server header
        "http_title",  # name = page title
        "tls_certificate",  # name = subject DN, publisher = issuer DN
        "snmp",  # name = sysDescr, identifier = sysObjectID
        "dhcp",  # name = client host name, identifier = vendor class (option 60)
        "device_info",  # publisher = manufacturer, name = model (ONVIF, UPnP, LLDP, asset tools)
        "nmap_service",  # name = product and extra info of an -sV match
        "nmap_os",  # name = OS match, publisher = OS class vendor
        "service_banner",  # name = a server's banner other than HTTP's (SSH, FTP, Telnet)
        "lldp",  # name = an LLDP/CDP neighbor's system description (LLDP's field is the SNMP sysDescr)
    }
)

Probe = tuple[str, IndicatorKind, Callable[[Item], Iterable[str]]]

# (evidence field, indicator kind, values of the item to compare); `when` filters by item source.
# Values come in a fixed order (lists, never sets): the first value to hit a rule is the evidence shown, and
# it must not depend on the hash seed ("klif.sys" in one run, "klif" in the next).
_PROBES: tuple[tuple[Probe, frozenset[str] | None], ...] = (
    (("publisher", IndicatorKind.PUBLISHER, lambda i: [i.publisher]), None),
    (("name", IndicatorKind.NAME, lambda i: [i.name]), None),
    (("name", IndicatorKind.PACKAGE, lambda i: [i.name]), PACKAGE_SOURCES),
    (("identifier", IndicatorKind.BUNDLE_ID, lambda i: [i.identifier or i.name]), BUNDLE_SOURCES),
    (("identifier", IndicatorKind.SERVICE, lambda i: [i.identifier, i.name]), SERVICE_SOURCES),
    (("path", IndicatorKind.DRIVER, lambda i: [basename(i.path), i.name, i.identifier]), DRIVER_SOURCES),
    (("path", IndicatorKind.EXECUTABLE, lambda i: executables(i.path, i.name)), None),
    (("path", IndicatorKind.PATH, lambda i: [i.path]), None),
    (("signer", IndicatorKind.SIGNER, lambda i: dn_names(i.signer) if i.signer else []), None),
    (("team_id", IndicatorKind.TEAM_ID, lambda i: [i.team_id]), None),
    (("name", IndicatorKind.CERTIFICATE, lambda i: [i.name]), frozenset({"certificates"})),
    (("identifier", IndicatorKind.PRODUCT_CODE, lambda i: [i.identifier]), None),
    (("package", IndicatorKind.BUNDLE_ID, lambda i: package_refs(i.identifier)[0]), SBOM_SOURCES),
    (("package", IndicatorKind.DOMAIN, lambda i: package_refs(i.identifier)[1]), SBOM_SOURCES),
    (("package", IndicatorKind.PUBLISHER, lambda i: package_refs(i.identifier)[2]), SBOM_SOURCES),
    (("domain", IndicatorKind.DOMAIN, lambda i: [i.name]), NETWORK_SOURCES),
    (("address", IndicatorKind.NETWORK, lambda i: [i.name]), NETWORK_SOURCES),
    (("port", IndicatorKind.PORT, lambda i: [i.identifier]), NETWORK_SOURCES),
    (("mac", IndicatorKind.OUI, lambda i: [i.identifier]), frozenset({MAC_OUI})),
    (("http_server", IndicatorKind.HTTP_SERVER, lambda i: [i.name]), frozenset({"http_server"})),
    (("http_title", IndicatorKind.HTTP_TITLE, lambda i: [i.name]), frozenset({"http_title"})),
    (("tls_subject", IndicatorKind.TLS_SUBJECT, lambda i: [i.name]), frozenset({"tls_certificate"})),
    (("tls_subject", IndicatorKind.MANUFACTURER, lambda i: dn_names(i.name)), frozenset({"tls_certificate"})),
    (("tls_issuer", IndicatorKind.TLS_ISSUER, lambda i: [i.publisher]), frozenset({"tls_certificate"})),
    (("tls_issuer", IndicatorKind.MANUFACTURER, lambda i: dn_names(i.publisher)), frozenset({"tls_certificate"})),
    (("snmp_object_id", IndicatorKind.SNMP_OBJECT_ID, lambda i: [i.identifier]), frozenset({"snmp"})),
    (("snmp_descr", IndicatorKind.SNMP_DESCR, lambda i: [i.name]), frozenset({"snmp"})),
    (("lldp_descr", IndicatorKind.SNMP_DESCR, lambda i: [i.name]), frozenset({"lldp"})),
    (("dhcp_hostname", IndicatorKind.DHCP_HOSTNAME, lambda i: [i.name]), frozenset({"dhcp"})),
    (("dhcp_vendor_class", IndicatorKind.DHCP_VENDOR_CLASS, lambda i: [i.identifier]), frozenset({"dhcp"})),
    (("manufacturer", IndicatorKind.MANUFACTURER, lambda i: [i.publisher]), frozenset({"device_info"})),
    (("model", IndicatorKind.MODEL, lambda i: [i.name]), frozenset({"device_info"})),
    (("nmap_service", IndicatorKind.NMAP_SERVICE, lambda i: [i.name]), frozenset({"nmap_service"})),
    (("nmap_os", IndicatorKind.NMAP_OS, lambda i: [i.name, i.publisher]), frozenset({"nmap_os"})),
    (("service_banner", IndicatorKind.NMAP_SERVICE, lambda i: [i.name]), frozenset({"service_banner"})),
)


@dataclass(frozen=True, slots=True)
class Hit:
    field: str
    value: str
    rule: Rule


@dataclass(slots=True)
class Attribution:
    """The matcher's verdict on one title for one vendor."""

    vendor: str
    product: str
    kind: str
    confidence: float
    evidence: list[dict[str, object]] = field(default_factory=list)
    explanation: str = ""


class Matcher:
    """Matches titles against one or more vendor catalogs."""

    def __init__(self, catalogs: Iterable[Catalog]) -> None:
        self.indexes = [CatalogIndex(c) for c in catalogs]

    @property
    def fingerprint(self) -> str:
        """Changes whenever any catalog or the algorithm changes: the trigger for re-matching."""
        digest = hashlib.sha256(ALGORITHM_VERSION.encode())
        for index in sorted(self.indexes, key=lambda i: i.vendor):
            digest.update(index.catalog.model_dump_json().encode())
        return digest.hexdigest()[:16]

    @cached_property
    def network_watch(self) -> NetworkWatch:
        """The catalogs' domains, ranges and ports, for log parsers to keep only what may match."""
        return NetworkWatch(index.catalog for index in self.indexes)

    def catalog_version(self, vendor: str) -> str:
        return next(i.catalog.version for i in self.indexes if i.vendor == vendor)

    def match(self, item: Item) -> list[Attribution]:
        results = []
        for index in self.indexes:
            hits = _hits(index, item)
            if hits:
                verdict = _score(index, item, hits)
                if verdict is not None:
                    results.append(verdict)
        return results


def _hits(index: CatalogIndex, item: Item) -> list[Hit]:
    hits: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for field_name, kind, values in _probes_for(item.source):
        if kind not in index.kinds:
            continue
        for value in dict.fromkeys(values(item)):
            for rule, text in index.lookup(kind, value):
                mark = (field_name, id(rule.indicator))
                if mark not in seen:
                    seen.add(mark)
                    hits.append(Hit(field_name, text, rule))
    return hits


@lru_cache(maxsize=1024)
def _probes_for(source: str) -> tuple[Probe, ...]:
    """The probes that apply to items of a source. A DNS name or a device's banner is not a product name:
    network and device sources get their own probes only."""
    special = source in NETWORK_SOURCES or source in DEVICE_SOURCES
    return tuple(probe for probe, sources in _PROBES if (source in sources if sources is not None else not special))


def _combine(hits: Iterable[Hit]) -> float:
    strongest: dict[str, float] = {}
    for hit in hits:
        strongest[hit.field] = max(strongest.get(hit.field, 0.0), hit.rule.weight)
    miss = 1.0
    for weight in strongest.values():
        miss *= 1.0 - weight
    return 1.0 - miss


def _score(index: CatalogIndex, item: Item, hits: list[Hit]) -> Attribution | None:
    decisive = [h for h in hits if h.rule.weight >= DECISIVE]
    if not decisive and item.source not in DEVICE_SOURCES:
        return None  # a device's weak clues are kept: with the device's other evidence they may decide
    confidence = _combine(hits)
    notes = []
    if {h.field for h in decisive} == {"name"}:
        owner = _foreign_owner(index, item, hits)
        if owner:
            confidence *= FOREIGN_OWNER_FACTOR
            notes.append(
                f'only the name points at the vendor, and the {owner[0]} "{owner[1]}" belongs to '
                f"someone else (confidence halved)"
            )
    product_id, kind = _product(index, hits)
    ranked = sorted(hits, key=lambda h: -h.rule.weight)
    evidence = [_evidence(item, h) for h in ranked]
    if item.source in DEVICE_SOURCES:  # the words a device finding needs, without the catalog at hand
        evidence = [e | _device_words(index, h) for e, h in zip(evidence, ranked, strict=True)]
    return Attribution(
        vendor=index.vendor,
        product=product_id,
        kind=kind,
        confidence=round(confidence, 4),
        evidence=evidence,
        explanation=_explain(index, product_id, confidence, hits, notes),
    )


def _foreign_owner(index: CatalogIndex, item: Item, hits: list[Hit]) -> tuple[str, str] | None:
    """A field naming who made the item (publisher, signer, team, app namespace) that is not the vendor."""
    hit_fields = {h.field for h in hits}
    owners = [("publisher", item.publisher), ("signer", item.signer), ("team_id", item.team_id)]
    if item.source in BUNDLE_SOURCES:
        owners.append(("identifier", item.identifier))
    for field_name, value in owners:
        if not value or field_name in hit_fields:
            continue
        if field_name == "publisher" and index.lookup(IndicatorKind.NAME, value):
            continue  # "Kaspersky Lab UK Ltd": an unlisted subsidiary still names the vendor
        return field_name, value
    return None


def _product(index: CatalogIndex, hits: list[Hit]) -> tuple[str, str]:
    by_product: dict[str, list[Hit]] = {}
    for hit in hits:
        if hit.rule.product:
            by_product.setdefault(hit.rule.product, []).append(hit)
    if not by_product:
        return UNIDENTIFIED, ProductKind.BRANDED.value

    def rank(pid: str) -> tuple[float, int, int]:
        product_hits = by_product[pid]
        return (
            _combine(product_hits),
            len({h.field for h in product_hits}),
            max(len(h.value) for h in product_hits),
        )

    best = max(sorted(by_product), key=rank)
    return best, index.catalog.product(best).kind.value


def _evidence(item: Item, hit: Hit) -> dict[str, object]:
    ind = hit.rule.indicator
    brand = {"brand": hit.rule.brand} if hit.rule.brand else {}
    return brand | {
        "source": item.source or "inventory",
        "field": hit.field,
        "value": hit.value,
        "rule": hit.rule.label,
        "strength": ind.strength.value,
        "weight": ind.effective_weight,
        "reference": ind.source,
        "product": hit.rule.product,
    }


def _device_words(index: CatalogIndex, hit: Hit) -> dict[str, object]:
    words: dict[str, object] = {"maker": index.catalog.vendor.name}
    relabel = next((r for r in index.catalog.relabels if r.brand == hit.rule.brand), None) if hit.rule.brand else None
    if relabel is not None and relabel.device_classes:
        words["device_class"] = relabel.device_classes[0]  # what the brand sells of the maker's: camera, recorder
    if hit.rule.product:
        product = index.catalog.product(hit.rule.product)
        words |= {"product_name": product.name, "device_class": product.device_class or ""}
    return words


def _explain(index: CatalogIndex, product_id: str, confidence: float, hits: list[Hit], notes: list[str]) -> str:
    if product_id == UNIDENTIFIED:
        what = f"{index.catalog.vendor.name} (product not identified)"
    else:
        what = index.catalog.product(product_id).name
    reasons = "; ".join(
        f'{h.field} "{h.value}": {h.rule.label} ({h.rule.indicator.strength.value}, weight {h.rule.weight:.2f})'
        for h in sorted(hits, key=lambda h: -h.rule.weight)
    )
    tail = (" — " + "; ".join(notes)) if notes else ""
    return f"{what}, confidence {confidence:.2f}: {reasons}{tail}"


def describe() -> dict[str, object]:
    """The algorithm as data, for ``vendorscope catalog show --algorithm``: the steps (this module's docstring),
    the thresholds, the default weights by indicator strength, and which item field is compared with which
    indicator kind for which sources. Read from the code itself, so it cannot go stale."""
    steps = (__doc__ or "").split("The algorithm, in words", 1)[-1].split(":", 1)[-1]
    paragraphs = [" ".join(p.split()) for p in steps.strip().split("\n\n")[0].split("\n") if p.strip()]
    numbered: list[str] = []
    for line in paragraphs:
        if line[:1].isdigit() or not numbered:
            numbered.append(line)
        else:
            numbered[-1] += " " + line
    return {
        "version": ALGORITHM_VERSION,
        "steps": numbered,
        "decisive_weight": DECISIVE,
        "report_threshold": REPORT_THRESHOLD,
        "foreign_owner_factor": FOREIGN_OWNER_FACTOR,
        "default_weights": {strength.value: weight for strength, weight in DEFAULT_WEIGHT.items()},
        "probes": [
            {"field": field_name, "indicator_kind": kind.value, "sources": sorted(when) if when else ["any"]}
            for (field_name, kind, _values), when in _PROBES
        ],
    }
