"""Search terms for a vendor, derived from its catalog.

* **strong**: the vendor's and its entities' names in every script the catalog gives (Cyrillic names
  are matched on their stem, so every grammatical case counts), product names and aliases that carry the
  vendor's name, domains, and distinctive component names (``klnagent``, ``avp.exe``).
* **contextual**: abbreviations and generic aliases (KES, KSC, KSN, KAV, "Network Agent"). They count only
  when written as in the catalog (``KES``, not ``Kes``) and the document also has a strong hit or one of
  the context words within a few words.

Look-alikes never match: terms are whole words, so Kasperski, Kasper (a first name), Casper and Dr.Web
do not hit "Kaspersky".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vendorscope.catalog.schema import Catalog, IndicatorKind, Match

CONTEXT_WORDS = [
    "antivirus",
    "anti-virus",
    "av",
    "endpoint",
    "endpoints",
    "malware",
    "virus",
    "edr",
    "epp",
    "agent",
    "agents",
    "console",
    "security",
    "антивирус",
    "защита",
]
CONTEXT_WINDOW = 12  # words either side of an abbreviation
_LEGAL = {"ao", "ooo", "zao", "jsc", "inc", "ltd", "limited", "gmbh", "llc", "ао", "ооо", "зао"}
_CYR_ENDINGS = (
    "ого",
    "ому",
    "ими",
    "ий",
    "ая",
    "ой",
    "ом",
    "ую",
    "ие",
    "их",
    "им",
    "ые",
    "ых",
    "ым",
    "ое",
    "а",
    "у",
    "е",
)
_TRANSLIT = dict(zip("абвгдезийклмнопрстуфхцы", "abvgdeziyklmnoprstufhcy", strict=True))
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One thing to look for: a sequence of whole words (``words``, lower-cased unless ``case_sensitive``).

    ``prefix``: the last word may continue (a Cyrillic stem). ``exact``: the matched text must equal the label
    (components such as ``avp.exe``, where the dot matters)."""

    label: str
    words: tuple[str, ...]
    kind: str  # strong | component | contextual | word
    weight: float
    prefix: bool = False
    case_sensitive: bool = False
    exact: bool = False

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


_CACHE: dict[tuple[str, str], list[Term]] = {}


def vendor_terms(catalog: Catalog) -> list[Term]:
    """The terms of a catalog (computed once per vendor and catalog version)."""
    key = (catalog.vendor.id, catalog.version)
    if key not in _CACHE:
        _CACHE[key] = _derive(catalog)
    return _CACHE[key]


def _derive(catalog: Catalog) -> list[Term]:
    vendor_words = {w.lower() for w in re.findall(r"\w+", catalog.vendor.name) if len(w) > 3}
    names: set[str] = {catalog.vendor.name}
    for entity in catalog.entities:
        names.update((entity.name, *entity.aliases, *entity.former_names))
    abbreviations: set[str] = set()
    for product in catalog.products:
        for name in (product.name, *product.aliases):
            (names if _mentions(name, vendor_words) else abbreviations).add(name)
    terms: dict[str, Term] = {}
    for name in sorted(names):
        if _mentions(name, vendor_words):
            term = _word_term(name, "strong", 1.0)
            terms.setdefault(term.phrase.lower(), term)
        else:
            abbreviations.add(name)
    for stem in sorted(_cyrillic_stems(names, vendor_words)):
        terms[stem] = Term(stem, (stem,), "strong", 1.0, prefix=True)
    for component in _components(catalog):
        term = _word_term(component, "component", 0.8)
        terms.setdefault(term.phrase.lower(), term)
    for abbreviation in sorted(abbreviations):
        term = _word_term(abbreviation, "contextual", 0.4, case_sensitive=True)
        terms.setdefault(term.phrase.lower(), term)
    return list(terms.values())


def _mentions(name: str, vendor_words: set[str]) -> bool:
    words = {w.lower() for w in re.findall(r"\w+", name)}
    return bool(words & vendor_words) or any(_translit(w)[:6] in {v[:6] for v in vendor_words} for w in words)


def _translit(word: str) -> str:
    return "".join(_TRANSLIT.get(c, c) for c in word.lower())


def _cyrillic_stems(names: set[str], vendor_words: set[str]) -> set[str]:
    """Stems of the vendor's name in Cyrillic: 'Касперского' → 'касперск' (matches every case ending)."""
    stems = set()
    prefixes = {v[:6] for v in vendor_words}
    for name in names:
        for word in re.findall(r"\w+", name.lower()):
            if _CYRILLIC.search(word) and _translit(word)[:6] in prefixes:
                for ending in _CYR_ENDINGS:
                    if word.endswith(ending) and len(word) - len(ending) >= 5:
                        word = word[: -len(ending)]
                        break
                stems.add(word)
    return stems


def _components(catalog: Catalog) -> set[str]:
    """Distinctive executable, service and driver names: with an extension, or long enough to be unique."""
    kinds = {IndicatorKind.EXECUTABLE, IndicatorKind.SERVICE, IndicatorKind.DRIVER}
    found = set()
    for indicator in catalog.all_indicators():
        if indicator.kind in kinds and indicator.match == Match.EXACT:
            value = indicator.value
            if re.fullmatch(r"[\w-]+\.(exe|sys|dll|com)", value, re.IGNORECASE) or len(value) >= 7:
                found.add(value)
    return found


def _word_term(name: str, kind: str, weight: float, case_sensitive: bool = False) -> Term:
    words = [w for w in re.findall(r"\w+", name) if w.lower() not in _LEGAL] or re.findall(r"\w+", name)
    if not case_sensitive:
        words = [w.lower() for w in words]
    return Term(name, tuple(words), kind, weight, case_sensitive=case_sensitive, exact=kind == "component")
