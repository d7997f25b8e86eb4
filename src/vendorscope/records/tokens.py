"""Matching terms in a document in one pass: the text is split into words once, and each term is looked up
by its first word, so a document costs the same whatever the number of terms."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vendorscope.records.terms import Term

_WORD = re.compile(r"\w+")
Span = tuple[int, int]


class Tokens:
    """A text's words with their character offsets, and where each lower-cased word occurs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()
        matches = list(_WORD.finditer(text))
        self.words = [m.group() for m in matches]
        self.lower = [w.lower() for w in self.words]
        self.spans = [m.span() for m in matches]
        self.positions: dict[str, list[int]] = {}
        for n, word in enumerate(self.lower):
            self.positions.setdefault(word, []).append(n)

    def match(self, term: Term) -> list[Span]:
        """Character spans where the term occurs as whole words."""
        words = term.words
        first = words[0] if not term.case_sensitive else words[0].lower()
        if term.prefix and len(words) == 1:
            if first not in self.lowered:
                return []
            starts = [n for w, ns in self.positions.items() if w.startswith(first) for n in ns]
        else:
            starts = self.positions.get(first, [])
        found = []
        for start in sorted(starts):
            end = start + len(words)
            if end > len(self.words) or not self._same(term, start):
                continue
            span = (self.spans[start][0], self.spans[end - 1][1])
            if term.exact and self.text[span[0] : span[1]].lower() != term.label.lower():
                continue
            found.append(span)
        return found

    def _same(self, term: Term, start: int) -> bool:
        source = self.words if term.case_sensitive else self.lower
        for k, word in enumerate(term.words):
            token = source[start + k]
            last = k == len(term.words) - 1
            if not (token == word or (term.prefix and last and token.startswith(word))):
                return False
        return True

    def near(self, span: Span, words: set[str], window: int) -> bool:
        """Whether one of ``words`` occurs within ``window`` words of the span."""
        return self.near_word(span, words, window) is not None

    def near_word(self, span: Span, words: set[str], window: int) -> str | None:
        """The first of ``words`` within ``window`` words of the span (the span's own words excluded), or None:
        "Network Agent" is not its own context."""
        first = next(n for n, s in enumerate(self.spans) if s[0] == span[0])
        last = next(n for n in range(first, len(self.spans)) if self.spans[n][1] >= span[1])
        around = [*range(max(0, first - window), first), *range(last + 1, min(len(self.lower), last + window + 1))]
        return next((self.lower[n] for n in around if self.lower[n] in words), None)


class TermSet:
    """Terms indexed by first word: a document is tried only against terms whose first word it contains."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self.prefix_terms = [t for t in terms if t.prefix and len(t.words) == 1]
        self.prefixed = {id(t) for t in self.prefix_terms}
        self.order = {id(t): n for n, t in enumerate(terms)}
        self.by_first: dict[str, list[Term]] = {}
        for term in terms:
            if id(term) not in self.prefixed:
                self.by_first.setdefault(term.words[0].lower(), []).append(term)

    def find(self, tokens: Tokens) -> Iterator[tuple[Term, list[Span]]]:
        """(term, spans) for every term present, in the terms' order."""
        candidates = [t for w in tokens.positions.keys() & self.by_first.keys() for t in self.by_first[w]]
        candidates.extend(self.prefix_terms)
        for term in sorted(candidates, key=lambda t: self.order[id(t)]):
            spans = tokens.match(term)
            if spans:
                yield term, spans
