"""Parsing ahead in a second process must change nothing but speed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import write_jsonl
from vendorscope import ingest
from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.run import compare_with_truth
from vendorscope.service import Service


@pytest.fixture
def always_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "AHEAD_MIN_TOTAL", 0)


def test_read_ahead_gives_the_same_answer(always_ahead: None, tmp_path: Path) -> None:
    fleet = generate_fleet(tmp_path / "fleet", hosts=200, seed=5)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    ahead = Service(str(tmp_path / "ahead.db"))
    report = ahead.ingest(inputs)
    assert report.ok and report.count("ingested") == fleet.files
    assert compare_with_truth(ahead, fleet.truth_path) == (set(), set())
    ahead.close()


def test_read_ahead_reports_broken_files(always_ahead: None, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [{"host": "ws-1", "name": "7-Zip"}])
    truncated = tmp_path / "b.jsonl.gz"
    truncated.write_bytes(gzip.compress(b'{"host": "ws-2", "name": "x"}\n' * 2000)[:-40])
    bad = tmp_path / "c.jsonl"
    bad.write_bytes(b'{"host": "ws-3", "name": "y"}\n{nope\n')
    service = Service(str(tmp_path / "s.db"))
    report = service.ingest([good, truncated, bad])
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["a.jsonl"].status == "ingested"
    assert "truncated or corrupt data" in by_name["b.jsonl.gz"].messages()[-1]
    assert by_name["c.jsonl"].messages() == [f"{bad}:2: not valid JSON (unexpected character, expected a string key)"]
    service.close()


def test_read_ahead_carries_network_logs(always_ahead: None, tmp_path: Path) -> None:
    """The worker gets the catalogs' network filter through the hints and sends contacts back."""
    from tests.test_network_logs import T0, zeek_dns

    (tmp_path / "dns.1.log").write_bytes(zeek_dns([(T0, "10.0.0.77", "dnl-07.geo.kaspersky.com")]))
    (tmp_path / "dns.2.log").write_bytes(
        zeek_dns([(T0 + 5, "10.0.0.78", "www.example.org"), (T0 + 9, "10.0.0.79", "dc1.ksn.kaspersky-labs.com")])
    )
    service = Service(str(tmp_path / "s.db"))
    report = service.ingest([tmp_path / "dns.1.log", tmp_path / "dns.2.log"])
    assert report.ok and [f.format for f in report.files] == ["zeek", "zeek"]
    hosts = {f["host"] for f in service.findings("kaspersky") if f["kind"] == "network"}
    assert hosts == {"10.0.0.77", "10.0.0.79"}
    service.close()


def _evidence(service: Service) -> dict[str, object]:
    """Every host's pairs (compact and rows) by host and title key, with times and presence: artifact ids aside."""
    from sqlalchemy import select

    from vendorscope.store import host_titles
    from vendorscope.store.tables import Host, HostTitles, Installation, Title

    with service.store.engine.connect() as conn:
        hosts = dict(conn.execute(select(Host.id, Host.key)).all())
        titles = dict(conn.execute(select(Title.id, Title.key)).all())
        pairs = {
            (hosts[hid], titles[tid]): (first, last, bool(present), removed_at)
            for hid, tid, first, last, present, removed_at in conn.execute(
                select(
                    Installation.host_id,
                    Installation.title_id,
                    Installation.first_seen,
                    Installation.last_seen,
                    Installation.present,
                    Installation.removed_at,
                )
            )
        }
        for hid, state in conn.execute(select(HostTitles.host_id, HostTitles.state)):
            for tid, row in host_titles.unpack(state).items():
                pairs[(hosts[hid], titles[tid])] = (row[0], row[1], row[2], row[3])
    return {"pairs": pairs, "hosts": sorted(hosts.values())}


