"""Rollups over the organization tree: an agency → prime → sub chain, per org, contractor and product."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner, Result

from tests.conftest import write_jsonl
from vendorscope.cli import app
from vendorscope.service import Service

DATA = Path(__file__).parent / "data" / "orgs"
KES = {"name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab", "source": "programs"}


def fleet(tmp_path: Path) -> Path:
    folder = tmp_path / "fleet"
    folder.mkdir()
    (folder / "hosts.csv").write_text(
        "host,org\nagency-ws,dhs-cio\nprime-ws,prime\nsub-ws,sub2\nsub-ws-2,sub2\nsub-idle,sub2\n", encoding="utf-8"
    )
    write_jsonl(
        folder / "inv.jsonl",
        [
            {"host": "agency-ws", "name": "7-Zip"},
            {"host": "prime-ws", **KES},
            {"host": "sub-ws", **KES},
            {"host": "sub-ws-2", "name": "7-Zip"},
            {"host": "stray", **KES},
        ],
    )
    return folder


def test_subtrees_count_their_hosts(service: Service, tmp_path: Path) -> None:
    assert service.ingest([DATA / "registry.csv", fleet(tmp_path)]).ok
    rows = {r["org"]: r for r in service.exposure("org")}
    assert {k: (r["hosts_known"], r["hosts_examined"], r["hosts_with_findings"]) for k, r in rows.items()} == {
        "dhs": (5, 4, 2),
        "dhs-cio": (5, 4, 2),
        "prime": (4, 3, 2),
        "sub2": (3, 2, 1),
        "sub": (0, 0, 0),
        "unassigned": (1, 1, 1),
    }
    assert rows["prime"]["products"] == {"kaspersky:kes-windows": 2}
    assert rows["sub"]["covered_suppliers"] == 1  # "Kapersky Lab Inc" is Kaspersky Lab, Inc.
    assert rows["dhs"]["covered_suppliers"] == 1  # rolled up to its customers


def test_contractors_with_their_chain_and_products(sqlite_service: Service, tmp_path: Path) -> None:
    assert sqlite_service.ingest([DATA / "registry.csv", fleet(tmp_path)]).ok
    contractors = sqlite_service.exposure("contractor")
    assert [r["org"] for r in contractors] == ["prime", "sub2", "sub"]
    sub2 = contractors[1]
    assert sub2["chain"] == (
        "Department of Homeland Security › Office of the Chief Information Officer › Acme Federal Systems LLC › "
        "Beta Widgets Inc"
    )
    [product] = sqlite_service.exposure("product")
    assert product["product"] == "kaspersky:kes-windows" and product["hosts"] == 3
    assert product["orgs"]["unassigned"] == 1
    assert product["contractors"] == [
        "Department of Homeland Security › Office of the Chief Information Officer › Acme Federal Systems LLC",
        "Department of Homeland Security › Office of the Chief Information Officer › Acme Federal Systems LLC › "
        "Beta Widgets Inc",
    ]


def test_cli_exposure_formats(tmp_path: Path) -> None:
    folder = fleet(tmp_path)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(tmp_path / "s.db"), *args])

    assert run("ingest", "-q", str(DATA / "registry.csv"), str(folder)).exit_code == 0
    as_json = run("exposure", "--by", "contractor", "--format", "json")
    assert [r["org"] for r in orjson.loads(as_json.stdout)] == ["prime", "sub2", "sub"]
    as_csv = run("exposure", "--format", "csv").stdout.splitlines()
    assert as_csv[0].startswith("org,name,kind,chain,contracts,hosts_known")
    assert run("exposure", "--by", "planet").exit_code == 2
    tree = run("orgs")
    assert tree.exit_code == 0 and "1 hosts are unassigned" in tree.stdout
