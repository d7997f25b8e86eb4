"""The custody chain on SQLite and PostgreSQL: every custody record is linked; editing, deleting or inserting
an entry, cutting the tail, or editing an artifact is detected; concurrent writers never fork it; stores made
before the chain existed get their records linked by the migration; links left pending (agents' pushes) are
reported as pending, never as verified, and chained in order."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from tests.conftest import write_jsonl
from tests.server_support import bundle
from tests.test_cli import KES, run
from vendorscope.findings.lifecycle import Change
from vendorscope.ingest import FileResult, ingest_bytes
from vendorscope.service import Service
from vendorscope.sources.base import Hints
from vendorscope.store import custody
from vendorscope.store.migrate import alembic_config
from vendorscope.store.tables import Artifact, CustodyEntry
from vendorscope.store.writer import Caches


def ingest_two(service: Service, folder: Path) -> None:
    write_jsonl(folder / "a.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-2", "name": "7-Zip"}])
    write_jsonl(folder / "b.jsonl", [{"host": "ws-3", **KES}])
    assert service.ingest([folder / "a.jsonl", folder / "b.jsonl"]).ok


def chain(service: Service) -> list[CustodyEntry]:
    with service.store.engine.connect() as conn:
        return list(conn.execute(select(CustodyEntry).order_by(CustodyEntry.seq)))


def sql(service: Service, statement: str, **params: object) -> None:
    with service.store.transaction() as conn:
        conn.execute(text(statement), params)


def test_every_custody_record_is_a_link(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    finding = service.findings("kaspersky")[0]["id"]
    service.set_remediation([finding], Change(status="removal planned", owner="IT", actor="alice"))
    entries = chain(service)
    kinds = [e.kind for e in entries]
    assert kinds[:2] == ["artifact", "artifact"] and kinds.count("remediation") == 2  # status and owner
    with service.store.engine.connect() as conn:
        artifacts = {r.id: r.sha256 for r in conn.execute(select(Artifact.id, Artifact.sha256))}
    assert {e.subject for e in entries if e.kind == "artifact"} == {f"artifact:{i}" for i in artifacts}
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == custody.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    report = service.custody_verify()
    assert report.ok, report.problems
    assert report.entries == len(entries) and report.head == custody.Head(entries[-1].seq, entries[-1].hash)
    assert '"actor":"alice"' in entries[-1].body and entries[-1].subject == f"finding:{finding}"


def test_editing_a_past_entry_is_detected(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    sql(
        service,
        "UPDATE custody_chain SET body = REPLACE(body, :old, :new) WHERE seq = 1",
        old='"items":2',
        new='"items":9',
    )
    assert service.custody_verify().problems == ["custody entry 1: its hash does not match its contents (edited)"]


def test_editing_an_entry_and_its_hash_breaks_the_next_link(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    first = chain(service)[0]
    forged = first.body.replace('"items":2', '"items":9')
    with service.store.transaction() as conn:
        conn.execute(
            CustodyEntry.__table__.update()
            .where(CustodyEntry.seq == 1)
            .values(body=forged, hash=custody.link_hash(first.prev_hash, forged))
        )
    problems = service.custody_verify().problems
    assert problems[0].startswith("custody entry 2: does not link to the entry before it")


def test_editing_a_column_outside_the_hashed_body_is_detected(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    sql(service, "UPDATE custody_chain SET kind = 'review' WHERE seq = 2")
    assert service.custody_verify().problems == ["custody entry 2: kind differ from the hashed body (edited)"]


def test_deleting_entries_is_detected_in_the_middle_and_at_the_end(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    service.set_remediation([service.findings("kaspersky")[0]["id"]], Change("removal planned", "IT", actor="bob"))
    last = chain(service)[-1].seq
    assert last == 4
    sql(service, "DELETE FROM custody_chain WHERE seq = 2")
    assert service.custody_verify().problems == [
        "custody entry 2: missing (deleted)",
        "custody entry 3: does not link to the entry before it (an entry before it was edited, deleted or inserted)",
        "artifact 2: no custody entry (its entry was deleted, or it was added outside vendorscope)",
    ]
    sql(service, f"DELETE FROM custody_chain WHERE seq = {last}")
    problems = service.custody_verify().problems
    [tail] = [p for p in problems if p.startswith("custody head:")]
    assert tail.startswith(f"custody head: says entry {last} ") and f"the chain ends at entry {last - 1}" in tail


def test_editing_or_deleting_an_artifact_is_detected(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    sql(service, "UPDATE artifacts SET sha256 = 'x' WHERE id = 1")
    assert service.custody_verify().problems == ["artifact 1: its hash differs from its custody entry (edited)"]
    for statement in (  # the artifact and what refers to it (PostgreSQL enforces the foreign keys)
        "DELETE FROM examinations WHERE artifact_id = 2",
        "DELETE FROM installations WHERE first_artifact_id = 2 OR last_artifact_id = 2",
        "DELETE FROM artifacts WHERE id = 2",
    ):
        sql(service, statement)
    assert "artifact 2: has a custody entry but is gone from the store (deleted)" in service.custody_verify().problems


def test_a_rewritten_chain_no_longer_holds_the_head_a_package_carries(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    package = tmp_path / "pkg"
    package.mkdir()
    with service.store.engine.connect() as conn:
        built_from = custody.head(conn)
    (package / "manifest.json").write_text(f'{{"custody_chain_head": {{"seq": {built_from.seq}, '
                                           f'"hash": "{built_from.hash}"}}}}')  # fmt: skip
    assert service.custody_verify(package).ok
    rewrite_whole_chain(service, '"items":2', '"items":9')  # consistent by itself
    assert service.custody_verify().ok
    [problem] = service.custody_verify(package).problems
    assert problem.startswith(f"{package}: built from chain entry {built_from.seq} ") and "rewritten" in problem


def rewrite_whole_chain(service: Service, old: str, new: str) -> None:
    previous = custody.GENESIS
    with service.store.transaction() as conn:
        for entry in list(conn.execute(select(CustodyEntry).order_by(CustodyEntry.seq))):
            body = entry.body.replace(old, new)
            digest = custody.link_hash(previous, body)
            conn.execute(
                CustodyEntry.__table__.update()
                .where(CustodyEntry.seq == entry.seq)
                .values(body=body, prev_hash=previous, hash=digest)
            )
            previous = digest
        conn.execute(text("UPDATE custody_head SET hash = :h"), {"h": previous})


def test_concurrent_writers_never_fork_the_chain(service: Service, tmp_path: Path) -> None:
    service.store  # noqa: B018  (migrate once, before the threads)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(10):
                entry = custody.Entry("export", f"w{worker}:{n}", f"worker-{worker}", {"n": n})
                with service.store.transaction() as conn:
                    custody.append(conn, [entry])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = service.custody_verify()
    assert report.ok and report.entries == 40, report.problems
    assert sorted(e.subject for e in chain(service)) == sorted(f"w{w}:{n}" for w in range(4) for n in range(10))


def test_pending_links_are_reported_as_pending_then_chained_in_order(service: Service, tmp_path: Path) -> None:
    ingest_two(service, tmp_path)
    pushed = push_bytes(service)
    with service.store.transaction() as conn:
        custody.defer(conn, [custody.Entry("export", "later", "alice", {"n": 1})])
    waiting = [(row.kind, row.subject) for row in _pending(service)]
    assert waiting == [("artifact", f"artifact:{pushed.artifact_id}"), ("export", "later")]
    with service.store.engine.connect() as conn:
        report = custody.verify_chain(conn)
    assert report.ok and (report.entries, report.pending) == (2, 2), report.problems  # not verified, not a problem
    assert report.head == custody.Head(2, chain(service)[-1].hash)
    when = [row.at for row in _pending(service)]
    with service.store.transaction() as conn:
        assert custody.link_pending(conn) == 2
    with service.store.transaction() as conn:
        assert custody.link_pending(conn) == 0
    entries = chain(service)
    assert [(e.seq, e.kind, e.subject) for e in entries[2:]] == [
        (3, "artifact", f"artifact:{pushed.artifact_id}"),
        (4, "export", "later"),
    ]
    assert [e.at for e in entries[2:]] == when  # the time the record was made, hashed with it
    report = service.custody_verify()
    assert report.ok and (report.entries, report.pending) == (4, 0), report.problems
    assert not _pending(service)


def test_an_append_chains_the_pending_links_before_its_own(service: Service, tmp_path: Path) -> None:
    service.store  # noqa: B018
    with service.store.transaction() as conn:
        custody.defer(conn, [custody.Entry("push", f"push:{n}", "agent:a", {"n": n}) for n in range(3)])
    ingest_two(service, tmp_path)  # an ingest appends under the head's lock: the pending go first
    assert [e.subject for e in chain(service)] == ["push:0", "push:1", "push:2", "artifact:1", "artifact:2"]
    assert not _pending(service) and service.custody_verify().ok


def test_deleting_a_pending_link_is_detected(service: Service) -> None:
    service.store  # noqa: B018
    pushed = push_bytes(service)
    sql(service, "DELETE FROM custody_pending")
    assert service.custody_verify().problems == [
        f"artifact {pushed.artifact_id}: no custody entry (its entry was deleted, or it was added outside vendorscope)"
    ]


def push_bytes(service: Service) -> FileResult:
    """Bytes written as an agent's push writes them: artifact and pending link commit together, head untouched."""
    return ingest_bytes(service.store, Caches(), service.matcher, bundle("ws-9"), "push:x", Hints(), defer_custody=True)


