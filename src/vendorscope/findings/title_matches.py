"""Persisting the matcher's verdicts per title, and re-matching the whole store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, select

from vendorscope.match.matcher import Attribution, Matcher
from vendorscope.sources.base import TITLE_FIELDS, Item
from vendorscope.store.host_titles import expand_titles
from vendorscope.store.store import Store
from vendorscope.store.tables import Installation, Title, TitleMatch

FINGERPRINT_KEY = "catalog_fingerprint"
_MATCHES = TitleMatch.__table__


def save_matches(
    conn: Connection,
    matcher: Matcher,
    titles: Iterable[tuple[int, Item]],
    attributed: set[int] | None = None,
    matched: Mapping[Item, list[Attribution]] | None = None,
) -> int:
    """Match titles and store the verdicts; returns how many verdicts there were (``attributed`` gets their ids).

    ``matched``: verdicts computed before the transaction (an agent's push matches its new titles before it
    inserts them, so the titles' locks are not held while matching); other items are matched here.
    """
    rows = []
    known = matched or {}
    for title_id, item in titles:
        verdicts = known.get(item)
        for verdict in matcher.match(item) if verdicts is None else verdicts:
            if attributed is not None:
                attributed.add(title_id)
            rows.append(
                {
                    "title_id": title_id,
                    "vendor": verdict.vendor,
                    "product": verdict.product,
                    "kind": verdict.kind,
                    "confidence": verdict.confidence,
                    "evidence": verdict.evidence,
                    "explanation": verdict.explanation,
                    "catalog_version": matcher.catalog_version(verdict.vendor),
                }
            )
    if rows:
        conn.execute(_MATCHES.insert(), rows)
    return len(rows)


def rematch_all(store: Store, matcher: Matcher, batch: int = 5000) -> tuple[int, int]:
    """Re-evaluate every distinct title against the current catalogs; no re-ingest needed."""
    columns = [Title.id, *(getattr(Title, name) for name in TITLE_FIELDS)]
    titles = 0
    attributed = 0
    ids: set[int] = set()
    with store.transaction() as conn:
        conn.execute(_MATCHES.delete())
        result = conn.execute(select(*columns).order_by(Title.id))
        while chunk := result.fetchmany(batch):
            pairs = [(row[0], Item(*row[1:])) for row in chunk]
            titles += len(pairs)
            attributed += save_matches(conn, matcher, pairs, ids)
        rows = set(conn.execute(select(Installation.title_id).distinct()).scalars())
        expand_titles(conn, ids - rows)  # newly attributed titles become installation rows, state and all
        store.set_meta(conn, FINGERPRINT_KEY, matcher.fingerprint)
    return titles, attributed


def ensure_current(store: Store, matcher: Matcher) -> bool:
    """Re-match when the catalogs changed since the store was last matched; True if it did."""
    if store.get_meta(FINGERPRINT_KEY) == matcher.fingerprint:
        return False
    rematch_all(store, matcher)
    return True
