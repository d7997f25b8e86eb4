"""Finding a catalog's products named in free text (procurement descriptions, part numbers).

Each product's name and aliases are searched as whole words in the normalized text; a name also
matches with its spaces and hyphens dropped ("Kaspersky Antivirus" for "Kaspersky Anti-Virus").
Abbreviations (KES, KSC, KAV: a single word that is not the vendor's name) count only in context,
when the same line also names the vendor or one of its legal entities — as the matcher never lets
an abbreviation decide alone. Text naming only the vendor gives the product ``unidentified``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vendorscope.catalog.schema import Catalog
from vendorscope.match.matcher import UNIDENTIFIED

_NON_WORD = re.compile(r"[\W_]+")


def words(text: str) -> str:
    """Case-folded words separated by single spaces, padded: ' kaspersky endpoint security '."""
    return f" {_NON_WORD.sub(' ', text.casefold()).strip()} "


@dataclass(frozen=True, slots=True)
class ProductMention:
    vendor: str
    product: str  # product id, or "unidentified" when only the vendor is named
    name: str  # the product's (or vendor's) name
    matched: str  # the words that matched
    rule: str


@dataclass(frozen=True, slots=True)
class _Phrase:
    vendor: str
    product: str
    name: str
    text: str  # normalized words, padded
    abbreviation: bool


class ProductSearch:
    """Product names and aliases of every catalog, ready to be searched in text."""

    def __init__(self, catalogs: list[Catalog]) -> None:
        self.phrases: list[_Phrase] = []
        self.vendor_words: dict[str, list[str]] = {}
        for catalog in catalogs:
            vendor = catalog.vendor
            context = {words(vendor.name)} | {words(n) for e in catalog.entities for n in e.all_names()}
            self.vendor_words[vendor.id] = sorted(c for c in context if len(c.strip()) >= 4)
            self.phrases.append(_Phrase(vendor.id, UNIDENTIFIED, vendor.name, words(vendor.name), False))
            owners: dict[str, set[str]] = {}
            for product in catalog.products:
                for alias in (product.name, *product.aliases):
                    owners.setdefault(words(alias), set()).add(product.id)
            for product in catalog.products:
                for alias in (product.name, *product.aliases):
                    text = words(alias)
                    short = len(text.split()) == 1 and text != words(vendor.name)
                    if len(owners[text]) > 1:  # "KES" is several products: it names the vendor only
                        self.phrases.append(_Phrase(vendor.id, UNIDENTIFIED, vendor.name, text, short))
                    else:
                        self.phrases.append(_Phrase(vendor.id, product.id, product.name, text, short))

    def search(self, *texts: str) -> list[ProductMention]:
        """Products named in the texts (a purchase's description, part number, supplier), best first."""
        joined = " ".join(words(t) for t in texts if t)
        squashed = joined.replace(" ", "")
        found: dict[tuple[str, str], ProductMention] = {}
        for phrase in sorted(self.phrases, key=lambda p: -len(p.text)):
            hit = phrase.text in joined or (
                not phrase.abbreviation and len(phrase.text) > 12 and phrase.text.replace(" ", "") in squashed
            )
            if not hit or (phrase.vendor, phrase.product) in found:
                continue
            if phrase.abbreviation and not self._vendor_named(phrase.vendor, joined):
                continue
            rule = (
                f'abbreviation "{phrase.text.strip()}" of {phrase.name}, with the vendor named on the same line'
                if phrase.abbreviation
                else f'names "{phrase.text.strip()}"'
            )
            found[(phrase.vendor, phrase.product)] = ProductMention(
                phrase.vendor, phrase.product, phrase.name, phrase.text.strip(), rule
            )
        identified = {v for v, p in found if p != UNIDENTIFIED}
        return [m for m in found.values() if m.product != UNIDENTIFIED or m.vendor not in identified]

    def _vendor_named(self, vendor: str, joined: str) -> bool:
        return any(c in joined for c in self.vendor_words.get(vendor, ()))
