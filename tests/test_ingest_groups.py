"""A group of inputs shares one transaction and holds its hosts in memory: it must store exactly what
ingesting the same files one by one stores, also when one of them fails or the run is interrupted."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import write_jsonl
from tests.test_ingest import KES, ZIP, snapshot_line
from vendorscope import ingest
from vendorscope.errors import StoreError
from vendorscope.service import Service
from vendorscope.store import host_titles
from vendorscope.store import writer as writer_module
from vendorscope.store.tables import Artifact, Examination, Host, HostSource, HostTitles, Installation, Title

T = 1_700_000_000
DAY = 86_400
A, B, C, D, E = ({"name": f"tool-{n}", "publisher": "Example", "version": "1"} for n in "abcde")
FILES = {  # in the order ingest meets them; 03 is the one made to fail
    "01.log": [("ws-1", T, [ZIP, A, B]), ("ws-2", T, [A])],
    "02.log": [("ws-1", T + DAY, [ZIP, A, C]), ("ws-9", T + DAY, [KES, A])],
    "03.log": [("ws-1", T + 2 * DAY, [D]), ("ws-3", T + 2 * DAY, [A]), ("ws-2", T - DAY, [B, KES])],
    "04.log": [("ws-1", T + 3 * DAY, [ZIP, A, C, E]), ("ws-2", T + 3 * DAY, [A, KES]), ("ws-4", T + 3 * DAY, [A])],
}


def _files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    paths = {}
    for name, lines in FILES.items():
        paths[name] = folder / name
        paths[name].write_bytes(b"".join(snapshot_line(host, when, rows) for host, when, rows in lines))
    return paths


def _stored(service: Service) -> dict[str, object]:
    """What the store holds about hosts, keyed by host, title and file hash (ids differ between stores)."""
    with service.store.engine.connect() as conn:
        hosts = {hid: key for hid, key in conn.execute(select(Host.id, Host.key))}
        titles = dict(conn.execute(select(Title.id, Title.key)).all())
        files = dict(conn.execute(select(Artifact.id, Artifact.sha256)).all())
        pairs = {}
        for hid, tid, first, last, present, removed, first_aid, last_aid in conn.execute(
            select(
                Installation.host_id,
                Installation.title_id,
                Installation.first_seen,
                Installation.last_seen,
                Installation.present,
                Installation.removed_at,
                Installation.first_artifact_id,
                Installation.last_artifact_id,
            )
        ):
            pairs[(hosts[hid], titles[tid])] = (
                "row",
                first,
                last,
                bool(present),
                removed,
                files[first_aid],
                files[last_aid],
            )
        compact = {}
        for hid, state, count, present, first_aid in conn.execute(
            select(
                HostTitles.host_id,
                HostTitles.state,
                HostTitles.titles,
                HostTitles.present,
                HostTitles.first_artifact_id,
            )
        ):
            compact[hosts[hid]] = (count, present, files[first_aid])
            for tid, (first, last, shown, removed, f_aid, l_aid) in host_titles.unpack(state).items():
                pairs[(hosts[hid], titles[tid])] = ("compact", first, last, shown, removed, files[f_aid], files[l_aid])
        spans = select(Host.key, Host.first_seen, Host.last_seen, Host.facts)
        complete = select(HostSource.host_id, HostSource.source, HostSource.complete_at)
        exams = select(
            Examination.host_id,
            Examination.artifact_id,
            Examination.method,
            Examination.sources,
            Examination.examined_at,
        )
        counts = select(Artifact.sha256, Artifact.records, Artifact.items, Artifact.problems, Artifact.problem_sample)
        return {
            "pairs": pairs,
            "compact": compact,
            "spans": {key: (first, last, facts) for key, first, last, facts in conn.execute(spans)},
            "complete": {(hosts[hid], source): when for hid, source, when in conn.execute(complete)},
            "exams": sorted(
                (hosts[hid], files[aid], method, tuple(sources), when)
                for hid, aid, method, sources, when in conn.execute(exams)
            ),
            "artifacts": sorted(conn.execute(counts).all()),
        }


def _one_by_one(tmp_path: Path, paths: list[Path]) -> Service:
    """The reference: every file in an ingest (so a transaction) of its own."""
    reference = Service(str(tmp_path / "one-by-one.db"))
    for path in paths:
        assert reference.ingest([path]).ok
    return reference


@pytest.fixture
def one_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "GROUP_SECONDS", 1e9)  # the whole batch in one transaction, however slow the machine


def _fail_third_file(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """The third file of the group fails after its hosts were merged in memory and its examinations noted."""
    original = writer_module.ArtifactWriter._write_examinations
    calls = {"n": 0}

    def fail(self: writer_module.ArtifactWriter, *args: object) -> None:
        original(self, *args)
        calls["n"] += 1
        if calls["n"] == 3:
            raise error

    monkeypatch.setattr(writer_module.ArtifactWriter, "_write_examinations", fail)


def test_a_file_failing_mid_group_undoes_its_own_changes_only(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_group: None
) -> None:
    paths = _files(tmp_path / "batch")
    known = write_jsonl(tmp_path / "00.jsonl", [{"host": "ws-9", **KES}])  # a host with no compact row yet
    assert service.ingest([known]).ok
    reference = _one_by_one(tmp_path, [known, paths["01.log"], paths["02.log"], paths["04.log"]])
    _fail_third_file(monkeypatch, IntegrityError("INSERT", {}, Exception("simulated conflict")))
    report = service.ingest([tmp_path / "batch"])
    monkeypatch.undo()
    assert [(Path(f.path).name, f.status) for f in report.files] == [
        ("01.log", "ingested"), ("02.log", "ingested"), ("03.log", "failed"), ("04.log", "ingested")
    ]  # fmt: skip
    assert report.files[2].retryable
    assert _stored(service) == _stored(reference)
    assert service.ingest([paths["03.log"]]).ok and reference.ingest([paths["03.log"]]).ok
    assert _stored(service) == _stored(reference)
    assert service.hosts_with("kaspersky") == reference.hosts_with("kaspersky") == ["ws-2", "ws-9"]
    reference.close()


def test_an_interrupt_mid_group_keeps_the_files_before_it_whole(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_group: None
) -> None:
    paths = _files(tmp_path / "batch")
    _fail_third_file(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        service.ingest([tmp_path / "batch"])
    monkeypatch.undo()
    reference = _one_by_one(tmp_path, [paths["01.log"], paths["02.log"]])
    assert _stored(service) == _stored(reference)  # the two files before it, their held hosts written
    report = service.ingest([tmp_path / "batch"])
    assert [f.status for f in report.files] == ["duplicate", "duplicate", "ingested", "ingested"]
    for name in ("03.log", "04.log"):
        assert reference.ingest([paths[name]]).ok
    assert _stored(service) == _stored(reference)
    reference.close()


def test_a_group_stores_what_one_by_one_stores(service: Service, tmp_path: Path, one_group: None) -> None:
    paths = _files(tmp_path / "batch")
    report = service.ingest([tmp_path / "batch"])
    assert report.ok and report.count("ingested") == 4
    reference = _one_by_one(tmp_path, list(paths.values()))
    assert _stored(service) == _stored(reference)
    reference.close()


def test_the_same_file_twice_in_a_group_is_a_duplicate_and_the_group_goes_on(
    service: Service, tmp_path: Path, one_group: None
) -> None:
    """The second copy's artifact row fails on its identity inside its savepoint (on PostgreSQL, in the pipeline
    that also released the first copy's): it is a duplicate of the first, and every other file goes in whole."""
    paths = _files(tmp_path / "batch")
    copy = tmp_path / "batch" / "02-copy.log"  # walked before 02.log
    copy.write_bytes(paths["02.log"].read_bytes())
    bad = tmp_path / "batch" / "05.log"  # a bad line: its problem is kept with the artifact's counts
    bad.write_bytes(snapshot_line("ws-5", T, [A]) + b"{not json\n")
    report = service.ingest([tmp_path / "batch"])
    assert [(Path(f.path).name, f.status) for f in report.files] == [
        ("01.log", "ingested"), ("02-copy.log", "ingested"), ("02.log", "duplicate"), ("03.log", "ingested"),
        ("04.log", "ingested"), ("05.log", "ingested"),
    ]  # fmt: skip
    assert report.files[2].artifact_id == report.files[1].artifact_id
    reference = _one_by_one(tmp_path, list(paths.values()))
    assert reference.ingest([bad]).files[0].problems
    stored = _stored(service)
    assert stored == _stored(reference)
    [sample] = [sample for *_, sample in stored["artifacts"] if sample]  # type: ignore[misc]
    assert len(sample) == 1 and sample[0].startswith("2: not valid JSON")
    again = service.ingest([tmp_path / "batch"])
    assert [f.status for f in again.files] == ["duplicate"] * 6
    assert _stored(service) == _stored(reference)
    reference.close()


