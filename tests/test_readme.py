"""The README's promises, run as a newcomer would: `make demo`, then every command of "First steps" on its
store, as written; and no reading command creates a store or answers from a wrong one."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from vendorscope.demo.run import run_demo

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def first_steps() -> list[list[str]]:
    """The commands of the README's "First steps" block, comments dropped (the `cd` line included)."""
    section = README.read_text(encoding="utf-8").split("## First steps", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README: no command block under First steps"
    lines = [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]
    return [shlex.split(line) for line in lines if line]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VENDORSCOPE_DB"}
    return subprocess.run(
        [sys.executable, "-m", "vendorscope", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make demo` (same size and seed), in a folder laid out like a checkout: demo-output/ beside src/."""
    root = tmp_path_factory.mktemp("checkout")
    (root / "src").symlink_to(ROOT / "src")
    run_demo(root / "demo-output", hosts=300, seed=2017)
    return root


def test_every_first_steps_command_runs_on_the_demo_store(demo: Path) -> None:
    commands = first_steps()
    assert commands[0] == ["cd", "demo-output"] and len(commands) >= 10
    cwd = demo / commands[0][1]
    for command in commands[1:]:
        assert command[0] == "vendorscope", command
        result = run(command[1:], cwd)
        shown = " ".join(command)
        assert result.returncode == 0, f"{shown}: {result.stderr}"
        assert result.stdout.strip() and "Traceback" not in result.stderr, shown
        if command[1] not in ("catalog", "screen", "respond"):
            assert result.stderr.strip().endswith("store: ./vendorscope.db"), f"{shown}: {result.stderr}"
        if command[1:3] == ["report", "far"]:
            assert "nothing identified" not in result.stdout, f"{shown} finds nothing in the demo:\n{result.stdout}"


def test_reading_commands_never_create_a_store(tmp_path: Path) -> None:
    for args in (["findings"], ["--db", "typo.db", "hosts"], ["summary"], ["remediation"], ["orgs"]):
        result = run(args, tmp_path)
        where = "./typo.db" if "typo.db" in args else "./vendorscope.db"
        assert result.returncode == 4, (args, result.stderr)
        assert result.stderr.strip() == f"error: no store at {where} — run `vendorscope ingest …` first or pass --db"
    assert list(tmp_path.iterdir()) == []
    missing = run(["--catalog", "nope.yaml", "findings"], tmp_path)
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr and "does not exist" in missing.stderr


def test_a_request_with_three_mistakes_is_told_all_at_once(tmp_path: Path) -> None:
    (tmp_path / "inv.jsonl").write_text('{"host": "ws-1", "name": "Notepad", "source": "programs"}\n')
    assert run(["ingest", "inv.jsonl"], tmp_path).returncode == 0
    (tmp_path / "request.yaml").write_text(
        "id: R-1\nrequester: A committee\nreceived: 27/07/2017\nvendor: Kaspersky\n"
        "items:\n  - system\n  - documents:\n      since: soon\n"
    )
    result = run(["respond", "request.yaml", "--out", "answer"], tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "error: request.yaml:3: received: not a date: '27/07/2017' (write it as YYYY-MM-DD, e.g. 2017-07-27)",
        "error: request.yaml:6: items[0]: unknown item 'system' (known: systems, contractors, documents)",
        "error: request.yaml:8: items[1].documents.since: not a date: 'soon' (write it as YYYY-MM-DD, e.g. 2017-07-27)",
    ]
    assert not (tmp_path / "answer").exists()
