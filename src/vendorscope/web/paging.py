"""Paging and sorting for every list page, done on the server: a page of rows, the total, the links.

A list page declares its sortable columns (name → key function); the query string carries ``sort``,
``order``, ``page`` and ``per``, and every other parameter (search, filters) is kept in the links so a
filter survives paging and sorting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
        return f"{self.path}?{urlencode([*self.params, *sorted(state.items())])}"

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
        return fields + ([("per", str(self.per))] if self.per != PER_PAGE else [])


def paginate(
    request: Request,
    rows: Sequence[dict[str, Any]],
    keys: Mapping[str, SortKey],
    default_sort: str,
    default_order: str = "asc",
) -> Page:
    """Sort ``rows`` by the requested column (unknown columns: the default), then cut out the page."""
    query = request.query_params
    sort = query.get("sort", default_sort)
    if sort not in keys:
        sort = default_sort
    order = query.get("order", default_order if sort == default_sort else "asc")
    order = order if order in ("asc", "desc") else "asc"
    per = _number(query.get("per"), PER_PAGE)
    per = per if per in PER_PAGE_CHOICES else PER_PAGE
    key = keys[sort]
    ordered = sorted(rows, key=lambda r: (_sortable(key(r)), _tiebreak(r)), reverse=order == "desc")
    pages = max(1, -(-len(ordered) // per))
    number = min(max(1, _number(query.get("page"), 1)), pages)
    params = tuple((k, v) for k, v in query.multi_items() if k not in PAGING_KEYS)
    start = (number - 1) * per
    return Page(list(ordered[start : start + per]), len(ordered), number, per, sort, order, params, request.url.path)


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
    return str(row.get("id") or row.get("host") or "")
