"""The sample fleet: deterministic, in the documented formats, with a truth that fits what was written."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from vendorscope.demo.fleet import generate_fleet
from vendorscope.sources import detect

PRODUCTS = {
    "kes-windows", "kes-mac", "kes-linux", "ksc-agent", "kav", "kis", "kts", "security-cloud",
    "password-manager", "secure-connection", "android-security", "unidentified",
}  # fmt: skip
DECOY_MARKERS = (
    "Kasper Jensen", "KAV Soft", "KES Systems LLC", "klist.exe", "com.kasperskyfan.wallpapers",
    "Kaspersky Fans Club", "Doctor Web, Ltd.", "AVGUI.exe", "Casper",
)  # fmt: skip


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fleet")
    generate_fleet(out, 600, seed=11, items_per_host=30)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _truth(root: Path) -> set[tuple[str, str]]:
    return {(f["host"], f["product"]) for f in json.loads((root / "truth.json").read_text())["findings"]}


def _osquery_lines(root: Path) -> list[dict]:
    return [json.loads(line) for p in sorted(root.glob("osquery/*.log")) for line in p.read_text().splitlines()]


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first, again, _ = (generate_fleet(tmp_path / n, 150, s, 25) for n, s in (("a", 5), ("b", 5), ("c", 6)))
    assert first.items == again.items and first.files == again.files
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_rerun_into_the_same_directory_leaves_no_stale_files(tmp_path: Path) -> None:
    generate_fleet(tmp_path / "x", 300, 1, 5)
    generate_fleet(tmp_path / "x", 40, 2, 5)
    generate_fleet(tmp_path / "y", 40, 2, 5)
    assert _files(tmp_path / "x") == _files(tmp_path / "y")


def test_platform_and_kaspersky_proportions_roughly_hold(fleet: Path) -> None:
    hosts = (fleet / "hosts.txt").read_text().split()
    assert len(hosts) == len(set(hosts)) == 600
    shares = Counter(h.split("-")[0] for h in hosts)
    for prefix, share in (("ws", 0.55), ("mac", 0.15), ("srv", 0.22), ("mob", 0.08)):
        assert abs(shares[prefix] / 600 - share) < 0.02, prefix
    affected = {h for h, _ in _truth(fleet)}
    assert 0.08 <= len(affected) / 600 <= 0.14


def test_every_osquery_line_is_json_with_a_known_host(fleet: Path) -> None:
    hosts = set((fleet / "hosts.txt").read_text().split())
    lines = _osquery_lines(fleet)
    assert lines
    for obj in lines:
        assert obj["hostIdentifier"] in hosts and obj["decorations"]["hostname"] == obj["hostIdentifier"]
        assert obj["name"].startswith("pack_vendorscope_") and isinstance(obj["unixTime"], int)
        diff = obj.get("diffResults", {})
        rows = obj.get("snapshot", []) + ([obj["columns"]] if "columns" in obj else [])
        rows += diff.get("added", []) + diff.get("removed", [])
        assert rows and all(isinstance(v, str) for row in rows for v in row.values())
    assert {"snapshot", "added"} <= {o.get("action") for o in lines} and any("diffResults" in o for o in lines)


def test_osqueryi_and_jsonl_files_follow_their_formats(fleet: Path) -> None:
    hosts = set((fleet / "hosts.txt").read_text().split())
    arrays = sorted(fleet.glob("osqueryi/*.json"))
    assert arrays
    for path in arrays:
        host, table = path.stem.rsplit("__", 1)
        rows = json.loads(path.read_text())
        assert host in hosts and table and rows and all(isinstance(v, str) for r in rows for v in r.values())
    objects = [json.loads(line) for p in fleet.glob("inventory/*.jsonl") for line in p.read_text().splitlines()]
    assert objects and all(o["host"] in hosts and o["name"] for o in objects)
    assert any(o.get("source") == "android_packages" for o in objects)


def test_each_file_is_recognized_by_the_expected_importer(fleet: Path) -> None:
    expected = {"osquery": "osquery-log", "osqueryi": "osquery-json", "inventory": "inventory-jsonl"}
    for path in fleet.rglob("*.*"):
        if path.parent != fleet:
            fmt = detect(path.name, path.read_bytes()[:65536])
            assert fmt is not None and fmt.name == expected[path.parent.name], path


def test_truth_names_known_hosts_and_products_in_order(fleet: Path) -> None:
    hosts = set((fleet / "hosts.txt").read_text().split())
    doc = json.loads((fleet / "truth.json").read_text())
    assert doc["seed"] == 11 and doc["hosts"] == 600
    keys = [(f["host"], f["product"]) for f in doc["findings"]]
    assert keys == sorted(set(keys))
    assert {h for h, _ in keys} <= hosts and {p for _, p in keys} <= PRODUCTS
    assert {f["vendor"] for f in doc["findings"]} == {"kaspersky"}
    assert {"kes-windows", "ksc-agent", "kes-linux", "kes-mac", "android-security", "unidentified"} <= {
        p for _, p in keys
    }


def test_decoys_are_written(fleet: Path) -> None:
    text = b"".join(_files(fleet).values()).decode()
    missing = [m for m in DECOY_MARKERS if m not in text]
    assert not missing


def test_uninstalled_products_are_removed_and_not_in_truth(fleet: Path) -> None:
    truth = _truth(fleet)
    removed: dict[str, set[str]] = {}
    for obj in _osquery_lines(fleet):
        rows = [obj["columns"]] if obj.get("action") == "removed" else obj.get("diffResults", {}).get("removed", [])
        for row in rows:
            removed.setdefault(obj["hostIdentifier"], set()).add(row.get("name", ""))
    assert removed, "no removed event or batch"
    for host, names in removed.items():
        if "Kaspersky Internet Security 2016" in names:
            assert (host, "kis") not in truth
        if "Kaspersky Endpoint Security for Windows" in names:
            assert (host, "kes-windows") not in truth and (host, "ksc-agent") in truth
        if "kesl" in names:
            assert (host, "kes-linux") not in truth and (host, "ksc-agent") in truth
    later = [o for o in _osquery_lines(fleet) if o.get("action") == "snapshot" and o["counter"] == 1]
    assert later, "no later snapshot that drops an uninstalled product"


def test_the_generators_own_files_are_not_ingested(tmp_path: Path) -> None:
    """`ingest fleet/` reads the inventories and leaves truth.json and hosts.txt out (.vendorscopeignore)."""
    from vendorscope.service import Service

    generate_fleet(tmp_path / "fleet", 12, seed=3, items_per_host=10)
    service = Service(str(tmp_path / "vs.db"))
    try:
        report = service.ingest([tmp_path / "fleet"])
    finally:
        service.close()
    names = {Path(f.path).name for f in report.files}
    assert report.ok and names and not names & {"truth.json", "hosts.txt", ".vendorscopeignore"}
