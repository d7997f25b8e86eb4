"""Search the records: a user's words, or a vendor's terms from its catalog (see ``terms.py``).

The index finds candidates (any term, best first, within the dates and custodian); each candidate's text
is then checked word by word, which is where case, whole words and context are enforced. Results are
families: an email is responsive with its attachments, whichever member hit. A vendor search then adds
**thread context**: every other message of a thread that holds a responsive message (a reply that says
only "KES", a forward without words of its own) is a candidate too, with that reason. Each result
explains itself: which term matched in which document, and what the catalog says the term is.
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
CHUNK = 500  # ids per IN (...) query
MIN_BATCH = 20
SNIPPET = 70
THREAD_SCORE = 0.3  # a family that is a candidate only through its thread ranks below every direct hit
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
    reasons: list[str] = field(default_factory=list)
    via: str = "hit"  # or "thread context"


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
            found = examine(f"{subject or ''}\n{filename}\n{body}", term_set)
            if found.hits and (not require_all or len(found.hits) == len(terms)):
                _add(families.setdefault(family_id, _Family()), doc_id, filename, found, terms)
    if not require_all:
        _thread_context(conn, families, filters, terms)
    ranked = sorted(families.items(), key=lambda kv: (-kv[1].score, kv[0]))
    if filters.limit:
        ranked = ranked[: filters.limit]
    return _results(conn, ranked)


@dataclass
class Examined:
    """What one document's text holds: hit counts and a snippet per term, and why each term counts."""

    hits: dict[str, int] = field(default_factory=dict)
    snippets: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)


def check(text: str, terms: TermSet) -> tuple[dict[str, int], list[str]]:
    """Hit counts per term label, and a snippet per term; contextual terms need a strong hit or context."""
    found = examine(text, terms)
    return found.hits, found.snippets


def examine(text: str, terms: TermSet, context: str | None = None) -> Examined:
    """The hits of a text, each with its reason; contextual terms count only with a strong hit in the text
    or a context word within ``CONTEXT_WINDOW`` words — or when ``context`` says the text is in a responsive
    thread."""
    out = Examined()
    tokens = Tokens(text)
    deferred = []
    for term, spans in terms.find(tokens):
        if term.kind == "contextual":
            deferred.append((term, spans))
            continue
        out.hits[term.label] = len(spans)
        out.snippets.append(_snippet(text, *spans[0]))
        out.why[term.label] = term.why or "search term"
    strong = sorted(out.hits)
    for term, spans in deferred:
        kept = [(span, tokens.near_word(span, _CONTEXT, CONTEXT_WINDOW)) for span in spans]
        kept = [(span, word) for span, word in kept if strong or word or context]
        if kept:
            span, word = kept[0]
            out.hits[term.label] = len(kept)
            out.snippets.append(_snippet(text, *span))
            if strong:
                said = f"with {strong[0]} in the same document"
            else:
                said = f"{word!r} within {CONTEXT_WINDOW} words" if word else str(context)
            out.why[term.label] = f"{term.why or 'abbreviation'}: {said}"
    return out


def _thread_context(conn: Connection, families: dict[int, _Family], filters: Filters, terms: list[Term]) -> None:
    """Add every family that shares an email thread with a responsive family, saying which message made
    the thread responsive. Dates and custodian filter them like any other candidate."""
    if not families:
        return
    d = RecordDocument
    threads: dict[int, int] = {}  # thread id → the responsive family that names the vendor
    for chunk in _chunks(sorted(families)):
        rows = conn.execute(select(d.thread_id, d.family_id).where(d.family_id.in_(chunk), d.thread_id.is_not(None)))
        for thread_id, family_id in rows:
            threads.setdefault(thread_id, family_id)
    if not threads:
        return
    subjects = dict(conn.execute(select(d.id, d.subject).where(d.id.in_(set(threads.values())))).all())
    term_set = TermSet(terms)
    for family_id, thread_id in _thread_members(conn, threads):
        if family_id in families or not _within(conn, family_id, filters):
            continue
        source = threads[thread_id]
        named = ", ".join(list(families[source].hits)[:2])
        where = f"in a thread whose message #{source} {subjects.get(source) or ''!r} names {named}"
        family = _Family(score=THREAD_SCORE, reasons=[f"thread context: {where}"], via="thread context")
        members = conn.execute(select(d.id, d.subject, d.filename, d.text).where(d.family_id == family_id))
        for doc_id, subject, filename, body in members:  # weak terms count here: the thread is the context
            found = examine(f"{subject or ''}\n{filename}\n{body}", term_set, context=where)
            if found.hits:
                _add(family, doc_id, filename, found, terms)
                family.score = round(min(family.score, THREAD_SCORE), 3)
        families[family_id] = family


def _thread_members(conn: Connection, threads: dict[int, int]) -> list[tuple[int, int]]:
    """(family, thread) of every document in the given threads, in the order the search has always used
    (threads in chunks of 500, family order within a chunk). Read through ``ix_record_documents_thread``:
    the cost follows the responsive threads, not the archive (a pass over every document grew with it)."""
    d = RecordDocument
    found: list[tuple[int, int]] = []
    for chunk in _chunks(sorted(threads), CHUNK):
        rows = conn.execute(select(d.id, d.family_id, d.thread_id).where(d.thread_id.in_(chunk)))
        ordered = sorted((f is not None, f or 0, i, f, t) for i, f, t in rows)  # NULL first, as ORDER BY did
        found += [(family_id, thread_id) for *_, family_id, thread_id in ordered]
    return found


def _within(conn: Connection, family_id: int, filters: Filters) -> bool:
    """Whether a family passes the date and custodian filters (undated families always do)."""
    d = RecordDocument
    date = conn.execute(select(d.doc_date).where(d.id == family_id)).scalar()
    if date is not None and ((filters.since and date < filters.since) or (filters.until and date >= filters.until)):
        return False
    if filters.custodian:
        located = select(RecordLocation.document_id).where(
            RecordLocation.document_id == family_id, RecordLocation.custodian == filters.custodian
        )
        return conn.execute(located).first() is not None
    return True


def _chunks(values: list[int], size: int = CHUNK) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _snippet(text: str, begin: int, finish: int) -> str:
    start, end = max(0, begin - SNIPPET), finish + SNIPPET
    before, hit, after = text[start:begin], text[begin:finish], text[finish:end]
    clean = " ".join(f"{before}[{hit}]{after}".split())
    return ("…" if start else "") + clean + ("…" if end < len(text) else "")


def _add(family: _Family, doc_id: int, filename: str, found: Examined, terms: list[Term]) -> None:
    weights = {t.label: t.weight for t in terms}
    family.members.append(doc_id)
    for label, count in found.hits.items():
        family.hits[label] = family.hits.get(label, 0) + count
        family.reasons.append(f"matched {label} ({found.why[label]}) in #{doc_id} {filename}")
    family.score = round(sum(weights[label] * (1 + math.log(count)) for label, count in family.hits.items()), 3)
    family.snippets.extend(found.snippets[: max(0, 3 - len(family.snippets))])


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
                "via": family.via,
                "reasons": family.reasons,
            }
        )
    return out
