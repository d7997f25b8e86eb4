"""Candidate retrieval for screening: listed names sharing the most character trigrams with the query.

Kept apart from scoring (screener.py), as in nomenklatura: retrieval only says which few listed names
are worth comparing; a typo leaves most trigrams intact, a look-alike shares few.
"""

from __future__ import annotations


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
        """Positions of the ``limit`` listed names sharing most trigrams with ``key`` (none shared: none)."""
        counts: dict[int, int] = {}
        for gram in trigrams(key):
            for position in self.postings.get(gram, ()):
                counts[position] = counts.get(position, 0) + 1
        if len(counts) <= limit:
            return list(counts)
        return sorted(counts, key=counts.__getitem__, reverse=True)[:limit]
