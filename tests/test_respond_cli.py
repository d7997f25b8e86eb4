"""The response commands as a user meets them: respond, report, remediation; one-line errors."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.conftest import write_jsonl
from tests.test_cli import KES, run
from tests.test_requests import GOOD


def test_respond_writes_the_package_and_says_what_it_says(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-2", "name": "7-Zip"}])
    assert run("--db", "s.db", "ingest", "inv.jsonl", cwd=tmp_path).returncode == 0
    (tmp_path / "request.yaml").write_text(GOOD)
    result = run("--db", "s.db", "respond", "request.yaml", "--out", "pkg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Package for request HSST-2017-001 in pkg/" in result.stdout
    assert "1 of 2 known hosts have Kaspersky software or traffic (1 with it" in " ".join(result.stdout.split())
    assert (tmp_path / "pkg" / "manifest.json").is_file()
    (tmp_path / "bad.yaml").write_text(GOOD.replace("vendor: kaspersky", "vendor: acme"))
    bad = run("--db", "s.db", "respond", "bad.yaml", "--out", "pkg2", cwd=tmp_path)
    assert bad.returncode == 2 and not (tmp_path / "pkg2").exists()
    assert bad.stderr.startswith("error: bad.yaml:5: vendor: no catalog for vendor 'acme'")
    assert len(bad.stderr.strip().splitlines()) == 1


def test_remediation_commands(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-2", **KES}])
    run("--db", "s.db", "ingest", "inv.jsonl", cwd=tmp_path)
    rows = orjson.loads(run("--db", "s.db", "remediation", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["host"], r["status"], r["due"]) for r in rows] == [
        ("ws-1", "open", "2017-12-12"),
        ("ws-2", "open", "2017-12-12"),
    ]
    first = str(rows[0]["id"])
    changed = run(
        "--db",
        "s.db",
        "remediation",
        "set",
        first,
        "--status",
        "removal planned",
        "--owner",
        "desk",
        "--due",
        "2999-01-01",
        "--by",
        "alice",
        cwd=tmp_path,
    )
    assert changed.returncode == 0 and "3 changes recorded" in changed.stdout
    overdue = orjson.loads(run("--db", "s.db", "remediation", "--overdue", "--format", "json", cwd=tmp_path).stdout)
    assert [r["host"] for r in overdue] == ["ws-2"]
    history = orjson.loads(run("--db", "s.db", "remediation", "history", first, "-f", "json", cwd=tmp_path).stdout)
    assert [(h["action"], h["new"], h["actor"]) for h in history] == [
        ("status", "removal planned", "alice"),
        ("owner", "desk", "alice"),
        ("due", "2999-01-01", "alice"),
    ]
    wrong = run("--db", "s.db", "remediation", "set", first, "--status", "done", cwd=tmp_path)
    assert wrong.returncode == 1 and wrong.stderr.startswith("error: status: 'done' cannot be set by hand")
    policy = run("--db", "s.db", "remediation", "policy", "--from-first-seen", "--remove", "30", cwd=tmp_path)
    said = " ".join(policy.stdout.split())
    assert "from each finding's first sighting" in said and "remove 30 days" in said


def test_directive_report_commands(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}])
    run("--db", "s.db", "ingest", "inv.jsonl", cwd=tmp_path)
    bod = orjson.loads(run("--db", "s.db", "report", "bod-17-01", "--format", "json", cwd=tmp_path).stdout)
    assert bod["affected_endpoints"] == 1 and bod["plan"][0]["host"] == "ws-1"
    far = run("--db", "s.db", "report", "far", "--clause", "52.204-23", "--contract", "C-1", cwd=tmp_path)
    assert far.returncode == 0 and "no organization registry" in " ".join(far.stdout.split())
    bad = run("--db", "s.db", "report", "far", "--clause", "52.204-99", "--contract", "C-1", cwd=tmp_path)
    assert bad.returncode == 2 and "52.204-99" in bad.stderr
