"""Each importer on files written here: detection, parsing, problems with line numbers."""

from __future__ import annotations

import gzip
import io
import random
from pathlib import Path

import orjson
import pytest

from vendorscope import sources
from vendorscope.sources.base import Hints, Observation, Problem
from vendorscope.sources.reader import open_binary, read_head

KES_ROW = {
    "name": "Kaspersky Endpoint Security for Windows",
    "version": "11.6.0.394",
    "publisher": "AO Kaspersky Lab",
    "install_location": r"C:\Program Files (x86)\Kaspersky Lab\KES\\",
    "identifying_number": "{ABC}",
    "uninstall_string": "msiexec /x {ABC}",
}
ZIP_ROW = {
    "name": "7-Zip 23.01 (x64)",
    "version": "23.01",
    "publisher": "Igor Pavlov",
    "install_location": "",
    "identifying_number": "",
    "uninstall_string": "x",
}


def parse(path: Path, hints: Hints | None = None) -> tuple[str, list[Observation], list[Problem]]:
    fmt = sources.detect(path.name, read_head(path))
    assert fmt is not None, f"{path.name} not recognized"
    with open_binary(path) as stream:
        records = list(fmt.parse(stream, str(path), hints or Hints()))
    return (
        fmt.name,
        [r for r in records if isinstance(r, Observation)],
        [r for r in records if isinstance(r, Problem)],
    )


def line(obj: dict[str, object]) -> bytes:
    return orjson.dumps(obj) + b"\n"


def test_inventory_jsonl_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "inv.jsonl"
    path.write_bytes(
        line({"host": "a", "name": "x", "version": "1"})
        + b"{broken\n"
        + line({"host": "a"})
        + line({"host": "b", "name": "y", "seen_at": "2026-01-02T03:04:05Z"})
        + line({"host": "c", "name": ["list"]})
    )
    fmt, obs, problems = parse(path)
    assert fmt == "inventory-jsonl"
    assert [(o.host, [i.name for i in o.items]) for o in obs] == [("a", ["x"]), ("b", ["y"])]
    assert obs[1].seen_at is not None and obs[1].seen_at.hour == 3
    assert [p.line for p in problems] == [2, 3, 5]
    assert "name" in problems[1].message


def test_inventory_csv(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "host,name,version,publisher,source\nws1,Kaspersky Total Security,21.3,AO Kaspersky Lab,programs\n"
        "ws1,too,few\n,noname,1,,\n",
        encoding="utf-8",
    )
    fmt, obs, problems = parse(path)
    assert fmt == "inventory-csv"
    assert obs[0].items[0].publisher == "AO Kaspersky Lab"
    assert [(p.line, "columns" in p.message) for p in problems] == [(3, True), (4, False)]


def test_csv_with_bad_encoding_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_bytes(b"host,name\nws1,ok\nws2,\xff\xfe bad\n")
    _fmt, obs, problems = parse(path)
    assert len(obs) == 1 and problems and "UTF-8" in problems[0].message


def test_osqueryi_json_host_from_filename(tmp_path: Path) -> None:
    path = tmp_path / "ws-9.agency.example__programs.json"
    path.write_bytes(orjson.dumps([KES_ROW, ZIP_ROW]))
    fmt, obs, problems = parse(path)
    assert fmt == "osquery-json" and not problems
    assert obs[0].host == "ws-9.agency.example" and obs[0].complete_sources == ("programs",)
    assert obs[0].items[0].identifier == "{ABC}"


def test_osqueryi_json_needs_a_host(tmp_path: Path) -> None:
    path = tmp_path / "programs.json"
    path.write_bytes(orjson.dumps([KES_ROW]))
    _fmt, obs, problems = parse(path)
    assert not obs and "host" in problems[0].message
    _fmt, obs, problems = parse(path, Hints(host="given"))
    assert obs[0].host == "given"


