"""Screening names against covered entities: candidate retrieval, then one scoring algorithm that explains itself.

Algorithm ``screen-v1`` (features, strongest wins):

* **identifier** (1.0): a UEI, CAGE or other identifier equal to one a list gives for the entity.
* **name** (similarity): optimal-string-alignment similarity of the bare names (legal forms removed,
  transliterated), also with tokens sorted. Typos are accepted within an edit budget that grows with
  the name: none under 5 characters, 1 under 10, 2 under 20, 3 beyond — and each word within its own
  budget, so "Dahl Technology" is not "Dahua Technology"; over budget the score is capped below the
  threshold.
* **affiliate** (0.82): the name contains a listed entity's whole distinctive name (its primary name,
  or any name of 6+ characters) as words — "Hikvision USA Inc" — since subsidiaries and affiliates
  are covered too; explained as a possible affiliate.

A name is covered from 0.80. Between entities scoring alike, the one whose name with legal form is
closest wins ("Kaspersky Lab Inc" → Kaspersky Lab, Inc., not AO Kaspersky Lab).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from vendorscope.orgs.screening import names
from vendorscope.orgs.screening.lists import Listed

ALGORITHM = "screen-v1"
THRESHOLD = 0.80
AFFILIATE_SCORE = 0.82
AFFILIATE_MIN_CHARS = 6
CANDIDATES = 8


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    identifiers: tuple[str, ...] = ()  # UEI, CAGE… as given


@dataclass(frozen=True, slots=True)
class Result:
    name: str  # exactly as given
    covered: bool
    entity: str | None
    list: str | None
    score: float
    explanation: str
    entity_id: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "covered": self.covered,
            "entity": self.entity,
            "list": self.list,
            "score": self.score,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class _Key:
    bare: str
    full: str
    alias: str  # the listed name as written
    entity: Listed
    primary: bool


def edit_budget(length: int) -> int:
    return 0 if length < 5 else 1 if length < 10 else 2 if length < 20 else 3


class Screener:
    """Compiled lists: bare names for similarity search, identifiers and distinctive names for exact lookup."""

    def __init__(self, entities: Iterable[Listed]) -> None:
        self.entities = list(entities)
        self.keys: list[_Key] = []
        self.identifiers: dict[str, tuple[str, Listed]] = {}
        for entity in self.entities:
            for alias in entity.names:
                key = names.bare(alias)
                if key:
                    self.keys.append(_Key(key, names.full(alias), alias, entity, alias == entity.name))
            for kind, value in entity.identifiers.items():
                self.identifiers[value] = (kind, entity)
        self._bare = [k.bare for k in self.keys]
        self._sorted = [names.sorted_tokens(k.bare) for k in self.keys]
        self._distinctive: dict[str, list[_Key]] = {}  # by first word, for the affiliate feature
        for k in self.keys:
            if k.primary or len(k.bare) >= AFFILIATE_MIN_CHARS:
                self._distinctive.setdefault(k.bare.split()[0], []).append(k)

    def screen(self, query: Query | str) -> Result:
        if isinstance(query, str):
            query = Query(query, (query,) if names.looks_like_identifier(query) else ())
        for value in query.identifiers:
            hit = self.identifiers.get(value.strip().upper())
            if hit:
                kind, entity = hit
                why = f"{kind.upper()} {value.strip().upper()} is listed for {entity.name} ({entity.source})"
                return _result(query.name, entity, 1.0, why)
        key = names.bare(query.name)
        if not key:
            return Result(query.name, False, None, None, 0.0, "nothing left to compare once legal forms are removed")
        best = self._by_name(query.name, key)
        affiliate = self._affiliate(key)
        if affiliate and (best is None or best[0] < THRESHOLD):
            return _result(query.name, affiliate.entity, AFFILIATE_SCORE, _affiliate_words(affiliate))
        if best is None:
            return Result(query.name, False, None, None, 0.0, f'no listed name resembles "{key}"')
        score, match, why = best
        if score < THRESHOLD:
            return Result(query.name, False, None, None, score, f"not covered: closest {why}")
        return _result(query.name, match.entity, score, why)

    def screen_many(self, queries: Iterable[Query | str]) -> list[Result]:
        return [self.screen(q) for q in queries]

    def _by_name(self, name: str, key: str) -> tuple[float, _Key, str] | None:
        hits = process.extract(key, self._bare, scorer=OSA.normalized_similarity, limit=CANDIDATES, score_cutoff=0.5)
        ordered = names.sorted_tokens(key)
        if ordered != key and not any(score >= THRESHOLD for _, score, _ in hits):
            hits += process.extract(
                ordered, self._sorted, scorer=OSA.normalized_similarity, limit=CANDIDATES, score_cutoff=0.5
            )
        if not hits:
            return None
        scored = [self._score(key, ordered, self.keys[i]) for _, _, i in hits]
        top = max(s[0] for s in scored)
        tied = [s for s in scored if s[0] == top]
        if len({s[1].entity.id for s in tied}) > 1:
            # Names alike once legal forms are gone: the closer legal form decides, then the primary name.
            query_full = names.full(name)
            return max(tied, key=lambda s: (OSA.normalized_similarity(query_full, s[1].full), s[1].primary))
        return max(tied, key=lambda s: s[1].primary)

    @staticmethod
    def _score(key: str, ordered: str, cand: _Key) -> tuple[float, _Key, str]:
        pairs = [(key, cand.bare), (ordered, names.sorted_tokens(cand.bare))]
        distance, (mine, theirs) = min((OSA.distance(a, b), (a, b)) for a, b in pairs)
        longest = max(len(key), len(cand.bare))
        similarity = round(1.0 - distance / longest, 4)
        budget = edit_budget(len(cand.bare))
        if distance == 0:
            why = f'"{key}" is the listed name "{cand.alias}" of {cand.entity.name} without legal form'
        elif distance <= budget and _words_within_budget(mine, theirs):
            why = f'"{key}" is {distance} edit(s) from the listed name "{cand.alias}" of {cand.entity.name}'
        elif distance <= budget:
            similarity = min(similarity, THRESHOLD - 0.01)
            why = f'"{cand.alias}" of {cand.entity.name}: a word of "{key}" has more edits than its length allows'
        else:
            similarity = min(similarity, THRESHOLD - 0.01)
            why = (
                f'"{cand.alias}" of {cand.entity.name}: {distance} edits from "{key}", more than the '
                f"{budget} allowed for a name of {len(cand.bare)} characters"
            )
        return similarity, cand, why

    def mentions(self, text: str) -> list[Result]:
        """Covered entities whose distinctive name appears as words in free text (a purchase description)."""
        key = names.bare(text) if text else ""
        seen: dict[str, Result] = {}
        for k in sorted(self._contained(key), key=lambda k: -len(k.bare)):
            if k.entity.id not in seen:
                why = f'names "{k.alias}" of {k.entity.name}'
                seen[k.entity.id] = _result(text, k.entity, AFFILIATE_SCORE, why)
        return list(seen.values())

    def _affiliate(self, key: str) -> _Key | None:
        """The longest distinctive listed name found as whole words inside a longer name."""
        found = [k for k in self._contained(key) if k.bare != key]
        return max(found, key=lambda k: len(k.bare)) if found else None

    def _contained(self, key: str) -> list[_Key]:
        padded = f" {key} "
        return [k for word in set(key.split()) for k in self._distinctive.get(word, ()) if f" {k.bare} " in padded]


def _words_within_budget(mine: str, theirs: str) -> bool:
    """Word by word, each within its own edit budget ("dahl" is not "dahua"); merged words are judged whole."""
    a, b = mine.split(), theirs.split()
    return len(a) != len(b) or all(OSA.distance(x, y) <= edit_budget(len(y)) for x, y in zip(a, b, strict=True))


def _affiliate_words(match: _Key) -> str:
    return (
        f'contains the listed name "{match.alias}" of {match.entity.name}: a possible subsidiary or affiliate, '
        "which the lists cover too — confirm"
    )


def _result(name: str, entity: Listed, score: float, why: str) -> Result:
    lists = ", ".join(entity.lists)
    return Result(name, True, entity.name, lists, round(score, 4), f"{why}; on {lists}", entity.id)
