"""Evidence said in words, for the people who read an answer: "publisher is 'AO Kaspersky Lab'".

A finding's evidence records the catalog rule that fired (a regular expression, a namespace, a weight).
Readers need what was observed, not how it was matched: these functions describe a clue by the field
and the value seen on the system, and a catalog indicator by what it looks for. The rules themselves,
with their weights, go to an appendix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# An evidence or indicator field, as a person names it.
FIELD_WORDS = {
    "publisher": "publisher",
    "name": "name",
    "title": "name",
    "package": "package",
    "identifier": "app identifier",
    "bundle_id": "app identifier",
    "service": "service",
    "driver": "driver",
    "executable": "program file",
    "path": "install folder",
    "install_location": "install folder",
    "signer": "code signer",
    "team_id": "Apple developer team",
    "certificate": "trusted certificate",
    "product_code": "product code",
    "domain": "name looked up or contacted",
    "query": "name looked up",
    "host": "server contacted",
    "network": "address contacted",
    "address": "address contacted",
    "port": "port contacted",
    "uei": "entity identifier (UEI)",
    "cage": "CAGE code",
    "supplier": "supplier",
    "brand": "brand",
    "model": "model",
}

# How sure the catalog's source is, in words.
STRENGTH_WORDS = {
    "vendor": "the vendor's own publications",
    "third-party": "third-party sources",
    "unconfirmed": "an unconfirmed source",
}

# What a match kind means, when describing an indicator (the appendix).
MATCH_WORDS = {
    "exact": "is",
    "pattern": "contains a name like",
    "namespace": "starts with",
    "wildcard": "is under",
}


def field_words(field: str) -> str:
    """A field name as a reader says it (unknown fields: underscores become spaces)."""
    return FIELD_WORDS.get(field, field.replace("_", " "))


def describe_clue(clue: Mapping[str, Any]) -> str:
    """One clue: what was seen, where. ``{"field": "publisher", "value": "AO Kaspersky Lab"}`` →
    ``publisher is "AO Kaspersky Lab"``."""
    field = str(clue.get("field") or "")
    value = str(clue.get("value") or "")
    text = f'{field_words(field)} is "{value}"'
    title = str(clue.get("title") or "")
    if title and title != value and field not in ("name", "title"):
        text += f' (on "{title}")'
    return text


def describe_evidence(evidence: Iterable[Mapping[str, Any]]) -> str:
    """Every distinct clue once, in a stable order, joined for one cell of a table."""
    return "; ".join(sorted({describe_clue(e) for e in evidence}))


def describe_indicator(kind: str, value: str, match: str = "exact") -> str:
    """A catalog indicator as what it looks for: ``publisher is "AO Kaspersky Lab"``,
    ``app identifier starts with "com.kaspersky"``; a pattern is shown by the names it stands for."""
    verb = MATCH_WORDS.get(match, "is")
    shown = pattern_words(value) if match == "pattern" else value
    return f'{field_words(kind)} {verb} "{shown}"'


def pattern_words(pattern: str) -> str:
    r"""A regular expression made readable: ``\bkaspersky\s+password\s+manager\b`` → ``kaspersky password
    manager``. Alternatives become "or"; anything still special stays as written."""
    text = pattern.split("(?!", 1)[0] + (" (with exceptions listed in the catalog)" if "(?!" in pattern else "")
    text = text.replace(r"\b", "").replace(r"\s+", " ").replace(r"\s*", " ").replace(r"\s", " ")
    text = text.replace("(?i)", "").replace("^", "").replace("$", "").replace(r"\.", ".").replace(r"\\", "\\")
    text = text.replace("(?:", "(").replace(".*", " … ").replace(".+", " … ")
    if "|" in text and text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    text = " or ".join(part.strip() for part in text.split("|"))
    return " ".join(text.split())


def strength_words(strength: str) -> str:
    return STRENGTH_WORDS.get(strength, strength)


def confidence_words(confidence: float) -> str:
    """A confidence as a reader weighs it."""
    if confidence >= 0.95:
        return "near certain"
    if confidence >= 0.8:
        return "very likely"
    if confidence >= 0.6:
        return "likely"
    return "possible; needs a person to check"


def describe_finding(product: str, kind: str, confidence: float, evidence: Iterable[Mapping[str, Any]]) -> str:
    """Why a finding exists, in one paragraph without rules or weights."""
    clues = sorted({describe_clue(e) for e in evidence})
    seen = "seen on the network" if kind == "network" else "installed"
    because = "; ".join(clues) if clues else "no clue recorded"
    return f"{product} is {seen} here ({confidence_words(confidence)}, confidence {confidence:.2f}) because: {because}."


def evidence_rows(evidence: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The evidence table of a finding page: each distinct clue once, in words, with the file it came from."""
    rows = {
        (describe_clue(e), str(e.get("title") or ""), str(e.get("version") or ""), str(e.get("artifact") or "")): e
        for e in evidence
    }
    return [
        {"words": words, "title": title, "version": version, "artifact": artifact, "file": str(e.get("file") or "")}
        for (words, title, version, artifact), e in sorted(rows.items())
    ]
