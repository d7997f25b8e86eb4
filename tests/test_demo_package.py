"""The main job on a sample organization whose right answer is known: `vendorscope demo` builds the
package, and every part of it is checked against what the generators put in."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from vendorscope.demo.organization import UNMANAGED_CLIENT
from vendorscope.demo.run import run_demo

SOFTWARE = ("branded", "embedded")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, hosts=150, seed=11)
    return out


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def truth(demo: Path) -> set[tuple[str, str]]:
    data = json.loads((demo / "fleet" / "truth.json").read_text(encoding="utf-8"))
    return {(f["host"], f["product"]) for f in data["findings"]}


def owners(demo: Path) -> dict[str, str]:
    """Who owns each host, as the sample organization's files say (hosts.csv first, then the name rules)."""
    explicit = {r["host"]: r["org"] for r in rows(demo / "organization" / "hosts.csv")}
    rules = {"ws-": "dea-hq", "mac-": "dea-field", "mob-": "dea-field", "srv-": "dea-hq"}
    hosts = (demo / "fleet" / "hosts.txt").read_text(encoding="utf-8").split()
    return {h: explicit.get(h) or next(org for prefix, org in rules.items() if h.startswith(prefix)) for h in hosts}


def test_systems_are_the_fleets_truth(demo: Path) -> None:
    systems = rows(demo / "response" / "systems.csv")
    software = {(r["host"], r["product"]) for r in systems if r["kind"] in SOFTWARE}
    names = {p: n for p, n in _product_names(demo).items()}
    assert software == {(host, names[product]) for host, product in truth(demo)}
    org_paths = {r["host"]: r["org_path"] for r in systems if r["kind"] in SOFTWARE}
    for host, org in owners(demo).items():
        if host in org_paths:
            assert org_paths[host].startswith("Department of Example Affairs / "), host
            assert org in {"acme", "beta"} or "Office" in org_paths[host]


def test_contractors_are_those_whose_hosts_run_the_vendor(demo: Path) -> None:
    affected = {host for host, _ in truth(demo)}
    per_org: dict[str, int] = {}
    for host, org in owners(demo).items():
        if host in affected:
            per_org[org] = per_org.get(org, 0) + 1
    contractors = {r["name"]: r for r in rows(demo / "response" / "contractors.csv")}
    # The prime always has a finding of its own: it bought licences from a covered supplier.
    assert int(contractors["Acme Federal Systems LLC"]["hosts_with_vendor"]) == per_org.get("acme", 0)
    if per_org.get("beta"):
        assert contractors["Beta Widgets Inc"]["prime"] == "Acme Federal Systems LLC"
        assert int(contractors["Beta Widgets Inc"]["hosts_with_vendor"]) == per_org["beta"]
    else:
        assert "Beta Widgets Inc" not in contractors
    assert contractors["Kaspersky Lab, Inc."]["kind"] == "covered supplier"  # bought from by the prime


def test_coverage_lists_every_host_and_the_never_examined(demo: Path) -> None:
    coverage = {r["host"]: r for r in rows(demo / "response" / "coverage.csv")}
    fleet_hosts = set((demo / "fleet" / "hosts.txt").read_text(encoding="utf-8").split())
    assert fleet_hosts <= set(coverage)
    assert all(coverage[h]["examined_by"] != "not examined" for h in fleet_hosts)
    assert coverage[UNMANAGED_CLIENT]["examined_by"] == "not examined"  # known only from the DNS log


def test_documents_are_the_reviewed_production(demo: Path) -> None:
    data = demo / "response" / "documents" / "DATA"
    dat = (data / "loadfile.dat").read_bytes().decode("utf-8").splitlines()
    assert len(dat) == 1 + 3  # header + the risk assessment, its attachment, the reply
    assert "Casper" not in "\n".join(dat) and "renewal quote" not in "\n".join(dat)
    privileged = rows(data / "privilege_log.csv")
    assert [r["PRIVILEGE_BASIS"] for r in privileged] == ["attorney-client"]
    assert len((data / "loadfile.opt").read_bytes().splitlines()) >= 3  # a page image per page


def test_report_lists_the_produced_documents(demo: Path) -> None:
    from vendorscope.records.loadfile import read_dat

    produced = read_dat(demo / "response" / "documents" / "DATA" / "loadfile.dat")
    html = (demo / "response" / "report.html").read_text(encoding="utf-8")
    for row in produced:
        assert f"<td>{row['BEGBATES']}" in html  # Bates range, date, custodian, subject of each
    header = "".join(f'<th scope="col">{name}</th>' for name in ("Bates", "date", "custodian", "subject"))
    assert header in html


def test_manifest_hashes_every_file(demo: Path) -> None:
    package = demo / "response"
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        data = (package / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert manifest["request"] == "HSST-2017-001"


def _product_names(demo: Path) -> dict[str, str]:
    from vendorscope.catalog.loader import load_catalogs

    catalog = next(c for c in load_catalogs() if c.vendor.id == "kaspersky")
    names = {p.id: p.name for p in catalog.products}
    names["unidentified"] = "Kaspersky (product not identified)"
    return names