def test_large_states_are_compressed_with_lz4_where_the_server_has_it(pg_url: str, tmp_path: Path) -> None:
    service = Service(pg_url)
    with service.store.engine.connect() as conn:
        if conn.exec_driver_sql("SHOW default_toast_compression").scalar() != "lz4":
            pytest.skip("this PostgreSQL has no lz4 (before 14, or built without it)")
    rows = [{"name": f"tool-{n}", "publisher": "Example", "version": "1"} for n in range(300)]  # a 15 KB state
    (tmp_path / "inv.log").write_bytes(snapshot_line("ws-1", T, rows))
    assert service.ingest([tmp_path / "inv.log"]).ok
    with service.store.engine.connect() as conn:
        methods = conn.exec_driver_sql("SELECT pg_column_compression(state) FROM host_titles").scalars().all()
    assert methods == ["lz4"]
    service.close()


SAME_HOST = {  # after the first file, each names a held host and known titles only: on PostgreSQL no statement
    "01.log": [("ws-1", T, [ZIP, A, B])],
    "02.log": [("ws-1", T + DAY, [ZIP, A])],
    "03.log": [("ws-1", T + 2 * DAY, [ZIP, B])],
    "04.log": [("ws-1", T + 3 * DAY, [A, B])],
}


def _same_host_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    paths = {}
    for name, lines in SAME_HOST.items():
        paths[name] = folder / name
        paths[name].write_bytes(b"".join(snapshot_line(host, when, rows) for host, when, rows in lines))
    facts = {"decorations": {"hostname": "ws-1", "os_name": "Windows", "serial": "S-1"}}  # a new host with facts
    first = orjson.loads(paths["01.log"].read_bytes()) | facts
    paths["01.log"].write_bytes(orjson.dumps(first) + b"\n")
    return paths


