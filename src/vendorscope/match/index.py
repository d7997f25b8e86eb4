"""A catalog compiled for lookup: exact keys in dicts, patterns compiled once.

Candidate retrieval (this module) is kept apart from scoring (``matcher``): the
index answers "which indicators does this field value hit", nothing more.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from vendorscope.catalog.schema import Catalog, Indicator, IndicatorKind, Match, Strength
from vendorscope.match.normalize import org_key, strip_extension, text_key

ORG_KINDS = (IndicatorKind.PUBLISHER, IndicatorKind.SIGNER)


@dataclass(frozen=True, slots=True)
class Rule:
    """An indicator as the matcher uses it, with the product it points at (None: vendor only)."""

    indicator: Indicator
    product: str | None
    label: str  # human words: 'publisher is "Kaspersky Lab"'

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
        for entity in catalog.entities:
            for name in entity.all_names():
                for kind in ORG_KINDS:
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

    def _add(self, rule: Rule) -> None:
        ind = rule.indicator
        if ind.match is Match.PATTERN:
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
    def keys(kind: IndicatorKind, value: str) -> set[str]:
        """The keys under which a value is compared for this kind of indicator."""
        if kind in ORG_KINDS:
            key = org_key(value)
            return {key} if key else set()
        key = text_key(value)
        if kind in (IndicatorKind.DRIVER, IndicatorKind.SERVICE, IndicatorKind.PACKAGE):
            return {key, strip_extension(key)}
        if kind is IndicatorKind.PRODUCT_CODE:
            return {key.strip("{}")}
        return {key}

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
        return hits


def _namespace_hits(spaces: dict[str, list[Rule]], value: str) -> list[Rule]:
    """Rules whose namespace is a whole-segment prefix: com.kaspersky hits com.kaspersky.kes, not com.kasperskyfan."""
    segments = value.split(".")
    hits: list[Rule] = []
    for end in range(1, len(segments) + 1):
        hits.extend(spaces.get(".".join(segments[:end]), ()))
    return hits


def _label(indicator: Indicator) -> str:
    verb = {
        Match.EXACT: "is",
        Match.PATTERN: "matches",
        Match.NAMESPACE: "is in namespace",
        Match.WILDCARD: "matches",
    }[indicator.match]
    return f'{indicator.kind.value} {verb} "{indicator.value}"'
