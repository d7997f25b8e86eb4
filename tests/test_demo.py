"""The demo's promise: on a generated fleet, the findings equal the fleet's ground truth, exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.run import compare_with_truth
from vendorscope.service import Service


def fleet_dirs(root: Path) -> list[Path]:
    return [p for p in (root / "osquery", root / "osqueryi", root / "inventory") if p.exists()]


def test_findings_equal_ground_truth(service: Service, tmp_path: Path) -> None:
    fleet = generate_fleet(tmp_path / "fleet", hosts=300, seed=2017)
    report = service.ingest(fleet_dirs(tmp_path / "fleet"))
    assert report.ok, [m for f in report.files for m in f.messages()]
    missed, extra = compare_with_truth(service, fleet.truth_path)
    assert (missed, extra) == (set(), set())
    assert len(service.hosts()) == fleet.hosts
    assert all(h["examined"] for h in service.hosts())


@pytest.mark.parametrize("seed", [1, 7, 99])
def test_other_seeds_too(sqlite_service: Service, tmp_path: Path, seed: int) -> None:
    fleet = generate_fleet(tmp_path / "fleet", hosts=250, seed=seed, items_per_host=60)
    sqlite_service.ingest(fleet_dirs(tmp_path / "fleet"))
    assert compare_with_truth(sqlite_service, fleet.truth_path) == (set(), set())


def test_reingest_and_rematch_keep_the_answer(sqlite_service: Service, tmp_path: Path) -> None:
    generate_fleet(tmp_path / "fleet", hosts=150, seed=3)
    sqlite_service.ingest(fleet_dirs(tmp_path / "fleet"))
    before = sqlite_service.findings("kaspersky")
    again = sqlite_service.ingest(fleet_dirs(tmp_path / "fleet"))
    assert again.count("ingested") == 0
    sqlite_service.rematch()
    assert sqlite_service.findings("kaspersky") == before


def test_demo_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vendorscope", "demo", "--out", str(tmp_path / "d"), "--hosts", "120"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "(0 missed, 0 extra)" in result.stdout
    assert (tmp_path / "d" / "vendorscope.db").exists()
    assert "Package for request HSST-2017-001" in result.stdout
    assert (tmp_path / "d" / "response" / "manifest.json").is_file()
