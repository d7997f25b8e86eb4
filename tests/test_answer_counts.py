"""One answer, the same numbers everywhere: on the demo agency and on a generated agency of 5,000 hosts, every
output reports the same ``counts`` — the CLI summary, manifest.json, report bod-17-01, report far, the XLSX,
the CSVs, the report HTML, the web dashboard and GET /api/v1/summary.

Each agency is built once by the demo's own generators (``vendorscope demo``'s run_demo) and checked by one
test, so parallel workers (``pytest -n``) build each agency once and both at the same time; the 5,000-host
one takes about two minutes on a shared 2-core machine.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.server_support import PASSWORD, fast_hashing, login
from vendorscope.findings.status import CLOSED, SOFTWARE_KINDS
from vendorscope.respond.summary import COUNT_FIELDS
from vendorscope.service import Service

AGENCIES = {"demo": (300, 2017), "5000-hosts": (5000, 7)}  # (hosts, seed): `make demo`'s agency, then a big one
VENDOR = "kaspersky"


@pytest.fixture(scope="module", params=sorted(AGENCIES))
def agency(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from vendorscope.demo.run import run_demo

    hosts, seed = AGENCIES[request.param]
    out = tmp_path_factory.mktemp(request.param)
    run_demo(out, hosts=hosts, seed=seed)
    yield out


def cli(agency: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "vendorscope", "--db", str(agency / "vendorscope.db"), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def manifest(agency: Path) -> dict[str, Any]:
    return json.loads((agency / "response" / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def html_counts(html: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def test_every_output_reports_the_same_counts(agency: Path) -> None:
    """One test per agency (so that test workers build each agency once), in four parts."""
    check_the_contract(agency)
    check_the_cli_the_package_and_the_directives(agency)
    check_the_csvs(agency)
    check_the_dashboard_and_the_api(agency)


def check_the_contract(agency: Path) -> None:
    summary = cli(agency, "summary", "--vendor", VENDOR, "--format", "json")
    assert list(summary) == ["vendor", "counts", "products"] and summary["vendor"] == VENDOR
    assert list(summary["counts"]) == list(COUNT_FIELDS)
    assert all(set(p) == {"product_id", "product", "hosts"} for p in summary["products"])
    ids = [p["product_id"] for p in summary["products"]]
    names = [p["product"] for p in summary["products"]]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names)), "each product once"
    c = summary["counts"]
    assert c["hosts_known"] == c["hosts_examined"] + c["hosts_not_examined"]
    assert c["hosts_affected"] == c["hosts_affected_installed"] + c["hosts_affected_network_only"]
    assert c["hosts_affected_network_only"] > 0 and c["purchases_flagged"] > 0, "the agencies exercise both"
    assert c["documents_produced"] == manifest(agency)["documents"]


def check_the_cli_the_package_and_the_directives(agency: Path) -> None:
    summary = cli(agency, "summary", "--vendor", VENDOR, "--format", "json")
    counts = summary["counts"]
    package = manifest(agency)
    assert package["counts"] == counts
    assert package["products"] == summary["products"]
    bod = cli(agency, "report", "bod-17-01", "--vendor", VENDOR, "--format", "json")
    assert bod["counts"] == counts
    assert bod["affected_endpoints"] == counts["hosts_affected_installed"]
    assert f"{counts['hosts_affected_installed']} of the {counts['hosts_affected']} hosts" in bod["reconciliation"]
    far = cli(agency, "report", "far", "--clause", "52.204-23", "--contract", "any", "--vendor", VENDOR, "-f", "json")
    assert far["counts"] == counts
    report = (agency / "response" / "report.html").read_text(encoding="utf-8")
    assert html_counts(report) == counts
    workbook = load_workbook(agency / "response" / "report.xlsx", read_only=True)
    sheet = list(workbook["counts"].iter_rows(values_only=True))
    assert {name: value for name, value, _meaning in sheet[1:]} == counts


def check_the_csvs(agency: Path) -> None:
    counts = manifest(agency)["counts"]
    folder = agency / "response"
    systems = rows(folder / "systems.csv")
    assert all(r["host"] and r["kind"] != "procurement" for r in systems), "purchases are not systems"
    affected = {r["host"] for r in systems}
    installed = {r["host"] for r in systems if r["kind"] in SOFTWARE_KINDS}
    assert len(affected) == counts["hosts_affected"]
    assert len(installed) == counts["hosts_affected_installed"]
    assert len(affected - installed) == counts["hosts_affected_network_only"]
    assert sum(1 for r in systems if r["status"] not in CLOSED) == counts["findings_open"]
    per_product: dict[str, set[str]] = {}
    for r in systems:
        per_product.setdefault(r["product"], set()).add(r["host"])
    products = {p["product"]: p["hosts"] for p in manifest(agency)["products"]}
    assert {p: len(h) for p, h in per_product.items()} == products
    coverage = rows(folder / "coverage.csv")
    assert len(coverage) == counts["hosts_known"]
    assert sum(1 for r in coverage if r["examined_by"] == "not examined") == counts["hosts_not_examined"]
    assert len(rows(folder / "purchases.csv")) == counts["purchases_flagged"]
    contractors = rows(folder / "contractors.csv")
    assert sum(1 for r in contractors if r["kind"] != "covered supplier") == counts["contractors"]


def check_the_dashboard_and_the_api(agency: Path) -> None:
    from fastapi.testclient import TestClient

    from vendorscope.web.app import create_app

    service = Service(str(agency / "vendorscope.db"))
    try:
        with fast_hashing():
            service.accounts.add_user("counter", PASSWORD, "viewer", "")
        counts = manifest(agency)["counts"]
        with fast_hashing(), TestClient(create_app(service), base_url="https://testserver") as client:
            login(client, "counter")
            dashboard = client.get("/", headers={"accept": "text/html"})
            assert dashboard.status_code == 200
            assert html_counts(dashboard.text) == counts
            api = client.get("/api/v1/summary").json()
            assert api["counts"] == counts and api["vendor"] == VENDOR
            assert api["products"] == manifest(agency)["products"]
    finally:
        service.close()
