"""Search the records: a user's words, or a vendor's terms from its catalog (see ``terms.py``).

The index finds candidates (any term, best first, within the dates and custodian); each candidate's text
is then checked with the terms' regular expressions, which is where case, whole words and context are
enforced. Results are families: an email is responsive with its attachments, whichever member hit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from vendorscope.records import index
from vendorscope.records.terms import CONTEXT_WINDOW, CONTEXT_WORDS, Term
from vendorscope.records.tokens import TermSet, Tokens
from vendorscope.store.tables import RecordDocument, RecordLocation

BATCH = 1000
MIN_BATCH = 20
SNIPPET = 70
_CONTEXT = set(CONTEXT_WORDS)


@dataclass
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    custodian: str | None = None
    limit: int = 100  # families; 0 for all


@dataclass
class _Family:
    hits: dict[str, int] = field(default_factory=dict)
    score: float = 0.0
    members: list[int] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)


def word_terms(query: str) -> list[Term]:
    """A user's query as terms: words and "quoted phrases", case-insensitive, all required."""
    phrases = [q or w for q, w in re.findall(r'"([^"]+)"|(\S+)', query)]
    return [
        Term(p, tuple(w.lower() for w in re.findall(r"\w+", p)), "word", 1.0) for p in phrases if re.search(r"\w", p)
    ]


def retrieval_terms(terms: list[Term]) -> list[Term]:
    """The terms the index needs to find every candidate: a phrase holding a one-word term ("Kaspersky Lab",
    "klnagent exe") finds nothing more than that word. Half as many phrases makes ranking twice as fast."""
    singles = {t.words[0].lower() for t in terms if len(t.words) == 1 and not t.prefix}
    return [t for t in terms if len(t.words) == 1 or not {w.lower() for w in t.words} & singles]


def search(conn: Connection, terms: list[Term], filters: Filters, require_all: bool) -> list[dict[str, Any]]:
    """Responsive families, best first: ``id, path, custodian, date, subject, score, hits`` and more."""
    if require_all:
        fts = index.all_words_query(conn, " ".join(f'"{t.phrase}"' for t in terms))
    else:
        fts = index.phrase_query(conn, [(t.phrase, t.prefix) for t in retrieval_terms(terms)])
    families: dict[int, _Family] = {}
    term_set = TermSet(terms)
    offset = 0
    while not filters.limit or len(families) < filters.limit:
        wanted = max(filters.limit - len(families), MIN_BATCH) if filters.limit else BATCH  # fetch only what is needed
        batch = index.candidates(conn, fts, filters.since, filters.until, filters.custodian, wanted, offset)
        if not batch:
            break
        offset += len(batch)
        docs = conn.execute(
            select(
                RecordDocument.id,
                RecordDocument.family_id,
                RecordDocument.subject,
                RecordDocument.filename,
                RecordDocument.text,
            ).where(RecordDocument.id.in_([d for d, _ in batch]))
        ).all()
        for doc_id, family_id, subject, filename, body in docs:
            hits, snippets = check(f"{subject or ''}\n{filename}\n{body}", term_set)
            if hits and (not require_all or len(hits) == len(terms)):
                _add(families.setdefault(family_id, _Family()), doc_id, hits, snippets, terms)
    ranked = sorted(families.items(), key=lambda kv: (-kv[1].score, kv[0]))
    if filters.limit:
        ranked = ranked[: filters.limit]
    return _results(conn, ranked)


def check(text: str, terms: TermSet) -> tuple[dict[str, int], list[str]]:
    """Hit counts per term label, and a snippet per term; contextual terms need a strong hit or context."""
    hits: dict[str, int] = {}
    snippets: list[str] = []
    tokens = Tokens(text)
    deferred = []
    for term, found in terms.find(tokens):
        if term.kind == "contextual":
            deferred.append((term, found))
            continue
        hits[term.label] = len(found)
        snippets.append(_snippet(text, *found[0]))
    for term, found in deferred:
        kept = [span for span in found if hits or tokens.near(span, _CONTEXT, CONTEXT_WINDOW)]
        if kept:
            hits[term.label] = len(kept)
            snippets.append(_snippet(text, *kept[0]))
    return hits, snippets


def _snippet(text: str, begin: int, finish: int) -> str:
    start, end = max(0, begin - SNIPPET), finish + SNIPPET
    before, hit, after = text[start:begin], text[begin:finish], text[finish:end]
    clean = " ".join(f"{before}[{hit}]{after}".split())
    return ("…" if start else "") + clean + ("…" if end < len(text) else "")


def _add(family: _Family, doc_id: int, hits: dict[str, int], snippets: list[str], terms: list[Term]) -> None:
    weights = {t.label: t.weight for t in terms}
    family.members.append(doc_id)
    for label, count in hits.items():
        family.hits[label] = family.hits.get(label, 0) + count
    family.score = round(sum(weights[label] * (1 + math.log(count)) for label, count in family.hits.items()), 3)
    family.snippets.extend(snippets[: max(0, 3 - len(family.snippets))])


def _results(conn: Connection, ranked: list[tuple[int, _Family]]) -> list[dict[str, Any]]:
    ids = [family_id for family_id, _ in ranked]
    d = RecordDocument
    columns = (d.id, d.path, d.custodian, d.doc_date, d.subject, d.format)
    tops = {row.id: row for row in conn.execute(select(*columns).where(d.id.in_(ids)))}
    custodians: dict[int, set[str]] = {}
    for doc_id, custodian in conn.execute(
        select(RecordLocation.document_id, RecordLocation.custodian).where(RecordLocation.document_id.in_(ids))
    ):
        custodians.setdefault(doc_id, set()).add(custodian)
    out = []
    for family_id, family in ranked:
        top = tops[family_id]
        out.append(
            {
                "id": family_id,
                "path": top.path,
                "custodian": top.custodian,
                "custodians": sorted(custodians.get(family_id, {top.custodian})),
                "date": top.doc_date.isoformat() if top.doc_date else None,
                "undated": top.doc_date is None,
                "subject": top.subject,
                "format": top.format,
                "score": family.score,
                "hits": dict(sorted(family.hits.items(), key=lambda kv: -kv[1])),
                "hit_documents": sorted(family.members),
                "snippets": family.snippets,
            }
        )
    return out
