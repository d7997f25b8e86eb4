"""Comparable forms of organization names, from established libraries (no legal-form tables here).

``bare``: rigour's normalization and legal-form removal (any script: "АО", "ZAO", "GmbH", "Inc."),
normality's ASCII transliteration (ICU: «Лаборатория Касперского» → "laboratoria kasperskogo"), then
the company types of the fingerprints library ("Corporation", "Co Ltd", "you xian gong si" for 有限公司)
removed as whole words, so every name is compared in one script. fingerprints' own ``remove_types``
does the same with one large regular expression; looking its forms up word by word is ~10x faster,
which screening a whole registry at 10,000 names a second needs.
``full``: fingerprints' form with the legal form kept, used to choose between entities that differ
only by their legal form ("Kaspersky Lab, Inc." and "AO Kaspersky Lab").
"""

from __future__ import annotations

import re
from functools import lru_cache

_PUNCT = re.compile(r"[^\w\s]")
_IDENTIFIER = re.compile(r"[A-Z0-9]{5}|[A-Z0-9]{12}")


@lru_cache(maxsize=1)
def _company_types() -> dict[str, list[tuple[str, ...]]]:
    """fingerprints' company-type forms (ASCII), indexed by first word, longest first."""
    from fingerprints.cleanup import clean_name_ascii
    from fingerprints.types.replacer import normalize_replacements

    replacements = normalize_replacements(clean_name_ascii)
    index: dict[str, list[tuple[str, ...]]] = {}
    for form in {*replacements, *replacements.values()}:
        words = tuple(form.split())
        if words:
            index.setdefault(words[0], []).append(words)
    for forms in index.values():
        forms.sort(key=len, reverse=True)
    return index


def _without_types(words: list[str]) -> list[str]:
    types = _company_types()
    kept: list[str] = []
    i = 0
    while i < len(words):
        form = next((f for f in types.get(words[i], ()) if tuple(words[i : i + len(f)]) == f), None)
        if form is None:
            kept.append(words[i])
            i += 1
        else:
            i += len(form)
    return kept


@lru_cache(maxsize=200_000)
def light(name: str) -> str:
    """The name as ASCII words, legal forms rigour knows removed; company types still in."""
    from normality import ascii_text
    from rigour.names import normalize_name, remove_org_types  # on first use: rigour costs ~20 MB to import

    normalized = normalize_name(name) or ""
    stripped = remove_org_types(normalized) if normalized else ""
    text = stripped if stripped.isascii() else (ascii_text(stripped) or "")
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


@lru_cache(maxsize=200_000)
def bare(name: str) -> str:
    """The name without legal forms or company types, ASCII, lower case, single-spaced; '' when nothing is left."""
    return " ".join(_without_types(light(name).split()))


@lru_cache(maxsize=200_000)
def full(name: str) -> str:
    """The name with its legal form, ASCII, lower case, in its own word order."""
    import fingerprints

    return fingerprints.generate(name, keep_order=True) or ""


def sorted_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


def looks_like_identifier(text: str) -> bool:
    """A CAGE code (5) or UEI (12) is letters and digits with at least one digit; a name rarely is."""
    value = text.strip().upper()
    return bool(_IDENTIFIER.fullmatch(value)) and any(c.isdigit() for c in value)
