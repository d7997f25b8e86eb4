"""The answer said in plain words: one paragraph per question of the request, for a staffer to paste.

Every number comes from the answer's counts (computed once, shown the same everywhere); this module only
puts them into sentences — with singulars, and with "could not be examined" said as unknown, never clean.
The rules that matched, in words, go to the report's appendix (``evidence_rules``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from vendorscope.catalog.schema import Catalog
from vendorscope.findings.words import describe_indicator, strength_words

MAX_NAMED = 6  # products, contractors or hosts named in a sentence before "and N more"
QUESTIONS = {
    "systems": "Which systems run {vendor} software?",
    "contractors": "Which contractors and subcontractors use it?",
    "documents": "Which documents assess its products and their risk?",
}


class Counts(Protocol):
    hosts_known: int
    hosts_examined: int
    hosts_not_examined: int
    hosts_affected: int
    hosts_affected_installed: int
    hosts_affected_network_only: int
    documents_searched: int
    documents_found: int
    documents_produced: int
    documents_withheld: int
    documents_unreviewed: int
    documents_not_examined: int


@dataclass(frozen=True)
class Answered:
    item: str
    question: str
    paragraph: str


def number(n: int, one: str, many: str | None = None) -> str:
    """``1 system``, ``40 systems``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def listing(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``, ``a, b, … and 4 more``."""
    shown = list(names[:MAX_NAMED])
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1] if shown else ""


def systems_paragraph(
    vendor: str, counts: Counts, products: Sequence[tuple[str, int]], not_examined: Sequence[str]
) -> str:
    c = counts
    if not c.hosts_known:
        return "No system is known yet: no inventory has been ingested, so this question has no answer yet."
    if c.hosts_affected:
        text = (
            f"{number(c.hosts_affected, 'system')} {'runs' if c.hosts_affected == 1 else 'run'} {vendor} software: "
            f"{c.hosts_affected_installed:,} {'has' if c.hosts_affected_installed == 1 else 'have'} it installed"
        )
        if c.hosts_affected_network_only:
            text += (
                f", {c.hosts_affected_network_only:,} {'was' if c.hosts_affected_network_only == 1 else 'were'} "
                f"seen contacting {vendor} servers without any {vendor} software found on "
                f"{'it' if c.hosts_affected_network_only == 1 else 'them'}"
            )
        text += "."
        if products:
            text += " Products: " + listing([f"{name} ({number(n, 'system')})" for name, n in products]) + "."
    else:
        text = f"No examined system runs {vendor} software."
    text += f" {c.hosts_examined:,} of the {number(c.hosts_known, 'known system')} were examined"
    if c.hosts_not_examined:
        which = f" ({listing(list(not_examined))})" if not_examined else ""
        text += (
            f"; {number(c.hosts_not_examined, 'system')}{which} could not be examined, so whether "
            f"{'it runs' if c.hosts_not_examined == 1 else 'they run'} {vendor} software is unknown — "
            f"{'it is' if c.hosts_not_examined == 1 else 'they are'} not counted as clean."
        )
    else:
        text += ", all of them."
    return text


def contractors_paragraph(vendor: str, contractors: Iterable[dict[str, Any]], purchases: int, note: str = "") -> str:
    users = [r for r in contractors if r.get("kind") != "covered supplier"]
    sellers = [r for r in contractors if r.get("kind") == "covered supplier"]
    if not users and not sellers and not purchases:
        return f"No contractor or subcontractor is known to use {vendor} software{f' ({note})' if note else ''}."
    parts = []
    if users:
        named = [
            f"{r['name']} ({r['kind']}{', under ' + r['prime'] if r.get('prime') else ''}; "
            f"{number(int(r.get('hosts_with_vendor') or 0), 'system')})"
            for r in users
        ]
        parts.append(
            f"{number(len(users), 'contractor or subcontractor', 'contractors and subcontractors')} "
            f"{'uses' if len(users) == 1 else 'use'} {vendor} software: {listing(named)}."
        )
    else:
        parts.append(f"No contractor or subcontractor is known to run {vendor} software.")
    if purchases:
        parts.append(f"{number(purchases, 'purchase')} {'names' if purchases == 1 else 'name'} {vendor} products.")
    if sellers:
        parts.append(f"Covered suppliers in the purchase records: {listing([r['name'] for r in sellers])}.")
    return " ".join(parts)


def documents_paragraph(vendor: str, counts: Counts, since: date | None) -> str:
    """What the records search found, what was produced or withheld, and what nobody could read or review yet."""
    c = counts
    if not c.documents_searched:
        return (
            "No document archive has been searched (records are ingested with `vendorscope records ingest`), "
            "so this question has no answer yet — which is not the same as finding none."
        )
    when = f"dated on or after {since.day} {since:%B %Y}" if since else "of any date"
    found = c.documents_found
    text = (
        f"A search of the {number(c.documents_searched, 'document')} in the records archive found "
        f"{number(found, 'document family', 'document families')} {when} that "
        f"{'mentions' if found == 1 else 'mention'} {vendor} or its products (an email and its attachments "
        "count as one family)."
    )
    if c.documents_produced or c.documents_withheld:
        withheld = (
            f"{number(c.documents_withheld, 'privileged document')} {'is' if c.documents_withheld == 1 else 'are'} "
            "withheld and listed in the privilege log"
            if c.documents_withheld
            else "no document is withheld as privileged"
        )
        text += (
            f" Reviewers marked documents responsive: {number(c.documents_produced, 'document')} "
            f"{'is' if c.documents_produced == 1 else 'are'} produced (see the documents index), and {withheld}."
        )
    else:
        text += " No document has been marked responsive yet, so none is produced."
    if c.documents_unreviewed:
        text += (
            f" {number(c.documents_unreviewed, 'family', 'families')} found "
            f"{'has' if c.documents_unreviewed == 1 else 'have'} not been reviewed yet: whether "
            f"{'it is' if c.documents_unreviewed == 1 else 'they are'} responsive is not yet known."
        )
    elif found:
        text += " Every family found has been reviewed."
    if c.documents_not_examined:
        one = c.documents_not_examined == 1
        text += (
            f" {number(c.documents_not_examined, 'document or file', 'documents or files')} could not be read "
            f"(listed in the exceptions report), so whether {'it assesses' if one else 'they assess'} {vendor} "
            f"products is unknown — {'it is' if one else 'they are'} not counted as having none."
        )
    return text


def methods_paragraph(methods: Sequence[tuple[str, int]], counts: Counts) -> str:
    """How the systems were examined, in words; what was not examined."""
    if not methods:
        return "No system was examined."
    how = listing([f"{name} ({number(n, 'system')})" for name, n in methods])
    text = f"Systems were examined by: {how} (a system examined in two ways is counted under each)."
    if counts.hosts_not_examined:
        text += (
            f" {number(counts.hosts_not_examined, 'system')} known from other sources (a registry, network logs) "
            f"{'was' if counts.hosts_not_examined == 1 else 'were'} never examined: "
            "unknown, not clean."
        )
    return text


def evidence_rules(catalog: Catalog, product_names: Iterable[str]) -> list[dict[str, str]]:
    """The catalog's rules for the products in the answer (and the vendor's own), in words, with their source."""
    wanted = set(product_names)
    rows = []
    scopes = [(f"{catalog.vendor.name} (any product)", catalog.indicators)]
    scopes += [(p.name, p.indicators) for p in catalog.products if p.name in wanted]
    for scope, indicators in scopes:
        for i in indicators:
            source = catalog.sources.get(i.source)
            rows.append(
                {
                    "applies to": scope,
                    "looks for": describe_indicator(i.kind.value, i.value, i.match.value),
                    "according to": f"{source.title if source else i.source} ({strength_words(i.strength.value)})",
                    "rule": f"{i.kind.value} {i.match.value} {i.value!r}, weight {i.effective_weight:.2f}",
                }
            )
    return rows
