"""Load files read as streams: a DAT or CSV load file of any size is read a line at a time, the same rows as
the whole-file reading gave, a bad line refuses the file whole, and what an export cannot read is counted
without being held (the first ``MAX_ERRORS`` are kept for the report)."""

from __future__ import annotations

import codecs
import tracemalloc
from pathlib import Path

import pytest

from vendorscope.records import exports
from vendorscope.records.ingest import MAX_ERRORS
from vendorscope.records.loadfile import (
    NEWLINE_IN_FIELD,
    check_dat,
    dat_bytes,
    dat_line,
    iter_dat,
    read_dat,
)

FIELDS = ["BEGBATES", "CUSTODIAN", "NATIVELINK"]
ROWS = [["ABC1", "Алиса", "NATIVES/a.eml"], ["ABC2", f"bob{NEWLINE_IN_FIELD}smith", "NATIVES/b.eml"]]
EXPECTED = [
    {"BEGBATES": "ABC1", "CUSTODIAN": "Алиса", "NATIVELINK": "NATIVES/a.eml"},
    {"BEGBATES": "ABC2", "CUSTODIAN": "bob\nsmith", "NATIVELINK": "NATIVES/b.eml"},
]


@pytest.mark.parametrize(
    "data",
    [
        dat_bytes(FIELDS, ROWS),  # UTF-8 with its mark, CRLF
        dat_bytes(FIELDS, ROWS, encoding="utf-16"),  # UTF-16 LE with its mark
        codecs.BOM_UTF16_BE + "".join(dat_line(r) for r in [FIELDS, *ROWS]).encode("utf-16-be"),
        "".join(dat_line(r) for r in [FIELDS, *ROWS]).encode("utf-8"),  # no mark
        "".join(dat_line(r) for r in [FIELDS, *ROWS]).replace("\r\n", "\n").encode("utf-8"),  # LF only
        "".join(dat_line(r) for r in [FIELDS, *ROWS]).replace("\r\n", "\r\n\r\n").encode("utf-8"),  # blank lines
    ],
    ids=["utf8-bom", "utf16le", "utf16be", "utf8", "lf", "blank-lines"],
)
def test_every_encoding_and_line_end_gives_the_same_rows(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "load.dat"
    path.write_bytes(data)
    assert check_dat(path) == 2
    assert list(iter_dat(path)) == EXPECTED == read_dat(path)


def test_windows_1252_without_a_mark(tmp_path: Path) -> None:
    path = tmp_path / "load.dat"
    path.write_bytes("".join(dat_line(r) for r in [FIELDS, ["ABC1", "José", "x"]]).encode("cp1252"))
    assert read_dat(path) == [{"BEGBATES": "ABC1", "CUSTODIAN": "José", "NATIVELINK": "x"}]


def test_a_bare_line_feed_in_a_crlf_file_stays_in_its_value(tmp_path: Path) -> None:
    path = tmp_path / "load.dat"
    path.write_bytes(b"\xfeA\xfe\x14\xfeB\xfe\r\n\xfeone\ntwo\xfe\x14\xfe3\xfe\r\n")
    assert read_dat(path) == [{"A": "one\ntwo", "B": "3"}]


def test_a_bad_line_anywhere_refuses_the_dat_before_any_row(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "NATIVES").mkdir(parents=True)
    (export / "NATIVES" / "a.eml").write_bytes(b"Subject: a\r\n\r\nbody\r\n")
    lines = [FIELDS, ["ABC1", "alice", "NATIVES/a.eml"]] * 1 + [["ABC2", "too", "many", "fields"]]
    (export / "load.dat").write_bytes("".join(dat_line(r) for r in lines).encode("utf-8"))
    with pytest.raises(ValueError, match="line 3 has 4 fields, the header 3"):
        check_dat(export / "load.dat")
    problems = exports.Problems(10)
    assert list(exports.items(export, "dat", "alice", problems)) == []
    assert problems.count == 1 and "unreadable DAT" in problems.kept[0][1]


def _peak_reading(export: Path, rows: int) -> tuple[int, exports.Problems]:
    fields = [[f"ABC{n:07d}", "alice", f"NATIVES/{n % 100:07d}/missing-native-file.eml"] for n in range(rows)]
    (export / "load.dat").write_bytes(dat_bytes(FIELDS, fields))
    problems = exports.Problems(MAX_ERRORS)
    tracemalloc.start()
    try:
        assert list(exports.items(export, "dat", "alice", problems)) == []
        return tracemalloc.get_traced_memory()[1], problems
    finally:
        tracemalloc.stop()


def test_a_large_dat_naming_missing_files_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Rows and problems are not held: 20,000 and then 80,000 rows naming natives that are not there (1.4 and
    5.6 MB). The whole-file reading held the text, every row's dict and every problem: its peak grew with the
    file (13 MB for 20,000 rows, 51 MB for 80,000); reading by lines and chunks stays at about 4 MB."""
    export = tmp_path / "export"
    export.mkdir()
    small, _ = _peak_reading(export, 20_000)
    large, problems = _peak_reading(export, 80_000)
    assert problems.count == 80_000 and len(problems.kept) == MAX_ERRORS
    assert problems.kept[0] == ("load.dat:2", "'NATIVES/0000000/missing-native-file.eml' is not in the export")
    # The margin: pathlib interns each part of a path, and when CPython's table of interned strings is resized
    # its old and new tables are both counted (about 4 MB, seen under pytest-xdist), though neither is ours.
    assert large < small + 10_000_000, f"peak {small:,} bytes for 20,000 rows, {large:,} for 80,000"
