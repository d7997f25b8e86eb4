"""Screening names against covered entities: candidate retrieval, then one scoring algorithm that explains itself.

Algorithm ``screen-v1`` (features, strongest wins):

* **identifier** (1.0): a UEI, CAGE or other identifier equal to one a list gives for the entity.
* **name** (similarity): optimal-string-alignment similarity of the bare names (legal forms removed,
  transliterated), also with tokens sorted. Typos are accepted within an edit budget that grows with
  the name: none under 6 characters, 1 under 10, 2 under 20, 3 beyond — and each word within its own
  budget, so "Dahl Technology" is not "Dahua Technology"; over budget the score is capped below the
  threshold.
* **affiliate** (0.82): the name contains a listed entity's whole distinctive name (its primary name,
  or any name of 6+ characters) as words — "Hikvision USA Inc" — since subsidiaries and affiliates
  are covered too; explained as a possible affiliate.

A name is covered from 0.80. Between entities scoring alike, the one whose name with legal form is
closest wins ("Kaspersky Lab Inc" → Kaspersky Lab, Inc., not AO Kaspersky Lab).

**Relabelers** (the catalogs' relabel maps) are screened with the same features, apart: a name that is
(or contains) a brand selling a covered maker's devices under its own name is a hit of its own kind
(``hit: relabeler``), not a covered entity. A name that is both (Lorex: a former Dahua subsidiary and a
brand over Dahua devices) is one result with both reasons, never two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from vendorscope.orgs.screening import names
from vendorscope.orgs.screening.lists import ENTITY, RELABEL_MAP, RELABELER, Listed
from vendorscope.orgs.screening.retrieval import TrigramIndex

ALGORITHM = "screen-v1"
THRESHOLD = 0.80
AFFILIATE_SCORE = 0.82
AFFILIATE_MIN_CHARS = 6
CANDIDATES = 12


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
    hit: str = ""  # "covered entity", "relabeler", "covered entity and relabeler", or "" (no hit)
    relabeler: str | None = None  # the relabeler brand the name is, with the maker(s) it relabels

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "covered": self.covered,
            "entity": self.entity,
            "list": self.list,
            "score": self.score,
            "explanation": self.explanation,
            "hit": self.hit,
            "relabeler": self.relabeler,
        }


@dataclass(frozen=True, slots=True)
class _Key:
    bare: str
    ordered: str  # bare with its words sorted
    light: str
    full: str
    alias: str  # the listed name as written
    entity: Listed
    primary: bool


def edit_budget(length: int) -> int:
    return 0 if length < 6 else 1 if length < 10 else 2 if length < 20 else 3


class Screener:
    """Compiled lists: bare names for similarity search, identifiers and distinctive names for exact lookup.

    ``relabelers`` (lists.relabelers) are compiled apart, so a brand never competes with an entity's name."""

    def __init__(self, entities: Iterable[Listed], relabelers: Iterable[Listed] = ()) -> None:
        self.entities = list(entities)
        brands = list(relabelers)
        self._relabels = Screener(brands) if brands else None
        self._by_id = {e.id: e for e in self.entities}
        self.keys: list[_Key] = []
        self.identifiers: dict[str, tuple[str, Listed]] = {}
        for entity in self.entities:
            for alias in entity.names:
                key = names.bare(alias)
                if key:
                    self.keys.append(
                        _Key(
                            key,
                            names.sorted_tokens(key),
                            names.light(alias),
                            names.full(alias),
                            alias,
                            entity,
                            alias == entity.name,
                        )
                    )
            for kind, value in entity.identifiers.items():
                self.identifiers[value] = (kind, entity)
        self._index = TrigramIndex([k.bare for k in self.keys])
        self._sizes = [(len(k.bare), len(k.light), edit_budget(len(k.bare))) for k in self.keys]
        self._distinctive: dict[str, list[_Key]] = {}  # by first word, for the affiliate feature
        for k in self.keys:
            if k.primary or len(k.bare) >= AFFILIATE_MIN_CHARS:
                self._distinctive.setdefault(k.bare.split()[0], []).append(k)

    def screen(self, query: Query | str) -> Result:
        if isinstance(query, str):
            query = Query(query, (query,) if names.looks_like_identifier(query) else ())
        result = self._screen(query)
        if self._relabels is None:
            return result
        brand = self._relabels._screen(Query(query.name))
        if not brand.covered or brand.entity_id is None:
            return result
        return _with_relabeler(result, brand, self._relabels._by_id[brand.entity_id])

    def _screen(self, query: Query) -> Result:
        """The best listed name for the query (identifiers first), as a result."""
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
            return Result(query.name, False, None, None, score, f"not covered: {why}")
        return _result(query.name, match.entity, score, why)

    def screen_many(self, queries: Iterable[Query | str]) -> list[Result]:
        return [self.screen(q) for q in queries]

    def _by_name(self, name: str, key: str) -> tuple[float, _Key, str] | None:
        found = self._index.candidates(key, CANDIDATES)
        if not found:
            return None
        light = names.light(name)
        # Length alone can rule a candidate out: the edit distance is at least the difference in length.
        size, light_size, sizes = len(key), len(light), self._sizes
        close = [
            self.keys[i] for i in found if min(abs(size - sizes[i][0]), abs(light_size - sizes[i][1])) <= sizes[i][2]
        ]
        ordered = names.sorted_tokens(key)
        if not close:
            nearest = self.keys[found[0]]
            score = min(round(OSA.normalized_similarity(key, nearest.bare), 4), THRESHOLD - 0.01)
            why = f'closest listed name "{nearest.alias}" of {nearest.entity.name} differs by more edits than allowed'
            return score, nearest, why
        scored = [_compare(key, ordered, light, c) for c in close]
        top = max(s.similarity for s in scored)
        tied = [s for s in scored if s.similarity == top]
        if len({s.cand.entity.id for s in tied}) > 1:
            # Names alike once legal forms are gone: the closer legal form decides, then the primary name.
            query_full = names.full(name)
            best = max(tied, key=lambda s: (OSA.normalized_similarity(query_full, s.cand.full), s.cand.primary))
        else:
            best = max(tied, key=lambda s: s.cand.primary)
        return best.similarity, best.cand, best.explain(key)

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


