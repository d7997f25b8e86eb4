"""A second answer after the product was removed from some hosts (a later osquery snapshot without it) and a
host never examined before was examined: `respond --since-package` and `diff` report exactly those changes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
import pytest

from tests.test_cli import run
from vendorscope.demo.run import SAMPLE_REQUEST, run_demo
from vendorscope.respond.build import BuildOptions
from vendorscope.respond.verify import verify_package
from vendorscope.service import Service

MONTH = 30 * 86_400
NEW_HOST = "ws-9000.agency.example"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot_only(systems: list[dict[str, str]], fleet: Path) -> list[str]:
    """Hosts with installed vendor software known only from osquery snapshots (no other file, no network)."""
    actions: dict[str, set[str]] = {}
    for log in (fleet / "osquery").glob("*.log"):
        for line in log.read_bytes().splitlines():
            event = orjson.loads(line)
            actions.setdefault(event.get("hostIdentifier", ""), set()).add(event.get("action", ""))
    others = "".join(p.read_text() for p in (fleet / "inventory").glob("*"))
    others += " ".join(p.name for p in (fleet / "osqueryi").glob("*"))
    by_host: dict[str, set[str]] = {}
    for row in systems:
        by_host.setdefault(row["host"], set()).add(row["kind"])
    return sorted(
        h for h, kinds in by_host.items() if kinds == {"branded"} and actions.get(h) == {"snapshot"} and h not in others
    )


def later_snapshots(fleet: Path, hosts: list[str]) -> bytes:
    """Each host's osquery snapshots a month later, every vendor row gone (a complete list, so a removal)."""
    out = []
    for log in sorted((fleet / "osquery").glob("*.log")):
        for line in log.read_bytes().splitlines():
            event = orjson.loads(line)
            if event.get("hostIdentifier") in hosts and event.get("action") == "snapshot":
                event["unixTime"] += MONTH
                event["snapshot"] = [r for r in event["snapshot"] if "kaspersky" not in json.dumps(r).lower()]
                out.append(orjson.dumps(event))
    return b"\n".join(out) + b"\n"


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, hosts=60, seed=7)
    old = out / "response"
    removed_hosts = snapshot_only(rows(old / "systems.csv"), out / "fleet")[:2]
    assert len(removed_hosts) == 2, "the demo fleet should have hosts known from osquery snapshots only"
    later = out / "later" / "results-later.log"
    later.parent.mkdir()
    new_host = {
        "name": "pack_vendorscope_programs",
        "hostIdentifier": NEW_HOST,
        "unixTime": 1_800_000_000,
        "action": "snapshot",
        "snapshot": [{"name": "7-Zip", "publisher": "Igor Pavlov", "version": "23.01"}],
    }
    later.write_bytes(later_snapshots(out / "fleet", removed_hosts) + orjson.dumps(new_host) + b"\n")  # fmt: skip
    service = Service(str(out / "vendorscope.db"))
    try:
        assert service.ingest([later]).ok
        service.respond(SAMPLE_REQUEST, out / "response-2", options=BuildOptions(since=old, built_by="tester"))
    finally:
        service.close()
    return {"out": out, "old": old, "new": out / "response-2", "removed_hosts": removed_hosts, "later": later}


def test_second_answer_reports_exactly_what_moved(answers: dict) -> None:
    old, new = answers["old"], answers["new"]
    expected = {(r["host"], r["product"]) for r in rows(old / "systems.csv") if r["host"] in answers["removed_hosts"]}
    changes = json.loads((new / "changes.json").read_text())
    assert {(r["host"], r["product"]) for r in changes["systems_removed"]} == expected
    for row in changes["systems_removed"]:
        assert row["verified_by"].startswith("removed (verified) ") and "results-later.log" in row["verified_by"]
    assert changes["systems_added"] == []
    assert [r["host"] for r in changes["hosts_newly_examined"]] == [NEW_HOST]
    assert changes["contractors_new"] == [] and changes["documents_produced"] == []
    assert changes["counts"] == {"systems_added": 0, "systems_removed": len(expected), "hosts_newly_examined": 1,
                                 "contractors_new": 0, "documents_produced": 0}  # fmt: skip
    manifest = json.loads((new / "manifest.json").read_text())
    assert (
        manifest["since_package"]["package"] == "response" and manifest["since_package"]["counts"] == changes["counts"]
    )
    html = (new / "report.html").read_text()
    assert "Changes since the answer of" in html and all(host in html for host in answers["removed_hosts"])
    assert verify_package(new).ok, verify_package(new).problems


def test_diff_command_compares_two_packages(answers: dict) -> None:
    out = answers["out"]
    result = run("--db", str(out / "vendorscope.db"), "diff", str(answers["old"]), str(answers["new"]), "-f", "json",
                 cwd=out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert orjson.loads(result.stdout) == json.loads((answers["new"] / "changes.json").read_text())
    table = run("--db", str(out / "vendorscope.db"), "diff", str(answers["old"]), str(answers["new"]), cwd=out)
    removed = len(json.loads((answers["new"] / "changes.json").read_text())["systems_removed"])
    assert f"systems removed: {removed}, hosts newly examined: 1" in " ".join(table.stdout.split())
    reverse = run("diff", str(answers["new"]), str(answers["old"]), "-f", "json", cwd=out)
    flipped = orjson.loads(reverse.stdout)
    assert {r["host"] for r in flipped["systems_added"]} == set(answers["removed_hosts"])
    assert flipped["systems_added"][0]["verified_by"] == ""


def test_diff_of_a_folder_that_is_not_a_package_is_one_line(answers: dict, tmp_path: Path) -> None:
    result = run("diff", str(tmp_path), str(answers["new"]), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith(f"error: {tmp_path}: not a vendorscope package")
    assert len(result.stderr.strip().splitlines()) == 1
