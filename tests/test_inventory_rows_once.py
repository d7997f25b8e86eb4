"""A vendorscope inventory row whose title was made before takes that item: results (and errors) stay exactly
those of validating the row from scratch."""

from __future__ import annotations

import random

from vendorscope.sources import inventory_row
from vendorscope.sources.inventory_row import ALL_FIELDS, _row_to_item, row_to_item

VALUES = [None, "", " x ", "Chrome", 1, 1.0, True, 0, ["l"], {"d": 1}, "a" * 5000, "2026-11-01T09:09:25Z", "17935"]


def _outcome(convert: object, row: dict[str, object]) -> tuple[object, ...]:
    try:
        host, item, when = convert(dict(row))  # type: ignore[operator]
    except inventory_row.RowError as exc:
        return ("error", str(exc))
    return ("row", host, item, tuple(map(type, item)), when)


def test_rows_seen_before_get_what_validating_them_afresh_gives() -> None:
    rng = random.Random(7)
    rows = []
    for _ in range(3000):
        row = {field: rng.choice(VALUES) for field in ALL_FIELDS if rng.random() < 0.5}
        row |= {"name": rng.choice(["Chrome", " Maps ", 1])} if rng.random() < 0.7 else {}
        row |= {"host": rng.choice(["h1", " h2", "", 7])} if rng.random() < 0.8 else {}
        rows.append(row)
    inventory_row._ITEMS.clear()
    first = [_outcome(row_to_item, row) for row in rows]
    again = [_outcome(row_to_item, row) for row in rows]  # now mostly from what was kept
    assert first == again == [_outcome(_row_to_item, row) for row in rows]
    assert sum(outcome[0] == "row" for outcome in first) > 300
    assert inventory_row._ITEMS  # the titles were kept: the second pass took them