def _pending(service: Service) -> list[object]:
    with service.store.engine.connect() as conn:
        return custody.pending(conn)


def test_migration_links_records_made_before_the_chain(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "server")
        conn.execute(
            text(
                "INSERT INTO artifacts (identity, sha256, context, path, size, format, ingested_at, tool_version,"
                " records, items, problems, problem_sample) VALUES ('i1', 's1', '', '/old.jsonl', 3, 'jsonl',"
                " '2017-01-02 03:04:05', '0.0.1', 1, 1, 0, '[]')"
            )
        )
    engine.dispose()
    service = Service(db_url)
    try:
        [entry] = chain(service)
        assert entry.kind == "artifact" and '"sha256":"s1"' in entry.body and '"path":"/old.jsonl"' in entry.body
        assert service.custody_verify().ok
    finally:
        service.close()


def test_custody_commands(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}])
    assert run("--db", "s.db", "ingest", "inv.jsonl", cwd=tmp_path).returncode == 0
    good = run("--db", "s.db", "custody", "verify", cwd=tmp_path)
    assert good.returncode == 0 and "custody chain: verified, 1 entries; head entry 1, " in good.stdout
    assert "artifact:1" in run("--db", "s.db", "custody", "log", cwd=tmp_path).stdout
    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE custody_chain SET body = body || ' '"))
    engine.dispose()
    bad = run("--db", "s.db", "custody", "verify", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        "custody entry 1: its hash does not match its contents (edited)",
        "custody chain: NOT VERIFIED, 1 problems",
    ]


@pytest.mark.parametrize("value", [1.5, {"a": [float("nan")]}])
def test_floats_are_refused_by_the_canonical_form(value: object) -> None:
    with pytest.raises(TypeError):
        custody.canonical(value)
    assert custody.canonical(custody.plain(value)) == custody.canonical(custody.plain(value))
