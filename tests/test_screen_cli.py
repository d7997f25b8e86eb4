"""`vendorscope screen` as a user meets it: names, files, extra lists, output shapes and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from vendorscope.cli import app


def screen(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "vendorscope", "--db", "s.db", "screen", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, timeout=120)


def test_names_and_files_in_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "names.txt").write_text("«АО Лаборатория Касперского»\n\nCasper Sleep Inc.\n", encoding="utf-8")
    (tmp_path / "vendors.csv").write_text("name,uei\nTotally Other Name LLC,QV1234567890\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        "id: my-list\nname: test list\nupdated: 2026-11-29\nsources: {s: {title: a test source}}\n"
        "entities:\n  - {id: x, name: Quiet Vendor LLC, identifiers: {uei: QV1234567890}, source: s}\n",
        encoding="utf-8",
    )
    done = screen(
        "Kapersky Lab Inc",
        "--file",
        "names.txt",
        "--file",
        "vendors.csv",
        "--list",
        "mine.yaml",
        "-f",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = orjson.loads(done.stdout)
    assert [(r["name"], r["covered"], r["entity"]) for r in rows] == [
        ("Kapersky Lab Inc", True, "Kaspersky Lab, Inc."),
        ("«АО Лаборатория Касперского»", True, "AO Kaspersky Lab"),
        ("Casper Sleep Inc.", False, None),
        ("Totally Other Name LLC", True, "Quiet Vendor LLC"),
    ]
    keys = ["name", "covered", "entity", "list", "score", "explanation", "hit", "relabeler"]
    assert all(list(r) == keys for r in rows)


def test_nothing_to_screen_is_a_usage_error(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["--db", str(tmp_path / "s.db"), "screen"]).exit_code == 2
    missing = screen("--file", "nope.txt", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.decode().startswith("error: nope.txt: cannot read")
