"""Email threads: Message-ID / In-Reply-To / References link messages; a reply with none of them joins
the thread of the same subject once reply and forward prefixes are removed. ``thread_id`` is the smallest
document id of the thread; ``groups.py`` keeps it as each batch is written."""

from __future__ import annotations

import re
from collections.abc import Iterable

from vendorscope.records.dedup import _find, _union

_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_ID = re.compile(r"<[^<>\s]+>")
_SPACES = re.compile(r"\s+")
EMAIL_FORMATS = ("email", "msg")


def normalized_subject(subject: str | None) -> str:
    return _SPACES.sub(" ", _PREFIX.sub("", subject or "")).strip().lower()


def thread_roots(rows: Iterable[tuple[int, str | None, str | None, str | None, str | None]]) -> dict[int, int]:
    """Every e-mail's thread (the smallest id in it) from (id, Message-ID, In-Reply-To, References, subject)
    in id order, over them all at once: the definition ``groups.py`` keeps batch by batch (a test holds the
    two equal)."""
    rows = list(rows)
    parent: dict[int, int] = {}
    by_message_id: dict[str, int] = {}
    for doc_id, message_id, _, _, _ in rows:
        _find(parent, doc_id)
        for mid in _ID.findall(message_id or ""):
            if mid in by_message_id:
                _union(parent, doc_id, by_message_id[mid])
            by_message_id.setdefault(mid, doc_id)
    by_subject: dict[str, int] = {}
    unlinked: list[tuple[int, str]] = []
    for doc_id, _, in_reply_to, references, subject in rows:
        linked = _ID.findall(f"{in_reply_to or ''} {references or ''}")
        for mid in linked:
            if mid in by_message_id:
                _union(parent, doc_id, by_message_id[mid])
        key = normalized_subject(subject)
        if key:
            by_subject.setdefault(key, doc_id)
            if not linked and _PREFIX.match(subject or ""):
                unlinked.append((doc_id, key))
    for doc_id, key in unlinked:
        _union(parent, doc_id, by_subject[key])
    return {doc_id: _find(parent, doc_id) for doc_id in parent}