@dataclass(frozen=True, slots=True)
class _Comparison:
    cand: _Key
    distance: int
    budget: int
    words_ok: bool
    similarity: float

    def explain(self, key: str) -> str:
        where = (
            f'the relabeler brand "{self.cand.alias}"'
            if self.cand.entity.kind == RELABELER
            else f'the listed name "{self.cand.alias}" of {self.cand.entity.name}'
        )
        if self.distance == 0:
            return f'"{key}" is {where} without legal form'
        if self.similarity >= THRESHOLD:
            return f'"{key}" is {self.distance} edit(s) from {where}'
        if self.distance <= self.budget:
            return f'closest {where}: a word of "{key}" has more edits than its length allows'
        return (
            f'closest {where}: {self.distance} edits from "{key}", more than the {self.budget} allowed '
            f"for a name of {len(self.cand.bare)} characters"
        )


def _compare(key: str, ordered: str, light: str, cand: _Key) -> _Comparison:
    """Edits between the query and a listed name: as written, with words sorted, and with company types kept."""
    distance, mine, theirs = OSA.distance(key, cand.bare), key, cand.bare
    if distance:
        for a, b in ((ordered, cand.ordered), (light, cand.light)):
            if not distance:
                break
            other = OSA.distance(a, b, score_cutoff=distance - 1)
            if other < distance:
                distance, mine, theirs = other, a, b
    budget = edit_budget(len(theirs))
    words_ok = distance == 0 or (distance <= budget and _words_within_budget(mine, theirs))
    similarity = round(1.0 - distance / max(len(mine), len(theirs)), 4)
    if distance > budget or not words_ok:
        similarity = min(similarity, THRESHOLD - 0.01)
    return _Comparison(cand, distance, budget, words_ok, similarity)


def _words_within_budget(mine: str, theirs: str) -> bool:
    """Word by word, each within its own edit budget ("dahl" is not "dahua"); merged words are judged whole."""
    a, b = mine.split(), theirs.split()
    return len(a) != len(b) or all(OSA.distance(x, y) <= edit_budget(len(y)) for x, y in zip(a, b, strict=True))


def _affiliate_words(match: _Key) -> str:
    if match.entity.kind == RELABELER:
        return f'contains the relabeler brand "{match.alias}"'
    return (
        f'contains the listed name "{match.alias}" of {match.entity.name}: a possible subsidiary or affiliate, '
        "which the lists cover too — confirm"
    )


def _result(name: str, entity: Listed, score: float, why: str) -> Result:
    lists = ", ".join(entity.lists)
    if entity.relation and entity.relation != "parent":
        why += f"; {entity.name} is a {entity.relation.replace('-', ' ')} of {entity.maker}"
        if entity.relation == "former-subsidiary" and entity.note:
            why += f" ({entity.note.rstrip('.')})"
    return Result(name, True, entity.name, lists, round(score, 4), f"{why}; on {lists}", entity.id, entity.kind)


def _with_relabeler(result: Result, brand: Result, listed: Listed) -> Result:
    """The entity result with the relabeler hit added: one result whatever matched, both reasons in words."""
    why = brand.explanation.removesuffix(f"; on {RELABEL_MAP}")
    words = (
        f"{why}: a relabeler, selling devices made by {listed.maker} under its own name ({listed.source}); "
        f"not a covered entity itself, but the {listed.maker} equipment it sells is covered: check what it supplies"
    )
    relabeler = f"{listed.name} (relabels {listed.maker})"
    if result.covered:
        return Result(
            result.name,
            True,
            result.entity,
            f"{result.list}, {RELABEL_MAP}",
            max(result.score, brand.score),
            f"{result.explanation}; and {words}",
            result.entity_id,
            f"{ENTITY} and {RELABELER}",
            relabeler,
        )
    return Result(result.name, False, None, RELABEL_MAP, brand.score, words, None, RELABELER, relabeler)
