"""A catalog compiled for lookup: exact keys in dicts, patterns compiled once.

Candidate retrieval (this module) is kept apart from scoring (``matcher``): the
index answers "which indicators does this field value hit", nothing more.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass

from vendorscope.catalog.schema import Catalog, Indicator, IndicatorKind, Match, Relabel, Strength
from vendorscope.match.normalize import org_key, strip_extension, text_key
from vendorscope.oui import resolve as resolve_oui

ORG_KINDS = (IndicatorKind.PUBLISHER, IndicatorKind.SIGNER)
# Compared as organization names (legal forms removed); entities' names are also manufacturers of devices.
_ORG_COMPARED = (*ORG_KINDS, IndicatorKind.MANUFACTURER)
# Where a relabeler's brand shows on a device: its manufacturer field, web page, banners, model strings.
_BRAND_KINDS = (
    IndicatorKind.HTTP_TITLE,
    IndicatorKind.NMAP_SERVICE,
    IndicatorKind.MODEL,
    IndicatorKind.SNMP_DESCR,
    IndicatorKind.TLS_SUBJECT,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """An indicator as the matcher uses it, with the product it points at (None: vendor only)."""

    indicator: Indicator
    product: str | None
    label: str  # human words: 'publisher is "Kaspersky Lab"'
    brand: str = ""  # set when the rule is a relabeler's brand (the name on the label, not the maker)

    @property
    def weight(self) -> float:
        return self.indicator.effective_weight


class CatalogIndex:
    """Lookup structures for one vendor's catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.vendor = catalog.vendor.id
        self._exact: dict[IndicatorKind, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
        self._patterns: dict[IndicatorKind, list[tuple[re.Pattern[str], Rule]]] = defaultdict(list)
        self._namespaces: dict[IndicatorKind, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
        self._wildcards: dict[str, list[Rule]] = defaultdict(list)  # "*.kaspersky.com" under "kaspersky.com"
        self._networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Rule]] = []
        self.kinds: set[IndicatorKind] = set()  # kinds this catalog has rules for: the others need no lookup
        for entity in catalog.entities:
            for name in entity.all_names():
                for kind in _ORG_COMPARED:
                    indicator = Indicator(
                        kind=kind,
                        value=name,
                        source=entity.source,
                        strength=Strength.VENDOR,
                        note=f"legal entity {entity.name}",
                    )
                    self._add(Rule(indicator, None, f'{kind.value} is the vendor entity "{name}"'))
        for indicator in catalog.indicators:
            self._add(Rule(indicator, None, _label(indicator)))
        for product in catalog.products:
            for indicator in product.indicators:
                self._add(Rule(indicator, product.id, _label(indicator)))
        for relabel in catalog.relabels:
            for rule in _brand_rules(relabel):
                self._add(rule)

    def _add(self, rule: Rule) -> None:
        ind = rule.indicator
        self.kinds.add(ind.kind)
        if ind.kind is IndicatorKind.NETWORK:
            network = parse_network(ind.value)
            if network is not None:
                self._networks.append((network, rule))
        elif ind.kind is IndicatorKind.OUI:  # an organization: its registered prefixes, read from the registry
            for oui in resolve_oui(ind.value, ind.match is Match.PATTERN):
                self._exact[ind.kind][oui.lower()].append(rule)
        elif ind.match is Match.WILDCARD:
            self._wildcards[domain_key(ind.value).removeprefix("*.")].append(rule)
        elif ind.match is Match.PATTERN:
            self._patterns[ind.kind].append((re.compile(ind.value, re.IGNORECASE), rule))
        elif ind.match is Match.NAMESPACE:
            self._namespaces[ind.kind][text_key(ind.value).rstrip(".")].append(rule)
        elif ind.match is Match.EXACT:
            for key in self.keys(ind.kind, ind.value):
                same_key = self._exact[ind.kind][key]
                # Names that normalize alike ("AO Kaspersky Lab", "Kaspersky Lab ZAO") are one piece of evidence.
                if not any(r.product == rule.product for r in same_key):
                    same_key.append(rule)

    @staticmethod
    def keys(kind: IndicatorKind, value: str) -> tuple[str, ...]:
        """The keys under which a value is compared for this kind of indicator, in a fixed order.

        A tuple, not a set: which of two indicators ("klif.sys", "klif") claims a shared key, hence the
        evidence text, must not depend on the hash seed.
        """
        if kind in _ORG_COMPARED:
            key = org_key(value)
            return (key,) if key else ()
        if kind is IndicatorKind.DOMAIN:
            return (domain_key(value),)
        key = text_key(value)
        if kind in (IndicatorKind.DRIVER, IndicatorKind.SERVICE, IndicatorKind.PACKAGE):
            return tuple(dict.fromkeys((key, strip_extension(key))))
        if kind is IndicatorKind.PRODUCT_CODE:
            return (key.strip("{}"),)
        return (key,)

    def lookup(self, kind: IndicatorKind, value: str) -> list[tuple[Rule, str]]:
        """Rules hit by ``value``, each with the text that hit."""
        if not value:
            return []
        hits: list[tuple[Rule, str]] = []
        exact = self._exact.get(kind)
        if exact:
            for key in self.keys(kind, value):
                hits.extend((rule, value) for rule in exact.get(key, ()))
        for pattern, rule in self._patterns.get(kind, ()):
            found = pattern.search(value)
            if found:
                hits.append((rule, found.group(0)))
        spaces = self._namespaces.get(kind)
        if spaces:
            hits.extend((rule, value) for rule in _namespace_hits(spaces, text_key(value)))
        if kind is IndicatorKind.DOMAIN and self._wildcards:
            hits.extend((rule, value) for rule in _wildcard_hits(self._wildcards, domain_key(value)))
        elif kind is IndicatorKind.NETWORK and self._networks:
            hits.extend((rule, value) for rule in _network_hits(self._networks, value))
        return hits


