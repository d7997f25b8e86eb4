"""Search: vendor terms from the catalog (names in every script, products, components, abbreviations in
context), no look-alikes, dates and custodians, families — on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.records_corpus import docx_bytes, email_bytes, mbox_bytes
from vendorscope.catalog.loader import load_catalogs
from vendorscope.records.search import Filters, check
from vendorscope.records.terms import vendor_terms
from vendorscope.records.tokens import TermSet
from vendorscope.service import Service

SINCE = datetime(2013, 1, 1)
CORPUS = {
    "named": ("Vendor review", "Our assessment of Kaspersky Lab and the risk it poses.", datetime(2017, 9, 1)),
    "cyrillic": ("Отчёт", "Продукты Лаборатории Касперского установлены на 40 серверах.", datetime(2018, 1, 5)),
    "component": ("Process audit", "The process klnagent.exe and avp.exe were seen on ws-12.", datetime(2016, 4, 1)),
    "abbrev": ("Endpoint cleanup", "Remove KES from all endpoints by Friday.", datetime(2019, 3, 3)),
    "old": ("Old memo", "Kaspersky Anti-Virus was bought in 2011.", datetime(2012, 6, 1)),
    "lookalike": (
        "Team lunch",
        "Casper and Kasper Hansen met Anna Kasperski; Dr.Web was mentioned. KES Robinson and Kes joined. "
        "The kesl file and KSC12 form were filed.",
        datetime(2018, 2, 2),
    ),
    "undated": ("No date", "Kaspersky Security Center upgrade notes.", None),
}


@pytest.fixture
def corpus(service: Service, tmp_path: Path) -> Service:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (subject, body, date) in CORPUS.items():
        stamp = date.replace(tzinfo=UTC) if date else None
        (folder / f"{name}.eml").write_bytes(email_bytes(subject, body, date=stamp, message_id=f"<{name}@x>"))
    attachment = docx_bytes("Appendix: KSN telemetry and Kaspersky Endpoint Security", datetime(2017, 1, 1))
    family = email_bytes(
        "Weekly status", "Nothing special this week.", date=datetime(2017, 5, 5, tzinfo=UTC),
        attachments=[("appendix.docx", attachment, "application/octet-stream")], message_id="<family@x>",
    )  # fmt: skip
    (folder / "family.eml").write_bytes(family)
    service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "o")
    other = tmp_path / "bob"
    other.mkdir()
    (other / "bob.mbox").write_bytes(
        mbox_bytes([email_bytes("Bob's note", "Kaspersky licence renewal", date=datetime(2015, 1, 1, tzinfo=UTC))])
    )
    service.records_ingest([other], "bob", workers=1, records_dir=tmp_path / "o")
    return service


def _subjects(rows: list[dict[str, object]]) -> set[str]:
    return {str(r["subject"]) for r in rows}


def test_vendor_search_finds_every_way_of_naming_the_vendor(corpus: Service) -> None:
    rows = corpus.records_vendor_search("kaspersky", Filters(since=SINCE))
    assert _subjects(rows) == {
        "Vendor review", "Отчёт", "Process audit", "Endpoint cleanup", "No date", "Weekly status", "Bob's note",
    }  # fmt: skip
    by_subject = {r["subject"]: r for r in rows}
    assert set(by_subject["Process audit"]["hits"]) == {"klnagent.exe", "avp.exe", "klnagent"}
    assert by_subject["Отчёт"]["hits"] == {"касперск": 1}
    assert by_subject["Endpoint cleanup"]["hits"] == {"KES": 1}
    assert set(rows[0]) >= {"id", "path", "custodian", "date", "subject", "score", "hits"}
    assert all(r["snippets"] for r in rows)


def test_look_alikes_and_bare_abbreviations_do_not_fire(corpus: Service) -> None:
    rows = corpus.records_vendor_search("kaspersky", Filters())
    assert "Team lunch" not in _subjects(rows)


def test_family_is_responsive_through_its_attachment(corpus: Service) -> None:
    [row] = [r for r in corpus.records_vendor_search("kaspersky", Filters()) if r["subject"] == "Weekly status"]
    assert row["format"] == "email" and row["hit_documents"] == [row["id"] + 1]
    assert {"KSN", "Kaspersky"} <= set(row["hits"])  # KSN counts: a strong hit is near


def test_date_limits_and_undated_documents(corpus: Service) -> None:
    rows = corpus.records_vendor_search("kaspersky", Filters(since=SINCE))
    assert "Old memo" not in _subjects(rows)
    [undated] = [r for r in rows if r["subject"] == "No date"]
    assert undated["undated"] is True and undated["date"] is None  # listed, not silently excluded
    window = corpus.records_vendor_search("kaspersky", Filters(since=datetime(2017, 1, 1), until=datetime(2018, 1, 1)))
    assert _subjects(window) == {"Vendor review", "Weekly status", "No date"}


def test_custodian_filter(corpus: Service) -> None:
    rows = corpus.records_vendor_search("kaspersky", Filters(custodian="bob"))
    assert _subjects(rows) == {"Bob's note"}
    assert rows[0]["path"].endswith("bob.mbox#1")


def test_ranking_prefers_more_and_stronger_hits(corpus: Service) -> None:
    rows = corpus.records_vendor_search("kaspersky", Filters())
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["subject"] == "Process audit"  # three components outweigh one name


def test_word_search_needs_every_word(corpus: Service) -> None:
    assert _subjects(corpus.records_search("licence renewal", Filters())) == {"Bob's note"}
    assert _subjects(corpus.records_search('"risk it poses"', Filters())) == {"Vendor review"}
    assert corpus.records_search("renewal poses", Filters()) == []
    assert corpus.records_search('" ( OR * "', Filters()) == []  # query syntax never reaches the index


def test_terms_come_from_the_catalog() -> None:
    found = vendor_terms(next(c for c in load_catalogs([]) if c.vendor.id == "kaspersky"))
    terms = {t.label: t for t in found}
    assert terms["Kaspersky"].kind == "strong" and terms["касперск"].prefix
    assert {terms[a].kind for a in ("KES", "KSC", "KSN", "KAV")} == {"contextual"}
    assert terms["klnagent.exe"].kind == "component"
    term_set = TermSet(found)
    for look_alike in ("Kasperski", "Kasper", "Casper", "Dr.Web", "kes antivirus", "avp-exe"):
        assert check(f"{look_alike} endpoint", term_set) == ({}, []), look_alike
    assert check("Касперскому", term_set)[0] == {"касперск": 1}
    assert check("KES on every endpoint", term_set)[0] == {"KES": 1}


def test_index_is_derived_data_and_rebuilds(corpus: Service) -> None:
    before = corpus.records_vendor_search("kaspersky", Filters())
    assert corpus.records_reindex() == len(CORPUS) + 3  # + the family email, its attachment, the mbox message
    assert corpus.records_vendor_search("kaspersky", Filters()) == before


def _dated_at_the_bounds(service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "bounds"
    folder.mkdir()
    for name, when in (
        ("At the start", SINCE),
        ("At the end", datetime(2014, 1, 1)),
        ("Between", datetime(2013, 6, 1)),
    ):
        message = email_bytes(name, "Kaspersky Lab assessment", date=when.replace(tzinfo=UTC), message_id=f"<{name}@x>")
        (folder / f"{name}.eml").write_bytes(message)
    service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "o")


def test_a_document_dated_exactly_at_a_bound_is_on_the_right_side_of_it(service: Service, tmp_path: Path) -> None:
    """ "Since 1 January 2013" includes a document dated 2013-01-01 00:00:00; "until" excludes one at its bound.
    On SQLite the writer stored a whole second without its ".000000", which sorts before the bound as text."""
    _dated_at_the_bounds(service, tmp_path)
    rows = service.records_vendor_search("kaspersky", Filters(since=SINCE, until=datetime(2014, 1, 1)))
    assert _subjects(rows) == {"At the start", "Between"}


def test_a_store_written_before_gets_the_one_time_form(tmp_path: Path) -> None:
    """Rows an older writer stored in sqlite3's form are given SQLAlchemy's by the migration."""
    url = str(tmp_path / "old.db")
    service = Service(url)
    _dated_at_the_bounds(service, tmp_path)
    service.close()
    raw = sqlite3.connect(tmp_path / "old.db")
    with raw:
        raw.execute("UPDATE record_documents SET doc_date = substr(doc_date, 1, 19), sent_at = substr(sent_at, 1, 19)")
        raw.execute("UPDATE alembic_version SET version_num = 'record_keys_recent'")
    raw.close()
    service = Service(url)
    try:
        rows = service.records_vendor_search("kaspersky", Filters(since=SINCE, until=datetime(2014, 1, 1)))
        assert _subjects(rows) == {"At the start", "Between"}
    finally:
        service.close()