def test_files_that_run_no_statement_are_kept_whole_or_not_at_all(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_group: None
) -> None:
    """Their artifact rows wait for the next round trip (PostgreSQL): an interrupt keeps those before it, a
    failing one leaves nothing, and the store equals one file per transaction."""
    paths = _same_host_files(tmp_path / "batch")
    _fail_third_file(monkeypatch, IntegrityError("INSERT", {}, Exception("simulated conflict")))
    report = service.ingest([tmp_path / "batch"])
    monkeypatch.undo()
    assert [f.status for f in report.files] == ["ingested", "ingested", "failed", "ingested"]
    reference = _one_by_one(tmp_path, [paths["01.log"], paths["02.log"], paths["04.log"]])
    assert _stored(service) == _stored(reference)
    assert _stored(service)["spans"]["ws-1"][2]  # type: ignore[index]  # its facts, inserted with the host
    reference.close()

    _fail_third_file(monkeypatch, KeyboardInterrupt())
    other = tmp_path / "other"
    other.mkdir()
    for name, path in paths.items():  # the same files for another host: all of them new to the store
        (other / name).write_bytes(path.read_bytes().replace(b'"ws-1"', b'"ws-2"'))
    with pytest.raises(KeyboardInterrupt):
        service.ingest([other])
    monkeypatch.undo()
    assert len(_stored(service)["artifacts"]) == 5  # type: ignore[arg-type]  # 3 before, and the two before it
    assert service.ingest([other]).ok and service.ingest([tmp_path / "batch"]).ok
    (tmp_path / "ref2").mkdir()
    in_order = [paths["01.log"], paths["02.log"], paths["04.log"], *sorted(other.iterdir()), paths["03.log"]]
    reference = _one_by_one(tmp_path / "ref2", in_order)
    assert _stored(service) == _stored(reference)
    reference.close()


def test_an_input_another_writer_commits_meanwhile_fails_the_group_and_leaves_nothing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_group: None
) -> None:
    """A file whose artifact row waits (it ran no statement) cannot be told from another writer's until that row
    is sent: the conflict then fails the whole group, which keeps nothing, and a rerun completes."""
    service = Service(pg_url)
    paths = _same_host_files(tmp_path / "batch")
    original = writer_module.ArtifactWriter._write_examinations
    calls = {"n": 0}

    def other_writer_takes_the_second(self: writer_module.ArtifactWriter, *args: object) -> None:
        original(self, *args)
        calls["n"] += 1
        if calls["n"] == 3:  # the second file is whole, its row still waiting: another writer commits it
            other = Service(pg_url)
            with other.store.engine.begin() as conn:
                conn.execute(Artifact.__table__.insert(), _artifact_row(paths["02.log"]))
            other.close()

    monkeypatch.setattr(writer_module.ArtifactWriter, "_write_examinations", other_writer_takes_the_second)
    with pytest.raises(StoreError, match="another writer"):
        service.ingest([tmp_path / "batch"])
    monkeypatch.undo()
    assert _stored(service)["artifacts"] == [(_artifact_row(paths["02.log"])["sha256"], 0, 0, 0, [])]
    report = service.ingest([tmp_path / "batch"])
    assert [f.status for f in report.files] == ["ingested", "duplicate", "ingested", "ingested"]
    service.close()


def _artifact_row(path: Path) -> dict[str, object]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"identity": digest, "sha256": digest, "context": "", "path": str(path), "size": 1, "format": "x",
            "ingested_at": datetime(2026, 12, 3), "tool_version": "other", "records": 0, "items": 0, "problems": 0,
            "problem_sample": []}  # fmt: skip
