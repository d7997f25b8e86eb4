"""Recall and precision of the vendor search on a labelled set of realistic mail (tests/data/records/labelled):
assessments written through the product's parts (drivers, processes, services, agents, app ids, cloud
services, misspellings), procurement, removal status, helpdesk tickets, Russian-language mail, replies that
only make sense in their thread — and look-alikes (Casper, Kasper, Kaspi, Kapsch, Dr.Web, KES the currency,
KES the initials, KSC the space center, another product's Network Agent). Every responsive message must be
found, nothing else, and every hit must say why."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from vendorscope.records.search import Filters
from vendorscope.service import Service

LABELLED = Path(__file__).parent / "data" / "records" / "labelled"


def _labels() -> dict[str, tuple[bool, str]]:
    with (LABELLED / "labels.csv").open(encoding="utf-8") as handle:
        return {row["file"]: (row["responsive"] == "yes", row["why"]) for row in csv.DictReader(handle)}


@pytest.fixture
def labelled(service: Service, tmp_path: Path) -> tuple[Service, list[dict[str, object]]]:
    folder = tmp_path / "mail"
    shutil.copytree(LABELLED, folder, ignore=shutil.ignore_patterns("labels.csv"))
    report = service.records_ingest([folder], "records-officer", workers=1, records_dir=tmp_path / "originals")
    assert report.files == len(_labels())
    return service, service.records_vendor_search("kaspersky", Filters(limit=0))


def test_recall_is_complete_with_no_false_hits(labelled: tuple[Service, list[dict[str, object]]]) -> None:
    _, rows = labelled
    labels = _labels()
    found = {Path(str(r["path"])).name for r in rows}
    responsive = {name for name, (yes, _) in labels.items() if yes}
    missed = sorted(responsive - found)
    false_hits = sorted(found - responsive)
    recall = len(responsive & found) / len(responsive)
    precision = len(responsive & found) / max(len(found), 1)
    assert (missed, false_hits) == ([], []), f"recall {recall:.2f}, precision {precision:.2f}"
    assert len(responsive) >= 15 and len(labels) - len(responsive) >= 10  # a set worth measuring


def test_every_hit_explains_itself(labelled: tuple[Service, list[dict[str, object]]]) -> None:
    _, rows = labelled
    by_file = {Path(str(r["path"])).name: r for r in rows}
    reasons = {name: " | ".join(map(str, row["reasons"])) for name, row in by_file.items()}  # type: ignore[call-overload]
    assert all(reasons.values())
    assert "matched klif.sys (driver of Kaspersky, catalog indicator)" in reasons["r01-driver-audit.eml"]
    assert "matched kapersky (misspelling of Kaspersky" in reasons["r02-procurement-misspelt.eml"]
    assert (
        "matched com.kaspersky.kes (app id of Kaspersky Endpoint Security for Android" in reasons["r10-mdm-appid.eml"]
    )
    assert "'endpoints' within 12 words" in reasons["r08-kes-endpoints.eml"]
    assert "weekly-report.docx" in reasons["r09-attachment-only.eml"]  # the attachment hit, named
    for reply in ("r07b-reply-kes.eml", "r07c-reply-plain.eml"):
        assert by_file[reply]["via"] == "thread context"
        assert "in a thread whose message" in reasons[reply] and "'Vendor decision' names Kaspersky" in reasons[reply]
    assert (
        "matched KES (abbreviation of Kaspersky Endpoint Security for Windows, only in context: in a thread"
        in (reasons["r07b-reply-kes.eml"])
    )
    assert by_file["r07a-decision.eml"]["via"] == "hit"


def test_thread_context_ranks_below_direct_hits(labelled: tuple[Service, list[dict[str, object]]]) -> None:
    _, rows = labelled
    vias = [r["via"] for r in rows]
    assert vias == sorted(vias, key=lambda v: v != "hit")  # every direct hit first


def test_thread_context_respects_the_date_filter(labelled: tuple[Service, list[dict[str, object]]]) -> None:
    from datetime import datetime

    service, _ = labelled
    rows = service.records_vendor_search("kaspersky", Filters(until=datetime(2016, 11, 3), limit=0))
    names = {Path(str(r["path"])).name for r in rows}
    assert {"r07a-decision.eml", "r07b-reply-kes.eml"} <= names
    assert "r07c-reply-plain.eml" not in names  # sent on 3 November: outside, even through its thread


def test_cli_explain_view(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vendorscope.cli import app

    folder = tmp_path / "mail"
    folder.mkdir()
    for name in ("r01-driver-audit.eml", "r07a-decision.eml", "r07b-reply-kes.eml", "n06-kes-currency.eml"):
        shutil.copy(LABELLED / name, folder / name)
    db = ["--db", str(tmp_path / "s.db")]
    runner = CliRunner()
    ingest = [*db, "records", "ingest", str(folder), "--custodian", "alice", "--workers", "1"]
    assert runner.invoke(app, [*ingest, "--records-dir", str(tmp_path / "o")]).exit_code == 0
    result = runner.invoke(app, [*db, "records", "search", "--vendor", "kaspersky", "--explain"])
    assert result.exit_code == 0, result.output
    assert "3 families" in result.output
    assert "matched klif.sys (driver of Kaspersky, catalog indicator)" in result.output
    assert "thread context: in a thread whose message" in result.output
    assert "[klif.sys]" in result.output  # the words around the hit
    assert "Nairobi" not in result.output


def test_no_search_statement_reads_a_whole_table(sqlite_service: Service, tmp_path: Path) -> None:
    """A vendor search must cost the families it finds, not the store: every statement it runs, thread
    context included, reaches record_documents through an index (a thread lookup once read the whole
    table, ten times the search at 100,000 e-mails). The full-text index itself is a virtual table."""
    from sqlalchemy import event

    folder = tmp_path / "mail"
    shutil.copytree(LABELLED, folder, ignore=shutil.ignore_patterns("labels.csv"))
    sqlite_service.records_ingest([folder], "records-officer", workers=1, records_dir=tmp_path / "originals")
    engine = sqlite_service.store.engine
    statements: list[tuple[str, object]] = []

    def record(conn: object, cursor: object, statement: str, parameters: object, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        rows = sqlite_service.records_vendor_search("kaspersky", Filters(limit=0))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert any(r["via"] == "thread context" for r in rows)  # the thread lookups ran
    assert any("thread_id IN" in s for s, _ in statements)
    scans = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()  # type: ignore[arg-type]
            details = [detail for *_, detail in plan]
            scans += [(d, statement) for d in details if d.startswith("SCAN") and "VIRTUAL" not in d]
    assert scans == []