def test_read_ahead_after_a_rolled_back_file_resolves_its_titles_again(
    always_ahead: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that fails after inserting titles undoes them; the worker sent those items once, so the writer
    must resolve them again from its book (not reuse ids that no longer exist)."""
    from sqlalchemy.exc import IntegrityError

    from vendorscope.store import writer as writer_module

    generate_fleet(tmp_path / "fleet", hosts=120, seed=7, items_per_host=60, osquery_only=True)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    straight = Service(str(tmp_path / "straight.db"))
    monkeypatch.setattr(ingest, "AHEAD_MIN_TOTAL", 1 << 60)  # streamed in this process, no keys
    assert straight.ingest(inputs).ok
    monkeypatch.setattr(ingest, "AHEAD_MIN_TOTAL", 0)
    original = writer_module.ArtifactWriter._write_examinations
    calls = {"n": 0}

    def fail_once(self: writer_module.ArtifactWriter, *args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second file's titles and rows are written: now undo them
            raise IntegrityError("INSERT", {}, Exception("simulated conflict"))
        original(self, *args)

    monkeypatch.setattr(writer_module.ArtifactWriter, "_write_examinations", fail_once)
    ahead = Service(str(tmp_path / "ahead.db"))
    first = ahead.ingest(inputs)
    assert first.count("failed") == 1 and [f.retryable for f in first.files if f.status == "failed"] == [True]
    monkeypatch.undo()
    second = ahead.ingest(inputs)
    assert second.count("ingested") == 1
    assert _evidence(ahead) == _evidence(straight)
    assert compare_with_truth(ahead, tmp_path / "fleet" / "truth.json") == (set(), set())
    straight.close()
    ahead.close()


def test_read_ahead_in_batches_gives_each_file_its_records(
    always_ahead: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Batches of one file and batches of many, handed over two at a time or as many as fit a byte window, store
    the same evidence, every file once."""
    from vendorscope.sources import read_ahead

    generate_fleet(tmp_path / "fleet", hosts=60, seed=9, items_per_host=40, osquery_only=True)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    stores = []
    for most, window in ((1, 0), (1, 1 << 30), (1 << 30, 1 << 30), (4096, 20_000)):
        monkeypatch.setattr(read_ahead, "AHEAD_BATCH_BYTES", most)
        monkeypatch.setattr(read_ahead, "AHEAD_WINDOW_BYTES", window)
        service = Service(str(tmp_path / f"batch-{most}-{window}.db"))
        report = service.ingest(inputs)
        assert report.ok and report.count("ingested") == len(report.files)
        stores.append(_evidence(service))
        service.close()
    assert stores[1:] == stores[:1] * 3


def test_inputs_prepared_a_chunk_at_a_time_give_the_same_report_and_store(
    always_ahead: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Hashing and detecting a few inputs at a time, beside the worker, changes nothing but when it happens: the
    same statuses in the same order (known before, twice in the batch, not recognized) and the same evidence."""
    import shutil

    from vendorscope.sources import read_ahead

    generate_fleet(tmp_path / "fleet", hosts=50, seed=11, items_per_host=40, osquery_only=True)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    files = sorted(p for folder in inputs for p in folder.rglob("*") if p.is_file())
    extra = tmp_path / "extra"
    extra.mkdir()
    known = files[::7]  # ingested by an earlier run: duplicates before anything is parsed
    log = next(p for p in files if p.parent.name == "osquery" and p not in known)
    shutil.copy(log, extra / log.name)  # the same bytes, the same name, twice in one batch
    (extra / "garbage.bin").write_bytes(b"\x00\x01 not any format")
    outcomes = []
    settings = ((1 << 30, 1 << 30, 1 << 20, 1 << 40, 1), (2, 3, 1, 1 << 40, 1), (5, 40, 4096, 30_000, 3))
    for chunk, most, batch_bytes, chunk_bytes, hashed_ahead in settings:
        monkeypatch.setattr(ingest, "PREPARE_CHUNK", chunk)
        monkeypatch.setattr(ingest, "PREPARED_MOST", most)
        monkeypatch.setattr(ingest, "PREPARE_BYTES", chunk_bytes)
        monkeypatch.setattr(ingest, "READ_AHEAD_FILES", hashed_ahead)
        monkeypatch.setattr(read_ahead, "AHEAD_BATCH_BYTES", batch_bytes)
        service = Service(str(tmp_path / f"chunk-{chunk}-{chunk_bytes}.db"))
        assert service.ingest(known).ok
        report = service.ingest([*inputs, extra])
        outcomes.append(([(f.path, f.status, f.format, f.items, f.sha256) for f in report.files], _evidence(service)))
        service.close()
    statuses = [status for _path, status, *_rest in outcomes[0][0]]
    assert statuses.count("duplicate") == len(known) + 1 and statuses.count("failed") == 1
    assert outcomes[1] == outcomes[0]
    assert outcomes[2] == outcomes[0]


def test_an_interrupt_while_files_are_prepared_ahead_stops_the_preparing_process_and_the_rerun_completes(
    always_ahead: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Files are hashed, read and detected in a process ahead of the writer (``sources/preparing.py``): an
    interrupt mid-batch leaves only whole files, no process behind it, and a rerun stores what one run stores."""
    import multiprocessing

    from vendorscope.sources import preparing
    from vendorscope.store import writer as writer_module

    generate_fleet(tmp_path / "fleet", hosts=60, seed=13, items_per_host=40, osquery_only=True)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    straight = Service(str(tmp_path / "straight.db"))
    assert straight.ingest(inputs).ok
    monkeypatch.setattr(ingest, "READ_AHEAD_FILES", 2)
    monkeypatch.setattr(ingest, "PREPARE_CHUNK", 2)
    monkeypatch.setattr(ingest, "PREPARED_MOST", 3)
    monkeypatch.setattr(ingest, "GROUP_FILES", 5)  # groups commit before the interrupt too
    hashed: list[str] = []
    submit = preparing.PrepareAhead._submit

    def counted(self: preparing.PrepareAhead, paths: list[str]) -> None:
        hashed.extend(paths)
        submit(self, paths)

    monkeypatch.setattr(preparing.PrepareAhead, "_submit", counted)
    original = writer_module.ArtifactWriter._write_installations
    calls = {"n": 0}

    def interrupt(self: writer_module.ArtifactWriter, *args: object) -> None:
        calls["n"] += 1
        original(self, *args)
        if calls["n"] == 12:
            raise KeyboardInterrupt

    monkeypatch.setattr(writer_module.ArtifactWriter, "_write_installations", interrupt)
    service = Service(str(tmp_path / "interrupted.db"))
    with pytest.raises(KeyboardInterrupt):
        service.ingest(inputs)
    assert not multiprocessing.active_children()  # neither the preparing process nor the parsing one
    files = sum(1 for folder in inputs for p in folder.rglob("*") if p.is_file())
    assert 0 < len(hashed) < files  # stopped: not every file of the batch was handed to it
    monkeypatch.setattr(writer_module.ArtifactWriter, "_write_installations", original)
    with service.store.engine.connect() as conn:
        from sqlalchemy import func, select

        from vendorscope.store.tables import Artifact

        kept = conn.execute(select(func.count()).select_from(Artifact)).scalar_one()
    assert 0 < kept < files  # the files completed before it, whole; the one being written undone
    rerun = service.ingest(inputs)
    assert rerun.count("duplicate") == kept and rerun.count("ingested") == files - kept
    assert _evidence(service) == _evidence(straight)
    straight.close()
    service.close()


def test_inputs_prepared_in_a_process_store_what_preparing_them_in_the_writer_stores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The preparing process (sources/preparing.py) hashes, detects and identifies every input as the writer did
    itself: the same report (statuses, formats, hashes, problems in words), the same artifact rows (identity,
    context, origin, counts) and the same evidence as an ingest without worker processes."""
    import shutil

    from sqlalchemy import select

    from vendorscope.store.tables import Artifact

    generate_fleet(tmp_path / "fleet", hosts=40, seed=17, items_per_host=30, osquery_only=True)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    extra = tmp_path / "extra"
    extra.mkdir()
    table = next((tmp_path / "fleet" / "osqueryi").iterdir())
    shutil.copy(table, extra / table.name.replace(table.name.split("__")[0], "other-host.example"))  # other context
    (extra / "garbage.bin").write_bytes(b"\x00\x01 not any format")
    (extra / "unknown.csv").write_text("Colour,Shape\nred,round\n")  # not recognized: its columns in the message
    outcomes = []
    for least in (0, 1 << 40):  # a process beside the writer (and the parsing worker), or neither
        monkeypatch.setattr(ingest, "AHEAD_MIN_TOTAL", least)
        service = Service(str(tmp_path / f"prepared-{least}.db"))
        report = service.ingest([*inputs, extra])
        with service.store.engine.connect() as conn:
            artifacts = sorted(
                conn.execute(
                    select(
                        Artifact.identity, Artifact.sha256, Artifact.context, Artifact.path, Artifact.size,
                        Artifact.format, Artifact.records, Artifact.items, Artifact.problems,
                    )
                ).all()
            )  # fmt: skip
        shown = [(f.path, f.status, f.format, f.sha256, f.records, f.items, f.messages()) for f in report.files]
        outcomes.append((shown, artifacts, _evidence(service)))
        service.close()
    statuses = [status for _path, status, *_rest in outcomes[0][0]]
    assert statuses.count("failed") == 2 and statuses.count("ingested") == len(statuses) - 2
    assert any("columns present: 'Colour', 'Shape'" in m for *_rest, messages in outcomes[0][0] for m in messages)
    assert outcomes[0] == outcomes[1]


def test_org_screening_built_while_the_writer_waits_finds_what_the_refresh_built_it_for(
    always_ahead: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The organization findings' screener and product search are built during the ingest (``beside``: when the
    writer would wait for the parse worker, else at its end), before the refresh that uses them: the same
    organization findings as building them in the refresh."""
    from tests.test_procurement import DATA, LINES, purchases

    generate_fleet(tmp_path / "fleet", hosts=30, seed=19, items_per_host=30, osquery_only=True)
    inputs = [tmp_path / "fleet" / d for d in ("osquery", "osqueryi", "inventory")]
    inputs += [DATA / "registry.csv", purchases(tmp_path, LINES)]
    built_before_refresh: list[bool] = []
    refresh = Service.refresh

    def watched(self: Service, host_ids: object = None) -> object:
        built_before_refresh.append("screener" in self.__dict__ and "product_search" in self.__dict__)
        return refresh(self, host_ids)  # type: ignore[arg-type]

    monkeypatch.setattr(Service, "refresh", watched)
    findings = []
    for during_ingest in (True, False):
        if not during_ingest:
            monkeypatch.setattr(Service, "_org_screening", lambda self: None)
        service = Service(str(tmp_path / f"screening-{during_ingest}.db"))
        assert service.ingest(inputs).ok
        rows = service.org_findings("procurement") + service.org_findings("supplier")
        findings.append(sorted((r["org_key"], r["kind"], r["subject"], r["score"], r["explanation"]) for r in rows))
        service.close()
    assert built_before_refresh == [True, False]
    assert findings[0] == findings[1] and len(findings[0]) >= 5
