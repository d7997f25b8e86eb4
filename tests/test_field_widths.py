"""Fields longer than their column: the same rows on SQLite and PostgreSQL, and a problem on the record, never
the batch. SQLite keeps any length in a VARCHAR(n) column; PostgreSQL cut a new title's fields to 64 characters
(the insert cast its arrays to the column's type) and refused a too-long host name with the whole group."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select

from vendorscope.service import Service
from vendorscope.sources.base import Hints
from vendorscope.store import migrate
from vendorscope.store.store import Store
from vendorscope.store.tables import Host, HostRule, Org, Purchase, Title

_MAPPING = Hints(
    mapping=(
        ("host", "Computer"),
        ("name", "Program"),
        ("publisher", "Vendor"),
        ("version", "Ver"),
        ("source", "Kind"),
        ("team_id", "Team"),
        ("sha256", "Hash"),
    )
)


def _export(path: Path, rows: list[str]) -> Path:
    path.write_text("Computer,Program,Vendor,Ver,Kind,Team,Hash\n" + "".join(f"{r}\n" for r in rows))
    return path


def test_a_new_titles_long_fields_are_stored_whole_on_every_store(service: Service, tmp_path: Path) -> None:
    kind, team, digest = "k" * 90, "T" * 200, "ab" * 60
    export = _export(
        tmp_path / "export.csv", [f"WS-1,Kaspersky Endpoint Security,AO Kaspersky Lab,11,{kind},{team},{digest}"]
    )
    report = service.ingest([export], _MAPPING)
    assert [(f.status, f.problems) for f in report.files] == [("ingested", [])]
    with service.store.engine.connect() as conn:
        stored = conn.execute(select(Title.source, Title.team_id, Title.sha256)).one()
    assert tuple(stored) == (kind, team, digest)


def test_a_host_name_too_long_costs_its_record_not_the_batch(service: Service, tmp_path: Path) -> None:
    first = _export(
        tmp_path / "a.csv",
        [f"{'H' * 300},Kaspersky Endpoint Security,AO Kaspersky Lab,11,,,", "WS-2,7-Zip,Igor Pavlov,23,,,"],
    )
    second = _export(tmp_path / "b.csv", ["WS-3,Kaspersky Endpoint Security,AO Kaspersky Lab,11,,,"])
    report = service.ingest([first, second], _MAPPING)
    assert [f.status for f in report.files] == ["ingested", "ingested"]
    assert report.files[0].messages() == [
        f"{first}:2: longer than the store keeps: host (300 characters, at most 255): record left out"
    ]
    assert report.files[1].problems == []
    with service.store.engine.connect() as conn:
        assert sorted(conn.execute(select(Host.key)).scalars()) == ["ws-2", "ws-3"]


def test_a_registry_row_too_long_rejects_the_registry_whole(service: Service, tmp_path: Path) -> None:
    registry = tmp_path / "orgs.csv"
    registry.write_text(
        "id,name,kind,parent,contract,uei,cage,country\n"
        "dea,Department of Example Affairs,agency,,,,,US\n"
        f"dea-hq,Headquarters,office,dea,,{'U' * 40},,US\n"
    )
    report = service.ingest([registry], Hints())
    assert report.files[0].status == "failed"
    assert report.files[0].problems[0].line == 3
    assert "uei (40 characters, at most 32)" in report.files[0].problems[0].message
    with service.store.engine.connect() as conn:
        assert conn.execute(select(Org.key)).all() == []


def test_an_ownership_rule_too_long_is_left_out_and_the_others_kept(service: Service, tmp_path: Path) -> None:
    rules = tmp_path / "ownership-rules.csv"
    rules.write_text(f"org,hostname,network\ndea-hq,{'w' * 256},\ndea-field,mac-*,\n")
    report = service.ingest([rules], Hints())
    assert report.files[0].status == "ingested"
    assert [(p.line, p.message) for p in report.files[0].problems] == [
        (2, "longer than the store keeps: hostname (256 characters, at most 255): record left out")
    ]
    with service.store.engine.connect() as conn:
        assert conn.execute(select(HostRule.org_key, HostRule.hostname)).all() == [("dea-field", "mac-*")]


def test_a_purchases_part_and_numbers_are_stored_whole_on_every_store(service: Service, tmp_path: Path) -> None:
    part, amount, contract, order = "DS-2CD2143G2-I " * 20, "1" * 70, "47QTCA" * 50, "PO-" * 100
    purchases = tmp_path / "procurement.csv"
    purchases.write_text(
        "date,org,supplier,description,part,amount,contract,order\n"
        f"2024-03-01,dea-hq,Example Integrator,IP camera,{part},{amount},{contract},{order}\n"
    )
    report = service.ingest([purchases], Hints())
    assert [(f.status, f.problems) for f in report.files] == [("ingested", [])]
    with service.store.engine.connect() as conn:
        stored = conn.execute(select(Purchase.part, Purchase.amount, Purchase.contract, Purchase.order_number)).one()
    assert tuple(stored) == (part.strip(), amount, contract, order)


def test_a_store_with_titles_is_migrated_to_unbounded_fields(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "record_keys_recent")
        conn.exec_driver_sql(
            "INSERT INTO titles (key, name, version, publisher, source, path, identifier, signer, team_id, sha256) "
            "VALUES ('k', 'Kaspersky Endpoint Security', '11', 'AO Kaspersky Lab', 'programs', '', '', '', 'T', 'S')"
        )
    engine.dispose()
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            assert conn.execute(select(Title.name, Title.team_id, Title.sha256)).all() == [
                ("Kaspersky Endpoint Security", "T", "S")
            ]
    finally:
        store.close()
