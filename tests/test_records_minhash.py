"""The near-duplicate signature is computed without datasketch at ingest; it must stay bit-identical to
datasketch's, or signatures stored before and after would not compare (and the LSH grouping reads them)."""

from __future__ import annotations

import random
import zlib

from datasketch import MinHash

from vendorscope.records import dedup

WORDS = ["alpha", "beta", "gamma", "Касперский", "délta", "x", "kaspersky", "lab", "avp.exe", "2013", "ü"]


def _datasketch(text: str) -> bytes | None:
    words = dedup._WORD.findall(text.lower())
    if len(words) < dedup.MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + 3]).encode("utf-8") for i in range(len(words) - 2)}
    sketch = MinHash(dedup.NUM_PERM, seed=1, scheme=dedup.SCHEME, hashfunc=zlib.crc32)
    sketch.update_batch(list(shingles))
    return sketch.hashvalues.astype("<u8").tobytes()


def test_signature_equals_datasketchs_minhash() -> None:
    rng = random.Random(7)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 500))) for _ in range(200)]
    texts += ["", "one two three four five six seven", "one two three four five six seven eight"]
    compared = 0
    for text in texts:
        expected = _datasketch(text)
        assert dedup.signature(text) == expected
        compared += expected is not None
    assert compared > 150


def test_bands_are_datasketchs_and_groups_are_its_candidates() -> None:
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=dedup.THRESHOLD, num_perm=dedup.NUM_PERM)
    assert (lsh.b, lsh.r) == (dedup.BANDS, dedup.ROWS)
    rng = random.Random(3)
    base = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(30)]
    texts = base + [t.replace(t.split()[rng.randrange(60)], "changed", 1) for t in base for _ in range(2)]
    signatures = [(n + 1, dedup.signature(t)) for n, t in enumerate(texts)]
    parent: dict[int, int] = {}
    for doc_id, blob in signatures:  # what group_near_duplicates did with datasketch
        sketch = LeanMinHash(seed=1, hashvalues=np.frombuffer(blob, dtype="<u8"), scheme=dedup.SCHEME)
        for other in lsh.query(sketch):
            dedup._union(parent, doc_id, other)
        lsh.insert(doc_id, sketch, check_duplication=False)
    expected = {doc_id: dedup._find(parent, doc_id) for doc_id in parent}
    assert len(set(expected.values())) >= 10
    assert dedup.near_duplicate_groups(signatures) == expected
