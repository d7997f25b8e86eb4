"""Duplicates: exact (same bytes, by SHA-256), email (same normalized headers and body, see
``extract.email.email_key``) and near (MinHash over word 3-grams with datasketch's LSH).

Exact and email duplicates are decided at ingest: the document is kept once and every custodian and path
is recorded in ``record_locations``. Near-duplicates are grouped as each batch is written (``groups.py``,
with the definition below).
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Iterable

NUM_PERM = 64
SCHEME = "affine32"  # datasketch's hashing scheme, stated so stored signatures stay comparable
THRESHOLD = 0.8
BANDS, ROWS = 5, 11  # what datasketch's MinHashLSH picks for THRESHOLD and NUM_PERM (equal weights)
MIN_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> bytes | None:
    """The MinHash of a text's word 3-grams, or None when the text is too short to compare.

    Computed here with numpy exactly as datasketch's ``MinHash(NUM_PERM, seed=1, scheme="affine32",
    hashfunc=zlib.crc32).update_batch`` does (a test holds the two equal): importing datasketch costs every
    worker process seconds (it loads scipy), and its per-document objects cost more than the arithmetic.
    """
    import numpy as np

    words = _WORD.findall(text.lower()[:200_000])
    if len(words) < MIN_WORDS:
        return None
    shingles = set(map(" ".join, zip(words, words[1:], words[2:], strict=False)))  # map: no frame a shingle
    hv = np.fromiter(map(zlib.crc32, map(str.encode, shingles)), dtype=np.uint32, count=len(shingles))
    hv ^= hv >> np.uint32(16)  # the 32-bit MurmurHash3 finalizer datasketch applies before permuting
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    a, b = _permutations()
    return (hv[:, None] * a + b).min(axis=0).astype("<u8").tobytes()


def prepare() -> None:
    """Import numpy and make the permutations now (before a local worker pool forks: each worker has them)."""
    _permutations()


@functools.cache
def _permutations() -> tuple[object, object]:
    """datasketch's affine32 permutations for seed 1: (odd multipliers, offsets), uint32, made once a process."""
    import numpy as np

    generator = np.random.RandomState(1)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def near_duplicate_groups(signatures: Iterable[tuple[int, bytes]]) -> dict[int, int]:
    """Document id -> smallest id of its group, for documents sharing a band with another (LSH banding).

    The same candidates as datasketch's ``MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)``: it cuts
    the signature into ``BANDS`` bands of ``ROWS`` values and pairs documents equal on any band (a test
    holds the two equal). Done here with one dict per band: datasketch's LSH loads scipy to choose the
    bands, seconds of CPU on every ingest, and builds an object per document. Over them all at once: the
    definition ``groups.py`` keeps batch by batch (a test holds the two equal).
    """
    parent: dict[int, int] = {}
    buckets: list[dict[bytes, int]] = [{} for _ in range(BANDS)]
    width = ROWS * 8  # signatures are stored as little-endian uint64 values
    for doc_id, blob in signatures:
        for band, bucket in enumerate(buckets):
            first = bucket.setdefault(bytes(blob[band * width : (band + 1) * width]), doc_id)
            if first != doc_id:
                _union(parent, doc_id, first)
    return {doc_id: _find(parent, doc_id) for doc_id in parent}


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
