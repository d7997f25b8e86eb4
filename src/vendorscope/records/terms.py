"""Search terms for a vendor, derived from its catalog.

* **strong**: the vendor's and its entities' names in every script the catalog gives (Cyrillic names
  are matched on their stem, so every grammatical case counts), product names and aliases that carry the
  vendor's name, and the catalog's own name forms (misspellings such as "Kapersky", ``TDSSKiller``).
* **component**: every distinctive catalog indicator an engineer writes about the product through its
  parts: drivers (``klif.sys``), processes (``avp.exe``), services, agent and package names
  (``klnagent64``), app ids (``com.kaspersky.kes``), cloud services (``ksn-file-geo.kaspersky-labs.com``),
  the Apple team id.
* **contextual**: abbreviations and generic aliases (KES, KSC, KSN, KAV, "Network Agent"). They count only
  when written as in the catalog (``KES``, not ``Kes``) and the document also has a strong hit, or one of
  the context words is within a few words, or its thread or family is responsive (see ``search.py``).

Every term says why it is one (``why``): "driver of Kaspersky Endpoint Security for Windows, catalog
indicator", shown with each hit.

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
    why: str = ""  # what the catalog says this term is, for the hit's explanation

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
    vendor = catalog.vendor.name
    vendor_words = {w.lower() for w in re.findall(r"\w+", vendor) if len(w) > 3}
    names: dict[str, str] = {vendor: f"name of {vendor}"}
    for entity in catalog.entities:
        for name in (entity.name, *entity.aliases, *entity.former_names):
            names.setdefault(name, f"name of {entity.name} (catalog entity)")
    abbreviations: dict[str, str] = {}
    for product in catalog.products:
        for name in (product.name, *product.aliases):
            why = f"product {product.name}" if name == product.name else f"name of {product.name}"
            if _mentions(name, vendor_words):
                names.setdefault(name, why)
            else:
                abbreviations.setdefault(name, f"abbreviation of {product.name}, only in context")
    for name in [n for n in names if not _mentions(n, vendor_words)]:  # an entity's bare abbreviation (KLL)
        abbreviations.setdefault(name, f"abbreviation of {names.pop(name).removeprefix('name of ')}, only in context")
    terms: dict[str, Term] = {}
    for name in sorted(names):
        term = _word_term(name, "strong", 1.0, why=names[name])
        terms.setdefault(term.phrase.lower(), term)
    for stem in sorted(_cyrillic_stems(set(names), vendor_words)):
        terms[stem] = Term(stem, (stem,), "strong", 1.0, prefix=True, why=f"{vendor} in Russian (every case ending)")
    for word, why in sorted(_name_forms(catalog).items()):
        terms.setdefault(word.lower(), Term(word, (word.lower(),), "strong", 1.0, why=why))
    for component, why in sorted(_components(catalog).items()):
        term = _word_term(component, "component", 0.8, why=why)
        terms.setdefault(term.phrase.lower(), term)
    for abbreviation in sorted(abbreviations):
        term = _word_term(abbreviation, "contextual", 0.4, case_sensitive=True, why=abbreviations[abbreviation])
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


_KIND_WORDS = {
    IndicatorKind.DRIVER: "driver",
    IndicatorKind.EXECUTABLE: "process",
    IndicatorKind.SERVICE: "service",
    IndicatorKind.PACKAGE: "package",
    IndicatorKind.BUNDLE_ID: "app id",
    IndicatorKind.DOMAIN: "cloud service",
    IndicatorKind.TEAM_ID: "Apple developer team id",
}
_SIMPLE_WORD = re.compile(r"^(?:\\b)?([\w-]{6,})(?:\\b)?$")


def _owners(catalog: Catalog) -> dict[int, str]:
    """id(indicator) → the product it belongs to (the vendor for vendor-wide indicators)."""
    owners = {id(i): catalog.vendor.name for i in catalog.indicators}
    for product in catalog.products:
        owners.update({id(i): product.name for i in product.indicators})
    return owners


def _components(catalog: Catalog) -> dict[str, str]:
    """Distinctive indicator values and why each is one: drivers, processes, services and packages with an
    extension or long enough to be unique; app ids, cloud-service names and team ids always."""
    owners = _owners(catalog)
    vendor_words = {w.lower() for w in re.findall(r"\w+", catalog.vendor.name)}
    found: dict[str, str] = {}
    for indicator in catalog.all_indicators():
        kind = indicator.kind
        if kind not in _KIND_WORDS or indicator.match not in (Match.EXACT, Match.WILDCARD):
            continue
        value = indicator.value.removeprefix("*.")
        named = kind in (IndicatorKind.DRIVER, IndicatorKind.EXECUTABLE, IndicatorKind.SERVICE, IndicatorKind.PACKAGE)
        if named and not re.fullmatch(r"[\w-]+\.(exe|sys|dll)|[\w-]{7,}", value, re.IGNORECASE):
            continue  # short names, and avp.com (also a web address), are not distinctive
        if kind == IndicatorKind.DOMAIN and value.split(".")[0].lower() in vendor_words:
            continue  # kaspersky.com, kaspersky.co.uk: the vendor's name already finds them
        found.setdefault(value, f"{_KIND_WORDS[kind]} of {owners[id(indicator)]}, catalog indicator")
    return found


def _name_forms(catalog: Catalog) -> dict[str, str]:
    """Single-word name patterns of the catalog (a misspelling such as ``\\bkapersky\\b``, ``\\btdsskiller\\b``)."""
    owners = _owners(catalog)
    forms: dict[str, str] = {}
    for indicator in catalog.all_indicators():
        if indicator.kind != IndicatorKind.NAME or indicator.match != Match.PATTERN:
            continue
        simple = _SIMPLE_WORD.match(indicator.value)
        if simple and not _CYRILLIC.search(simple.group(1)):
            what = "misspelling" if "misspell" in (indicator.note or "").lower() else "name"
            forms[simple.group(1)] = f"{what} of {owners[id(indicator)]}, catalog indicator"
    return forms


def _word_term(name: str, kind: str, weight: float, case_sensitive: bool = False, why: str = "") -> Term:
    words = [w for w in re.findall(r"\w+", name) if w.lower() not in _LEGAL] or re.findall(r"\w+", name)
    if not case_sensitive:
        words = [w.lower() for w in words]
    exact = kind == "component"
    return Term(name, tuple(words), kind, weight, case_sensitive=case_sensitive, exact=exact, why=why)
