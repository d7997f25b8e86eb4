"""Parsing ahead in a second process must change nothing but speed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import write_jsonl
from vendorscope import ingest
from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.run import compare_with_truth
from vendorscope.service import Service


@pytest.fixture
def always_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "AHEAD_MIN_TOTAL", 0)


def test_read_ahead_gives_the_same_answer(always_ahead: None, tmp_path: Path) -> None:
    fleet = generate_fleet(tmp_path / "fleet", hosts=200, seed=5)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    ahead = Service(str(tmp_path / "ahead.db"))
    report = ahead.ingest(inputs)
    assert report.ok and report.count("ingested") == fleet.files
    assert compare_with_truth(ahead, fleet.truth_path) == (set(), set())
    ahead.close()


def test_read_ahead_reports_broken_files(always_ahead: None, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [{"host": "ws-1", "name": "7-Zip"}])
    truncated = tmp_path / "b.jsonl.gz"
    truncated.write_bytes(gzip.compress(b'{"host": "ws-2", "name": "x"}\n' * 2000)[:-40])
    bad = tmp_path / "c.jsonl"
    bad.write_bytes(b'{"host": "ws-3", "name": "y"}\n{nope\n')
    service = Service(str(tmp_path / "s.db"))
    report = service.ingest([good, truncated, bad])
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["a.jsonl"].status == "ingested"
    assert "truncated or corrupt data" in by_name["b.jsonl.gz"].messages()[-1]
    assert by_name["c.jsonl"].messages() == [f"{bad}:2: not valid JSON (unexpected character, expected a string key)"]
    service.close()
