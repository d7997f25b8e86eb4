"""Paging and sorting for every list page, done on the server: a page of rows, the total, the links.

A list page declares its sortable columns (name → key function); the query string carries ``sort``,
``order``, ``page`` and ``per``, and every other parameter (search, filters) is kept in the links so a
filter survives paging and sorting. Two lists on one page tell their parameters apart by a ``prefix``
(``c_page``…). A list too long to read whole (the audit log) is paged by its query instead: ``wanted``
reads the paging state, the caller fetches ``offset``/``per`` rows in that order, ``PageState.page`` wraps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 200)
PAGING_KEYS = ("page", "per", "sort", "order")

SortKey = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Page:
    """One page of a sorted list, with what the template needs to draw the pager and the headers."""

    rows: list[dict[str, Any]]
    total: int
    number: int
    per: int
    sort: str
    order: str
    params: tuple[tuple[str, str], ...]  # the other query parameters (filters), kept in every link
    path: str
    prefix: str = ""  # for a second list on the same page: its parameters are c_page, c_sort…

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.per)

    def link(self, **change: Any) -> str:
        """This list's URL with some paging parameters changed and the filters kept."""
        state = {"sort": self.sort, "order": self.order, "per": str(self.per), "page": str(self.number)}
        state |= {k: str(v) for k, v in change.items()}
        if state["per"] == str(PER_PAGE):
            del state["per"]
        if state["page"] == "1":
            del state["page"]
        named = sorted((self.prefix + k, v) for k, v in state.items())
        return f"{self.path}?{urlencode([*self.params, *named])}"

    def sort_link(self, column: str) -> str:
        """Sorting by a column starts at page 1; the current column's link flips the order."""
        order = "desc" if column == self.sort and self.order == "asc" else "asc"
        return self.link(sort=column, order=order, page=1)

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "ascending" if self.order == "asc" else "descending"

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        """Paging state for a filter form (sort and page size survive a new search; the page does not)."""
        fields = [("sort", self.sort), ("order", self.order)]
        fields += [("per", str(self.per))] if self.per != PER_PAGE else []
        return [(self.prefix + name, value) for name, value in fields]


@dataclass(frozen=True)
class PageState:
    """What the query string asks of one list: the column and order to sort by, the page and its size."""

    sort: str
    order: str
    per: int
    number: int  # as asked; ``page`` clamps it to the pages there are
    params: tuple[tuple[str, str], ...]
    path: str
    prefix: str = ""

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per

    def page(self, rows: Sequence[dict[str, Any]], total: int) -> Page:
        """``rows``: this page's rows, already sorted and cut by the caller's query; ``total``: all that match."""
        number = min(self.number, max(1, -(-total // self.per)))
        fields = (self.per, self.sort, self.order, self.params, self.path, self.prefix)
        return Page(list(rows), total, number, *fields)


def wanted(
    request: Request, columns: Iterable[str], default_sort: str, default_order: str = "asc", prefix: str = ""
) -> PageState:
    """The paging state the query string asks for; an unknown column or order falls back to the default."""
    query = request.query_params
    sort = query.get(prefix + "sort", default_sort)
    if sort not in set(columns):
        sort = default_sort
    order = query.get(prefix + "order", default_order if sort == default_sort else "asc")
    order = order if order in ("asc", "desc") else "asc"
    per = _number(query.get(prefix + "per"), PER_PAGE)
    per = per if per in PER_PAGE_CHOICES else PER_PAGE
    number = max(1, _number(query.get(prefix + "page"), 1))
    own = {prefix + k for k in PAGING_KEYS}
    params = tuple((k, v) for k, v in query.multi_items() if k not in own)
    return PageState(sort, order, per, number, params, request.url.path, prefix)


def paginate(
    request: Request,
    rows: Sequence[dict[str, Any]],
    keys: Mapping[str, SortKey],
    default_sort: str,
    default_order: str = "asc",
    prefix: str = "",
) -> Page:
    """Sort ``rows`` by the requested column (unknown columns: the default), then cut out the page."""
    state = wanted(request, keys, default_sort, default_order, prefix)
    key = keys[state.sort]
    ordered = sorted(rows, key=lambda r: (_sortable(key(r)), _tiebreak(r)), reverse=state.order == "desc")
    pages = max(1, -(-len(ordered) // state.per))
    start = (min(state.number, pages) - 1) * state.per
    return state.page(ordered[start : start + state.per], len(ordered))


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _sortable(value: Any) -> tuple[int, Any]:
    """None sorts last; text sorts without regard to case."""
    if value is None or value == "":
        return (1, "")
    if isinstance(value, str):
        return (0, value.casefold())
    return (0, value)


def _tiebreak(row: dict[str, Any]) -> str:
    return str(row.get("id") or row.get("host") or row.get("org") or row.get("name") or "")
