"""The command line as a user meets it: output shapes, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.conftest import write_jsonl

KES = {"name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab", "source": "programs"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vendorscope", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_ingest_and_findings_json(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-2", "name": "7-Zip"}])
    result = run("--db", "s.db", "ingest", "inv.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 files ingested (2 items)" in result.stdout
    result = run("--db", "s.db", "findings", "--vendor", "kaspersky", "--format", "json", cwd=tmp_path)
    [finding] = orjson.loads(result.stdout)
    assert {"host", "vendor", "product", "confidence", "evidence"} <= finding.keys()
    assert finding["host"] == "ws-1" and finding["vendor"] == "kaspersky"
    assert all({"source", "field", "value", "rule"} <= e.keys() for e in finding["evidence"])
    csv_out = run("--db", "s.db", "findings", "--format", "csv", cwd=tmp_path).stdout.splitlines()
    assert csv_out[0].startswith("host,vendor,product") and csv_out[1].startswith("ws-1,kaspersky,kes-windows")


def test_env_var_chooses_the_store(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}])
    env_run = subprocess.run(
        [sys.executable, "-m", "vendorscope", "ingest", "inv.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"VENDORSCOPE_DB": "env.db", "PATH": "/usr/bin"},
    )
    assert env_run.returncode == 0, env_run.stderr
    assert (tmp_path / "env.db").exists() and not (tmp_path / "vendorscope.db").exists()


def test_bad_input_is_one_line_per_problem_and_non_zero(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_bytes(orjson.dumps({"host": "a", **KES}) + b"\n{oops\n")
    result = run("--db", "s.db", "ingest", "bad.jsonl", "missing.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any(line.startswith("error: bad.jsonl:2: not valid JSON") for line in lines)
    assert any("missing.jsonl: no such file or folder" in line for line in lines)
    assert "1 files ingested" in result.stdout  # the rest of the batch went in


def test_bad_catalog_and_unknown_vendor_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("version: 1\n", encoding="utf-8")
    result = run("catalog", "validate", "c.yaml", cwd=tmp_path)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: c.yaml: ") and result.stderr.count("\n") == 1
    result = run("--db", "s.db", "findings", "--vendor", "nobody", cwd=tmp_path)
    assert result.returncode == 5 and "no catalog for vendor 'nobody'" in result.stderr


def test_hosts_and_catalog_show(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}])
    run("--db", "s.db", "ingest", "inv.jsonl", cwd=tmp_path)
    hosts = orjson.loads(run("--db", "s.db", "hosts", "--format", "json", cwd=tmp_path).stdout)
    assert hosts[0]["coverage"] == "inventory" and hosts[0]["findings"] == ["kaspersky:kes-windows"]
    shown = run("catalog", "show", "--vendor", "kaspersky", "--format", "json", cwd=tmp_path)
    assert orjson.loads(shown.stdout)[0]["vendor"]["id"] == "kaspersky"
