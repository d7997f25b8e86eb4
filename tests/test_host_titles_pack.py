"""A host's compact titles pack to the same bytes however its rows are shared, and unpack to the same state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from vendorscope.store.host_titles import pack, unpack

T0 = datetime(2026, 11, 1, 10, 34, 15)


def _row(rng: random.Random) -> tuple[object, ...]:
    first = T0 + timedelta(seconds=rng.randrange(0, 10**6), microseconds=rng.randrange(0, 10**6))
    last = first + timedelta(hours=rng.randrange(0, 500))
    removed = rng.random() < 0.3
    return (first, last, not removed, last if removed else None, rng.randrange(1, 10**4), rng.randrange(1, 10**9))


def _states(seed: int) -> list[dict[int, tuple[object, ...]]]:
    """States whose titles share a handful of rows (as a merge in this process makes them), and one row each."""
    rng = random.Random(seed)
    found = []
    for size in (1, 2, 3, 63, 64, 65, 300, 1000):
        rows = [_row(rng) for _ in range(rng.randrange(1, 6))]
        tids = rng.sample(range(1, 10**7), size)
        found.append({tid: rng.choice(rows) for tid in tids})  # shared
        found.append({tid: _row(rng) for tid in tids})  # distinct
        epoch = (datetime(1970, 1, 1), datetime(1970, 1, 1), True, None, 1, 1)
        found.append(dict.fromkeys(tids, epoch))  # the time that encodes as zero
    return found


def test_shared_and_distinct_rows_pack_alike_and_round_trip() -> None:
    for state in _states(3):
        data = pack(state)
        assert len(data) == 49 * len(state)
        copied = {tid: (*row[:-1], row[-1]) for tid, row in state.items()}  # none shared
        assert pack(copied) == data
        assert unpack(data) == state
    assert pack({}) == b"" and unpack(b"") == {}
