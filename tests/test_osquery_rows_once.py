"""Each distinct osquery row is converted once, and event lines join their run without an observation each:
the items and observations are exactly those the plain converters and line-by-line parsing give."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import orjson
import pytest

from vendorscope.sources import osquery_log
from vendorscope.sources.base import Hints, Observation, Problem, Record
from vendorscope.sources.osquery_tables import TABLES, columns_read, converter_once

ALL_COLUMNS = sorted({column for convert in TABLES.values() for column in columns_read(convert)} | {"pid", "x"})


@pytest.mark.parametrize("table", sorted(TABLES))
def test_a_row_converted_once_is_the_converters_item(table: str) -> None:
    """Rows that differ in any one column the converter may read (emptied, so a fallback column decides) get
    the plain converter's item: a column missing from ``columns_read`` would hand out another row's item."""
    convert, once = TABLES[table], converter_once(table)
    assert once is not None
    full = {column: f"{column}-{table}" for column in ALL_COLUMNS}
    rows = [full, dict.fromkeys(ALL_COLUMNS, "")]
    rows += [full | {column: ""} for column in ALL_COLUMNS]
    rows += [full | {column: "", "path": "/opt/other"} for column in ALL_COLUMNS]
    rows += [{k: v for k, v in full.items() if k != column} for column in ALL_COLUMNS]  # a column missing
    for _ in range(2):  # the second time from what was kept
        for row in rows:
            assert once(row) == convert(row), (table, row)


def test_equal_rows_share_one_item_and_odd_rows_are_converted_as_they_are() -> None:
    once = converter_once("deb_packages")
    assert once is not None
    row = {"name": "kesl", "version": "11.3", "maintainer": "Kaspersky", "arch": "amd64"}
    assert once(row) is once(dict(row) | {"arch": "i386"})  # a column it does not read
    listed = row | {"version": ["11.3"]}  # not a key: converted each time, as before
    assert once(listed) == TABLES["deb_packages"](listed)


def _line(**fields: Any) -> bytes:
    base = {"name": "pack_vs_deb_packages", "hostIdentifier": "h1", "unixTime": 100, "action": "added"}
    return orjson.dumps(base | fields) + b"\n"


def _deb(name: str) -> dict[str, str]:
    return {"name": name, "version": "1", "maintainer": "m"}


def _parse(data: bytes) -> list[Record]:
    return list(osquery_log.FORMAT.parse(io.BytesIO(data), "r.log", Hints()))


def _one_by_one(data: bytes) -> list[Record]:
    """Each line parsed alone, then merged by the rules of ``_mergeable``: the parse without any shortcut."""
    merged: list[Record] = []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        for record in _parse(raw):
            record = dataclasses.replace(record, line=number)
            last = merged[-1] if merged else None
            if (
                isinstance(record, Observation)
                and isinstance(last, Observation)
                and not last.complete_sources
                and osquery_log._mergeable(last, record)
            ):
                last.items.extend(record.items)
                last.removed.extend(record.removed)
            else:
                merged.append(record)
    return merged


def test_event_lines_join_their_run_exactly_as_line_by_line() -> None:
    data = b"".join(
        [
            _line(columns=_deb("a")),
            _line(columns=_deb("b")),
            _line(action="removed", columns=_deb("a")),
            _line(unixTime="100", columns=_deb("c")),  # the same time written differently: joins by value
            _line(columns=["not", "a", "row"]),  # a problem ends the run
            _line(columns=_deb("d")),
            _line(decorations={"hostname": "h1"}, columns=_deb("e")),  # the same host, other decorations
            _line(decorations={"hostname": "h1", "os_version": "11"}, columns=_deb("e2")),  # other facts
            _line(unixTime=200, columns=_deb("f")),  # another time: another observation
            _line(unixTime=200, columns=_deb("g"), name="pack_vs_uptime"),  # no software table: nothing, same run
            _line(hostIdentifier="h2", columns=_deb("h")),
            _line(hostIdentifier="h2", columns=_deb("i"), action="snapshot"),  # no rows: nothing
            _line(hostIdentifier="h2", columns=_deb("j")),
        ]
    )
    records = _parse(data)
    assert records == _one_by_one(data)
    observations = [r for r in records if isinstance(r, Observation)]
    assert [([i.name for i in o.items], [i.name for i in o.removed]) for o in observations] == [
        (["a", "b", "c"], ["a"]),
        (["d", "e"], []),
        (["e2"], []),
        (["f"], []),
        (["h"], []),
        ([], []),
        (["j"], []),
    ]
    assert [(r.line, r.message[:32]) for r in records if isinstance(r, Problem)] == [
        (5, "unexpected osquery result shape ")
    ]


def test_a_run_of_events_is_cut_at_the_observation_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(osquery_log, "MAX_OBSERVATION_ITEMS", 3)
    data = b"".join(_line(columns=_deb(str(n))) for n in range(7))
    assert [len(o.items) for o in _parse(data) if isinstance(o, Observation)] == [3, 3, 1]
    assert _parse(data) == _one_by_one(data)