def domain_key(name: str) -> str:
    """DNS names compare case-insensitively, without the root's trailing dot."""
    return name.strip().rstrip(".").lower()


def parse_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def _wildcard_hits(wildcards: dict[str, list[Rule]], name: str) -> list[Rule]:
    """``*.kaspersky.com`` covers kaspersky.com and every name below it, on whole labels."""
    labels = name.split(".")
    hits: list[Rule] = []
    for start in range(len(labels)):
        hits.extend(wildcards.get(".".join(labels[start:]), ()))
    return hits


def _network_hits(networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Rule]], value: str) -> list[Rule]:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return []
    return [rule for network, rule in networks if address in network]


def _namespace_hits(spaces: dict[str, list[Rule]], value: str) -> list[Rule]:
    """Rules whose namespace is a whole-segment prefix: com.kaspersky hits com.kaspersky.kes, not com.kasperskyfan."""
    segments = value.split(".")
    hits: list[Rule] = []
    for end in range(1, len(segments) + 1):
        hits.extend(spaces.get(".".join(segments[:end]), ()))
    return hits


def _brand_rules(relabel: Relabel) -> list[Rule]:
    """A relabeler's brand as weak rules: its name as a device's manufacturer or a word on its pages, its models."""
    common = {"source": relabel.source, "strength": relabel.strength, "weight": relabel.weight}
    note = f"relabeler: {relabel.brand} sells devices made by the vendor under its own name"
    rules = []
    for name in (relabel.brand, *relabel.aliases):
        exact = Indicator(kind=IndicatorKind.MANUFACTURER, value=name, note=note, **common)
        rules.append(Rule(exact, None, f'manufacturer is the relabeling brand "{name}"', relabel.brand))
        word = r"\b" + re.escape(name).replace(r"\ ", r"[\s_-]*") + r"\b"
        for kind in _BRAND_KINDS:
            indicator = Indicator(kind=kind, value=word, match=Match.PATTERN, note=note, **common)
            rules.append(Rule(indicator, None, f'{kind.value} names the relabeling brand "{name}"', relabel.brand))
    for model in relabel.models:
        for kind in (IndicatorKind.MODEL, IndicatorKind.DHCP_HOSTNAME):
            indicator = Indicator(kind=kind, value=model, match=Match.PATTERN, note=note, **common)
            rules.append(Rule(indicator, None, f"{kind.value} is a {relabel.brand} model number", relabel.brand))
    return rules


def _label(indicator: Indicator) -> str:
    verb = {
        Match.EXACT: "is",
        Match.PATTERN: "matches",
        Match.NAMESPACE: "is in namespace",
        Match.WILDCARD: "matches",
    }[indicator.match]
    return f'{indicator.kind.value} {verb} "{indicator.value}"'
