"""Duplicates: exact (same bytes, by SHA-256), email (same normalized headers and body, see
``extract.email.email_key``) and near (MinHash over word 3-grams with datasketch's LSH).

Exact and email duplicates are decided at ingest: the document is kept once and every custodian and path
is recorded in ``record_locations``. Near-duplicates are grouped after each ingest over the whole store.
"""

from __future__ import annotations

import functools
import re
import zlib

from sqlalchemy import Connection, bindparam, select, update

from vendorscope.store.tables import RecordDocument

NUM_PERM = 64
SCHEME = "affine32"  # datasketch's hashing scheme, stated so stored signatures stay comparable
THRESHOLD = 0.8
MIN_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> bytes | None:
    """The MinHash of a text's word 3-grams, or None when the text is too short to compare."""
    from datasketch import MinHash

    words = _WORD.findall(text.lower()[:200_000])
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + 3]).encode("utf-8") for i in range(len(words) - 2)}
    sketch = MinHash(NUM_PERM, seed=1, scheme=SCHEME, hashfunc=zlib.crc32, permutations=_permutations())
    sketch.update_batch(list(shingles))
    return sketch.hashvalues.astype("<u8").tobytes()


@functools.cache
def _permutations() -> object:
    """The permutations are the same for every document (same seed): make them once per process."""
    from datasketch import MinHash

    return MinHash(NUM_PERM, seed=1, scheme=SCHEME).permutations


def group_near_duplicates(conn: Connection) -> int:
    """Set ``near_dup_group`` (the smallest id of the group) on every document with a near twin."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    parent: dict[int, int] = {}
    rows = conn.execute(select(RecordDocument.id, RecordDocument.minhash).where(RecordDocument.minhash.is_not(None)))
    for doc_id, blob in rows:
        sketch = LeanMinHash(seed=1, hashvalues=np.frombuffer(blob, dtype="<u8"), scheme=SCHEME)
        for other in lsh.query(sketch):
            _union(parent, doc_id, other)
        lsh.insert(doc_id, sketch, check_duplication=False)
    groups: dict[int, int] = {doc_id: _find(parent, doc_id) for doc_id in parent}
    conn.execute(update(RecordDocument).values(near_dup_group=None).where(RecordDocument.near_dup_group.is_not(None)))
    set_column(conn, "near_dup_group", groups)  # only documents that met a twin are in `parent`
    return len(set(groups.values()))


def set_column(conn: Connection, column: str, values: dict[int, int | None]) -> None:
    """Set one integer column on many documents in one executemany."""
    if not values:
        return
    statement = (
        update(RecordDocument)
        .where(RecordDocument.id == bindparam("doc_id"))
        .values({column: bindparam("value")})
        .execution_options(synchronize_session=False)
    )
    conn.execute(statement, [{"doc_id": d, "value": v} for d, v in values.items()])


def _find(parent: dict[int, int], x: int) -> int:
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _union(parent: dict[int, int], a: int, b: int) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)
