"""The agency generator's extras (SCCM, Intune, appliance SBOMs, contractor registry): deterministic, read by
the importers they are written for, and their truth is what ingest and screening find."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vendorscope.demo.agency import generate_agency_extras
from vendorscope.demo.organization import generate_organization
from vendorscope.findings.status import SOFTWARE_KINDS
from vendorscope.service import Service
from vendorscope.sources import detect


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("a", 4), ("b", 4), ("c", 5)):
        generate_agency_extras(tmp_path / name, 30, 12, 5, 40, seed)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_each_file_is_identified_as_the_format_it_is_written_for(tmp_path: Path) -> None:
    generate_agency_extras(tmp_path, 5, 4, 2, 10, seed=1)
    expected = {"sccm": "sccm", "intune": "intune", "sbom": "cyclonedx", "registry": "orgs-csv"}
    for folder, fmt in expected.items():
        files = sorted((tmp_path / folder).iterdir())
        assert files, folder
        for path in files:
            found = detect(path.name, path.read_bytes()[:65536])
            assert found is not None and found.name == fmt, path


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Service]:
    out = tmp_path_factory.mktemp("agency")
    generate_organization(out / "organization", ["ws-0001.agency.example"], seed=2)
    generate_agency_extras(out / "extras", 120, 60, 40, 300, seed=2)
    service = Service(str(out / "store.db"))
    extras = [out / "extras" / name for name in ("sccm", "intune", "sbom", "registry")]
    service.ingest([out / "organization" / "orgs.csv", *extras])
    yield out, service
    service.close()


def test_software_findings_equal_the_truth(agency: tuple[Path, Service]) -> None:
    out, service = agency
    truth = json.loads((out / "extras" / "truth.json").read_text(encoding="utf-8"))
    expected = {(f["host"], f["product"]) for f in truth["findings"]}
    found = {(f["host"], f["product"]) for f in service.findings("kaspersky") if f["kind"] in SOFTWARE_KINDS}
    assert len({h for h, _ in expected}) > 15  # every source carries some: SCCM, Intune (both kinds), SBOMs
    assert {h.split("-")[0] for h, _ in expected} == {"WSC", "LT", "MOBI", "appl"}
    assert found == expected


def test_covered_contractors_are_the_supplier_findings(agency: tuple[Path, Service]) -> None:
    out, service = agency
    truth = json.loads((out / "extras" / "truth.json").read_text(encoding="utf-8"))
    assert truth["suppliers"]
    flagged = {f["org_key"] for f in service.org_findings("supplier")}
    assert flagged == set(truth["suppliers"])
    registry = (out / "extras" / "registry" / "contractors.csv").read_text(encoding="utf-8").splitlines()
    assert len(registry) == 301 and {"contractor", "subcontractor"} <= {line.split(",")[2] for line in registry}