def test_osquery_snapshot_event_and_batch(tmp_path: Path) -> None:
    base = {
        "hostIdentifier": "uuid-1",
        "calendarTime": "x",
        "unixTime": 1793523600,
        "epoch": 0,
        "counter": 0,
        "numerics": False,
        "decorations": {"hostname": "ws-1.example"},
    }
    path = tmp_path / "osqueryd.results.log"
    path.write_bytes(
        line(base | {"name": "pack_vs_programs", "action": "snapshot", "snapshot": [KES_ROW, ZIP_ROW]})
        + line(
            base
            | {
                "name": "pack_vs_deb_packages",
                "action": "added",
                "unixTime": "1793527200",
                "columns": {"name": "kesl", "version": "11.3", "maintainer": "Kaspersky", "arch": "amd64"},
            }
        )
        + line(
            base
            | {
                "name": "services",
                "diffResults": {
                    "added": [],
                    "removed": [
                        {
                            "name": "AVP",
                            "display_name": "Kaspersky",
                            "path": "avp.exe",
                            "service_type": "OWN",
                            "start_type": "A",
                        }
                    ],
                },
                "counter": 3,
            }
        )
        + line({"name": "x", "action": "snapshot"})
    )
    fmt, obs, problems = parse(path)
    assert fmt == "osquery-log"
    snapshot, event, batch = obs
    assert snapshot.host == "ws-1.example" and snapshot.complete_sources == ("programs",)
    assert snapshot.host_facts == {"osquery_host_identifier": "uuid-1"}
    assert event.items[0].source == "deb_packages" and event.seen_at and event.seen_at.hour == 10
    assert batch.removed[0].identifier == "AVP" and batch.complete_sources == ()
    assert problems == [Problem(4, "no hostIdentifier")]


def test_osquery_table_from_columns_when_name_is_generic(tmp_path: Path) -> None:
    path = tmp_path / "r.log"
    row = {
        "name": "Kaspersky Endpoint Security for Mac",
        "path": "/Applications/KES.app",
        "bundle_identifier": "com.kaspersky.kes",
        "bundle_short_version": "11.2",
    }
    path.write_bytes(
        line({"name": "my_query", "hostIdentifier": "mac-1", "unixTime": 1, "action": "snapshot", "snapshot": [row]})
    )
    _fmt, obs, _ = parse(path)
    assert obs[0].items[0].source == "apps" and obs[0].items[0].identifier == "com.kaspersky.kes"


def test_gzip_is_read_transparently_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "inventory.data"
    path.write_bytes(gzip.compress(line({"host": "a", "name": "x"})))
    fmt, obs, _ = parse(path)
    assert fmt == "inventory-jsonl" and obs[0].items[0].name == "x"


@pytest.mark.parametrize("content", [b"", b"hello world\n", b"\x00\x01\x02", b"<xml/>", b"[1, 2, 3]"])
def test_unknown_content_is_not_claimed(content: bytes) -> None:
    assert sources.detect("file", content) is None or content.startswith(b"[")


def test_every_format_is_registered_once() -> None:
    names = [f.name for f in sources.FORMATS]
    assert len(names) == len(set(names))
    for fmt in sources.FORMATS:
        assert fmt.description and callable(fmt.identify) and callable(fmt.parse)


def test_parse_never_raises_on_garbage() -> None:
    for fmt in sources.FORMATS:
        records = list(fmt.parse(io.BytesIO(b'{"host": 1}\n\xff\xfe\n[{"a":\n'), "garbage", Hints()))
        assert all(isinstance(r, Observation | Problem) for r in records)


def test_inventory_rows_read_the_same_on_the_fast_path_and_the_checked_one() -> None:
    """Every row gives the same host, item and time, or the same complaint, as the field-by-field check."""
    from vendorscope.sources.inventory_row import ALL_FIELDS, MAX_FIELD, RowError, _checked_row, row_to_item

    rng = random.Random(13)
    values: list[object] = ["", " ", "x", " Kaspersky Lab ", "7-Zip", "2017-07-27T10:00:00Z", "1501149600", 3, 2.5,
                            True, None, ["a"], {"b": 1}, "y" * (MAX_FIELD + 1), " " + "z" * MAX_FIELD]  # fmt: skip
    for _ in range(5000):
        keys = rng.sample([*ALL_FIELDS, "extra"], rng.randint(0, len(ALL_FIELDS) + 1))
        row = {key: rng.choice(values) for key in keys}

        def outcome(read: object, row: dict[str, object] = row) -> object:
            try:
                return read(row)  # type: ignore[operator]
            except RowError as exc:
                return str(exc)

        assert outcome(row_to_item) == outcome(_checked_row), row
