"""Ingest into a real store: custody, idempotence, atomicity, bad input, presence over time, re-matching."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import yaml
from sqlalchemy import func, select

from tests.conftest import write_jsonl
from vendorscope.catalog.loader import builtin_paths
from vendorscope.service import Service
from vendorscope.store import writer as writer_module
from vendorscope.store.tables import Artifact, Finding, HostTitles, Installation, Title, TitleMatch

KES = {"name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab", "source": "programs"}
ZIP = {"name": "7-Zip", "publisher": "Igor Pavlov", "source": "programs"}


def counts(service: Service) -> dict[str, int]:
    """Rows per table; "installations" counts every (host, title) pair, attributed rows and compact ones."""
    with service.store.engine.connect() as conn:
        found = {
            t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Artifact, Title, Installation, TitleMatch, Finding)
        }
        found["installations"] += conn.execute(select(func.coalesce(func.sum(HostTitles.titles), 0))).scalar_one()
        return found


def snapshot_line(host: str, when: int, rows: list[dict[str, str]]) -> bytes:
    return (
        orjson.dumps(
            {
                "name": "pack_vs_programs",
                "hostIdentifier": host,
                "unixTime": when,
                "action": "snapshot",
                "snapshot": rows,
            }
        )
        + b"\n"
    )


def test_ingest_records_custody_and_finds(service: Service, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-1", **ZIP}, {"host": "ws-2", **ZIP}]
    )
    report = service.ingest([path])
    assert report.ok and report.count("ingested") == 1 and report.items == 3
    with service.store.engine.connect() as conn:
        artifact = conn.execute(select(Artifact)).one()
    import hashlib

    assert artifact.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert artifact.size == path.stat().st_size and artifact.format == "inventory-jsonl"
    assert service.hosts_with("kaspersky") == ["ws-1"]
    [finding] = service.findings("kaspersky")
    assert finding["product"] == "kes-windows" and finding["confidence"] > 0.9
    assert finding["evidence"][0]["artifact"] == artifact.sha256


def test_same_file_twice_changes_nothing(service: Service, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-2", **ZIP}])
    service.ingest([path])
    before = counts(service)
    report = service.ingest([path, tmp_path])
    assert report.count("duplicate") == 2 and report.count("ingested") == 0
    assert counts(service) == before


def test_titles_are_shared_across_hosts(service: Service, tmp_path: Path) -> None:
    rows = [{"host": f"ws-{n}", **KES} for n in range(50)]
    service.ingest([write_jsonl(tmp_path / "inv.jsonl", rows)])
    assert counts(service)["titles"] == 1 and counts(service)["installations"] == 50
    assert len(service.hosts_with("kaspersky")) == 50


def test_interrupted_ingest_leaves_nothing_and_rerun_completes(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"host": "ws-1", **ZIP}])
    write_jsonl(folder / "b.jsonl", [{"host": f"ws-{n}", **KES} for n in range(2, 200)])
    original = writer_module.ArtifactWriter._write_installations
    calls = {"n": 0}

    def crash_on_second_file(self: writer_module.ArtifactWriter, *args: object) -> None:
        calls["n"] += 1
        original(self, *args)  # the rows are written ... then the process dies before commit
        if calls["n"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(writer_module.ArtifactWriter, "_write_installations", crash_on_second_file)
    with pytest.raises(KeyboardInterrupt):
        service.ingest([folder])
    monkeypatch.undo()
    partial = counts(service)
    assert partial["artifacts"] == 1 and partial["installations"] == 1  # only the first file, whole
    report = service.ingest([folder])
    assert report.count("duplicate") == 1 and report.count("ingested") == 1
    assert counts(service)["installations"] == 199 and len(service.hosts_with("kaspersky")) == 198


def test_bad_lines_are_reported_and_the_rest_goes_in(service: Service, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [{"host": "ws-1", **KES}])
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(orjson.dumps({"host": "ws-2", **ZIP}) + b"\n{not json\n" + orjson.dumps({"host": "ws-3"}) + b"\n")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes\n")
    only_bad = tmp_path / "bad.jsonl"
    only_bad.write_bytes(b'{"host": "x"}\n')
    report = service.ingest([good, mixed, unknown, only_bad])
    assert not report.ok
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["good.jsonl"].status == "ingested"
    assert by_name["mixed.jsonl"].status == "ingested" and by_name["mixed.jsonl"].records == 1
    assert by_name["mixed.jsonl"].messages() == [
        f"{mixed}:2: not valid JSON (unexpected character, expected a string key)",
        f"{mixed}:3: missing required field 'name'",
    ]
    assert by_name["notes.txt"].status == "failed" and "format not recognized" in by_name["notes.txt"].messages()[0]
    assert by_name["bad.jsonl"].status == "failed"
    assert counts(service)["artifacts"] == 2  # the file with nothing readable left no custody row behind


def test_snapshot_removes_what_it_no_longer_shows(service: Service, tmp_path: Path) -> None:
    first = tmp_path / "day1.log"
    first.write_bytes(snapshot_line("ws-1", 1_700_000_000, [KES, ZIP]))
    second = tmp_path / "day2.log"
    second.write_bytes(snapshot_line("ws-1", 1_700_086_400, [ZIP]))
    service.ingest([first])
    assert service.hosts_with("kaspersky") == ["ws-1"]
    service.ingest([second])
    assert service.hosts_with("kaspersky") == []
    [finding] = service.findings("kaspersky", include_absent=True)
    assert finding["present"] is False and finding["status"] == "removed (verified)"


def test_out_of_order_files_keep_the_latest_state(service: Service, tmp_path: Path) -> None:
    old = tmp_path / "old.log"
    old.write_bytes(snapshot_line("ws-1", 1_700_000_000, [KES, ZIP]))
    new = tmp_path / "new.log"
    new.write_bytes(snapshot_line("ws-1", 1_700_086_400, [ZIP]))
    service.ingest([new])
    service.ingest([old])  # older evidence arrives later: it must not resurrect the product
    assert service.hosts_with("kaspersky") == []


def test_removed_event_ends_presence(service: Service, tmp_path: Path) -> None:
    base = {"name": "pack_vs_programs", "hostIdentifier": "ws-7"}
    log = tmp_path / "events.log"
    log.write_bytes(
        orjson.dumps(base | {"unixTime": 100, "action": "added", "columns": KES})
        + b"\n"
        + orjson.dumps(base | {"unixTime": 200, "action": "removed", "columns": KES})
        + b"\n"
    )
    service.ingest([log])
    assert service.hosts_with("kaspersky") == []


def acme_catalog(tmp_path: Path) -> Path:
    """A one-product catalog attributing "Acme Endpoint Guard" (by name) to a vendor "acme"."""
    acme = tmp_path / "acme.yaml"
    acme.write_text(
        yaml.safe_dump(
            {
                "version": "1",
                "updated": "2026-11-29",
                "vendor": {"id": "acme", "name": "Acme"},
                "sources": {"own": {"title": "our own research"}},
                "entities": [{"id": "acme", "name": "Acme Corp", "source": "own"}],
                "products": [
                    {
                        "id": "guard",
                        "name": "Acme Endpoint Guard",
                        "family": "endpoint",
                        "category": "av",
                        "indicators": [
                            {
                                "kind": "name",
                                "value": "endpoint guard",
                                "match": "pattern",
                                "source": "own",
                                "strength": "vendor",
                            }
                        ],
                    }
                ],
            }
        )
    )
    return acme


def test_rematch_after_catalog_change(service: Service, tmp_path: Path) -> None:
    decoy = {"host": "ws-1", "name": "Acme Endpoint Guard", "publisher": "Acme Corp", "source": "programs"}
    service.ingest([write_jsonl(tmp_path / "inv.jsonl", [decoy, {"host": "ws-2", **KES}])])
    assert service.hosts_with("kaspersky") == ["ws-2"]
    acme = acme_catalog(tmp_path)
    with_acme = Service(service.url, [acme])
    try:
        result = with_acme.rematch()
        assert result["titles"] == 2 and result["new_findings"] == 1
        assert with_acme.hosts_with("acme") == ["ws-1"]
    finally:
        with_acme.close()


def test_catalog_change_is_noticed_at_next_ingest(sqlite_service: Service, tmp_path: Path) -> None:
    sqlite_service.ingest([write_jsonl(tmp_path / "a.jsonl", [{"host": "ws-1", "name": "Kaspersky Fan Tool X"}])])
    original = yaml.safe_load(next(p for p in builtin_paths() if p.stem == "kaspersky").read_text(encoding="utf-8"))
    original["version"] = "9999.1"
    original["indicators"] = [i for i in original["indicators"] if i["kind"] != "name"]
    trimmed = tmp_path / "trimmed.yaml"
    trimmed.write_text(yaml.safe_dump(original, allow_unicode=True), encoding="utf-8")
    again = Service(sqlite_service.url, [trimmed])
    try:
        again.ingest([write_jsonl(tmp_path / "b.jsonl", [{"host": "ws-2", **ZIP}])])
        with again.store.engine.connect() as conn:
            versions = set(conn.execute(select(TitleMatch.catalog_version)).scalars())
        assert versions <= {"9999.1"}
    finally:
        again.close()


def test_bulk_written_times_compare_equal_to_bound_times(service: Service, tmp_path: Path) -> None:
    """The fast insert path must store times exactly as SQLAlchemy binds them, or comparisons silently break."""
    from datetime import datetime

    when = datetime(2026, 3, 1, 12, 0, 0)
    service.ingest([write_jsonl(tmp_path / "a.jsonl", [{"host": "ws-1", **KES, "seen_at": when.isoformat()}])])
    with service.store.engine.connect() as conn:  # an attributed title: an installation row
        same = conn.execute(select(func.count()).where(Installation.last_seen == when)).scalar_one()
        before = conn.execute(select(func.count()).where(Installation.last_seen < when)).scalar_one()
    assert (same, before) == (1, 0)


def test_identical_bytes_for_two_hosts_are_two_artifacts(service: Service, tmp_path: Path) -> None:
    """osqueryi output has no host inside: two hosts can export byte-identical tables."""
    rows = orjson.dumps(
        [
            {
                "name": "7-Zip",
                "version": "23.01",
                "publisher": "Igor Pavlov",
                "install_location": "",
                "identifying_number": "{X}",
                "uninstall_string": "u",
            }
        ]
    )
    (tmp_path / "ws-1__programs.json").write_bytes(rows)
    (tmp_path / "ws-2__programs.json").write_bytes(rows)
    report = service.ingest([tmp_path])
    assert report.count("ingested") == 2
    assert {h["host"] for h in service.hosts()} == {"ws-1", "ws-2"}
    assert service.ingest([tmp_path]).count("duplicate") == 2


def test_same_bytes_with_another_host_hint_is_another_artifact(service: Service, tmp_path: Path) -> None:
    from vendorscope.sources.base import Hints

    path = tmp_path / "programs.json"
    path.write_bytes(orjson.dumps([{"name": "7-Zip", "publisher": "Igor Pavlov", "identifying_number": "{X}"}]))
    assert service.ingest([path], Hints(host="ws-1")).count("ingested") == 1
    assert service.ingest([path], Hints(host="ws-2")).count("ingested") == 1
    assert service.ingest([path], Hints(host="ws-2")).count("duplicate") == 1


def test_titles_a_rematch_attributes_keep_their_whole_history(service: Service, tmp_path: Path) -> None:
    """Unattributed titles live in one compact row per host; a re-match moves them to rows, state and all."""
    guard = {"name": "Acme Endpoint Guard", "publisher": "Acme Corp", "source": "programs"}
    day1, day2, day3 = 1_700_000_000, 1_700_086_400, 1_700_172_800
    files = []
    for n, (when, rows) in enumerate([(day1, [guard, ZIP, KES]), (day2, [ZIP, KES]), (day3, [ZIP])]):
        files.append(tmp_path / f"day{n}.log")
        files[-1].write_bytes(snapshot_line("ws-1", when, rows) + snapshot_line("ws-2", when, [guard, ZIP]))
    service.ingest(files)
    assert [h["software"] for h in service.hosts()] == [1, 2]  # ws-1: 7-Zip; ws-2: 7-Zip and the guard
    acme = acme_catalog(tmp_path)
    later = Service(service.url, [acme])
    later.rematch()
    from_start = Service(str(tmp_path / "from-start.db"), [acme])  # the catalog known before any evidence
    from_start.ingest(files)
    try:
        assert _guard_rows(later) == _guard_rows(from_start)
        assert _guard_rows(later) == [
            ("ws-1", _utc(day1), _utc(day1), False, _utc(day2)),
            ("ws-2", _utc(day1), _utc(day3), True, None),
        ]
        assert later.hosts_with("acme") == ["ws-2"] and [h["software"] for h in later.hosts()] == [1, 2]
    finally:
        later.close()
        from_start.close()


def _utc(when: int) -> object:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(when, UTC).replace(tzinfo=None)


def _guard_rows(service: Service) -> list[tuple[object, ...]]:
    from vendorscope.store.tables import Host

    with service.store.engine.connect() as conn:
        stmt = (
            select(
                Host.name,
                Installation.first_seen,
                Installation.last_seen,
                Installation.present,
                Installation.removed_at,
            )
            .join(Host, Host.id == Installation.host_id)
            .join(Title, Title.id == Installation.title_id)
            .where(Title.name == "Acme Endpoint Guard")
            .order_by(Host.name)
        )
        return [tuple(row) for row in conn.execute(stmt)]
