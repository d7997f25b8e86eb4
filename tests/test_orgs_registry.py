"""The organization registry: orgs.csv and FollowTheMoney input, validated as a whole, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from vendorscope import sources
from vendorscope.service import Service
from vendorscope.store.tables import Artifact, Org

DATA = Path(__file__).parent / "data" / "orgs"
HEADER = "id,name,kind,parent,contract,uei,cage,country\n"


def write(path: Path, rows: str, header: str = HEADER) -> Path:
    path.write_text(header + rows, encoding="utf-8")
    return path


def org_count(service: Service) -> int:
    with service.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Org)).scalar_one()


def messages(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [m for f in report.files for m in f.messages()]


def test_registry_csv_is_detected_and_read_into_a_tree(service: Service) -> None:
    head = (DATA / "registry.csv").read_bytes()
    assert sources.detect("registry.csv", head).name == "orgs-csv"  # type: ignore[union-attr]
    report = service.ingest([DATA / "registry.csv"])
    assert report.ok, messages(report)
    tree = service.orgs()
    assert [(r["org"], r["depth"]) for r in tree] == [
        ("dhs", 0),
        ("dhs-cio", 1),
        ("prime", 2),
        ("sub2", 3),
        ("sub", 3),
    ]
    prime = next(r for r in tree if r["org"] == "prime")
    assert prime["contracts"] == ["HSHQDC-17-C-00001", "70RSAT18F00000001"]
    assert (
        prime["chain"]
        == "Department of Homeland Security › Office of the Chief Information Officer › Acme Federal Systems LLC"
    )


def test_a_cycle_names_its_rows_and_leaves_nothing(sqlite_service: Service, tmp_path: Path) -> None:
    path = write(
        tmp_path / "orgs.csv",
        "dhs,DHS,agency,,,,,\nprime,Prime Co,contractor,sub,,,,\nsub,Sub Co,subcontractor,prime,,,,\n",
    )
    report = sqlite_service.ingest([path])
    lines = messages(report)
    assert report.files[0].status == "failed"
    assert any(line.startswith(f"{path}:3: org 'prime' is in a parent cycle") for line in lines), lines
    assert any(line.startswith(f"{path}:4: org 'sub' is in a parent cycle") for line in lines), lines
    assert "prime (line 3) → sub (line 4) → prime (line 3)" in lines[0]
    assert org_count(sqlite_service) == 0  # not even the valid agency: a registry file is all or nothing
    with sqlite_service.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Artifact)).scalar_one() == 0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "a,A,agency,,,,,\nc,C,contractor,ghost,,,,\n",
            ":3: parent 'ghost' of 'c' is neither in this file nor in the store",
        ),
        ("a,A,agency,,,,,\na,A again,agency,,,,,\n", ":3: org id 'a' already defined on line 2"),
        ("a,A,agency,,,,,\ns,S,subcontractor,a,,,,\n", ":3: subcontractor 's' has parent 'a', a agency; expected"),
        ("o,O,office,,,,,\n", ":2: office 'o' needs a parent (agency or office)"),
        ("a,A,ministry,,,,,\n", ":2: kind 'ministry' is not one of agency, office, contractor, subcontractor"),
        ("a,,agency,,,,,\n", ":2: id and name are required"),
    ],
)
def test_registry_problems_name_the_row(sqlite_service: Service, tmp_path: Path, rows: str, expected: str) -> None:
    path = write(tmp_path / "orgs.csv", rows)
    report = sqlite_service.ingest([path])
    assert not report.ok
    assert any(expected in line for line in messages(report)), messages(report)
    assert org_count(sqlite_service) == 0


def test_parents_may_be_in_the_store_and_a_later_file_updates(sqlite_service: Service, tmp_path: Path) -> None:
    assert sqlite_service.ingest([write(tmp_path / "agencies.csv", "a,Agency A,agency,,,,,\n")]).ok
    contractors = write(tmp_path / "contractors.csv", "p,Prime,contractor,a,,,,\ns,Sub,subcontractor,p,,,,\n")
    assert sqlite_service.ingest([contractors]).ok
    # A newer file may not close a loop through what the store holds.
    loop = write(tmp_path / "loop.csv", "p,Prime,contractor,s,,,,\n")
    report = sqlite_service.ingest([loop])
    assert any("in a parent cycle: p (line 2) → s (in the store) → p (line 2)" in m for m in messages(report))
    renamed = write(tmp_path / "renamed.csv", "p,Prime Renamed,contractor,a,,,,\n")
    assert sqlite_service.ingest([renamed]).ok
    assert {r["org"]: r["name"] for r in sqlite_service.orgs()}["p"] == "Prime Renamed"


def test_followthemoney_entities_give_agency_office_prime_and_sub(sqlite_service: Service) -> None:
    path = DATA / "entities.ftm.json"
    assert sources.detect(path.name, path.read_bytes()).name == "ftm-json"  # type: ignore[union-attr]
    report = sqlite_service.ingest([path])
    assert report.ok, messages(report)
    rows = {r["org"]: r for r in sqlite_service.orgs()}
    assert {k: (r["kind"], r["depth"]) for k, r in rows.items()} == {
        "gsa": ("agency", 0),
        "gsa-fas": ("office", 1),
        "prime-co": ("contractor", 2),
        "sub-co": ("subcontractor", 3),
    }
    assert rows["prime-co"]["contracts"] == ["47QTCA19F0042"]
    assert rows["sub-co"]["chain"].endswith("Northwind Integrators Inc. › ZTE USA Inc.")


def test_bad_followthemoney_lines_are_problems(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_text(
        '{"id": "a", "schema": "PublicBody", "properties": {"name": ["A"]}}\n'
        '{"id": "b", "schema": "NoSuchSchema", "properties": {}}\n'
        "{oops\n",
        encoding="utf-8",
    )
    report = sqlite_service.ingest([path])
    lines = messages(report)
    assert any(":2: not a FollowTheMoney entity" in m for m in lines), lines
    assert any(":3: not valid JSON" in m for m in lines), lines
    assert org_count(sqlite_service) == 0


def test_real_samples_are_not_taken_for_registry_files() -> None:
    samples = Path(__file__).resolve().parents[2] / "shared" / "real-samples"
    if not samples.is_dir():
        pytest.skip("shared/real-samples not present")
    ours = {"orgs-csv", "hosts-csv", "ownership-rules-csv", "procurement-csv", "ftm-json"}
    for path in sorted(p for p in samples.rglob("*") if p.is_file()):
        fmt = sources.detect(path.name, path.read_bytes()[:65536])
        assert fmt is None or fmt.name not in ours, path
