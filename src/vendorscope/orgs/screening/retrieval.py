"""Candidate retrieval for screening: listed names sharing the most character trigrams with the query.

Kept apart from scoring (screener.py), as in nomenklatura: retrieval only says which few listed names
are worth comparing; a typo leaves most trigrams intact, a look-alike shares few.
"""

from __future__ import annotations

import heapq
from collections import Counter
from itertools import chain


def trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class TrigramIndex:
    """Listed names (by position) indexed by their trigrams; trigrams most names share are left out."""

    def __init__(self, keys: list[str], common: float = 0.5) -> None:
        postings: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            for gram in trigrams(key):
                postings.setdefault(gram, []).append(position)
        limit = max(3, int(len(keys) * common))
        self.postings = {gram: found for gram, found in postings.items() if len(found) <= limit}

    def candidates(self, key: str, limit: int) -> list[int]:
        """Positions of the ``limit`` listed names sharing most trigrams with ``key``, most first.

        Ties go to the earlier listed name: the order never depends on the process's string hashing, so the
        CLI and the web server (two processes) name the same closest entity with the same score.
        """
        postings = self.postings
        counts = Counter(chain.from_iterable(postings[g] for g in sorted(trigrams(key)) if g in postings))
        return [position for position, _ in heapq.nsmallest(limit, counts.items(), key=lambda kv: (-kv[1], kv[0]))]
