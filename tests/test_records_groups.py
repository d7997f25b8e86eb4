"""Near-duplicate groups and threads kept batch by batch (``records/groups.py``) equal the whole-store
definitions (``dedup.near_duplicate_groups``, ``threads.thread_roots``), whatever the batches; and the
records ingest's memory is bounded by the batch, not by the store or the input."""

from __future__ import annotations

import os
import random
import struct
import subprocess
import sys
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, update

from tests.records_corpus import email_bytes
from vendorscope.records import dedup, groups, ingest, threads
from vendorscope.records.store import Originals
from vendorscope.records.writer import RecordWriter
from vendorscope.service import Service
from vendorscope.store.tables import (
    Meta,
    RecordBand,
    RecordBandRecent,
    RecordDocument,
    RecordThreadKey,
    RecordThreadKeyRecent,
)

KEY_TABLES = ((RecordBand, RecordBandRecent), (RecordThreadKey, RecordThreadKeyRecent))

LONG = (
    "The review team examined the endpoint protection suite deployed across the regional offices and found that "
    "its cloud reputation service uploads suspicious files for analysis abroad, which the agency must assess. "
)


def _signature(rng: random.Random) -> bytes | None:
    """A signature whose bands take few values, so that documents share bands often and groups merge."""
    if rng.random() < 0.2:
        return None
    values = [rng.randrange(1, 23) for _ in range(5)]
    values = [v if rng.random() < 0.5 else rng.randrange(10**9) for v in values]  # most bands unique
    return b"".join(struct.pack("<11Q", *([v] * 11)) for v in values) + bytes(64 * 8 - 5 * 11 * 8)


def _member(rng: random.Random, doc_id: int) -> groups.Member:
    def mid() -> str:
        return f"<m{rng.randrange(60)}@x>"

    subject = rng.choice(["Budget", "Re: Budget", "AW: budget ", "Fwd: Re: KES", "KES", "", None, "Lunch"])
    email = rng.random() < 0.8
    return groups.Member(
        id=doc_id,
        format="email" if email else "pdf",
        minhash=_signature(rng),
        message_id=mid() if email and rng.random() < 0.9 else None,
        in_reply_to=mid() if email and rng.random() < 0.3 else None,
        references=" ".join(mid() for _ in range(rng.randrange(3))) if email and rng.random() < 0.3 else None,
        subject=subject if email else None,
    )


def _insert(conn: Connection, members: list[groups.Member], labels: dict[int, tuple[int | None, int | None]]) -> None:
    now = datetime(2026, 12, 3)
    rows = [
        {
            "id": m.id,
            "dedup_key": str(m.id),
            "sha256": str(m.id),
            "md5": "",
            "size": 0,
            "custodian": "c",
            "path": str(m.id),
            "filename": str(m.id),
            "format": m.format,
            "message_id": m.message_id,
            "in_reply_to": m.in_reply_to,
            "reference_ids": m.references,
            "subject": m.subject,
            "minhash": m.minhash,
            "text": "",
            "ingested_at": now,
            "near_dup_group": labels[m.id][0],
            "thread_id": labels[m.id][1],
        }
        for m in members
    ]
    conn.execute(RecordDocument.__table__.insert(), rows)


def _labels(conn: Connection) -> dict[int, tuple[int | None, int | None]]:
    c = RecordDocument.__table__.c
    return {i: (near, thread) for i, near, thread in conn.execute(select(c.id, c.near_dup_group, c.thread_id))}


def _whole_store(conn: Connection) -> dict[int, tuple[int | None, int | None]]:
    """The definitions, over every document at once."""
    c = RecordDocument.__table__.c
    rows = conn.execute(
        select(c.id, c.format, c.minhash, c.message_id, c.in_reply_to, c.reference_ids, c.subject).order_by(c.id)
    ).all()
    near = dedup.near_duplicate_groups((r.id, r.minhash) for r in rows if r.minhash)
    roots = threads.thread_roots(
        (r.id, r.message_id, r.in_reply_to, r.reference_ids, r.subject)
        for r in rows
        if r.format in threads.EMAIL_FORMATS
    )
    return {r.id: (near.get(r.id), roots.get(r.id)) for r in rows}


def _keys(conn: Connection) -> list[list[tuple[int, int]]]:
    """Each key table's (digest, document) rows, its main table's and its recent level's together."""
    out = []
    for main, recent in KEY_TABLES:
        rows = conn.execute(select(main.digest, main.document_id)).all()
        rows += conn.execute(select(recent.digest, recent.document_id)).all()
        out.append(sorted(tuple(row) for row in rows))
    return out


def _main_keys(conn: Connection) -> list[list[tuple[int, int]]]:
    return [sorted(tuple(row) for row in conn.execute(select(main.digest, main.document_id))) for main, _ in KEY_TABLES]


@pytest.mark.parametrize("bound", [None, 60])
def test_batch_by_batch_equals_the_whole_store_and_a_rebuild(
    service: Service, monkeypatch: pytest.MonkeyPatch, bound: int | None
) -> None:
    """600 documents in batches of 1 to 40, with replies before their messages, shared Message-IDs,
    subject-only replies and band values shared across batches (groups merged, relabeled): the labels are
    the whole-store definitions' after every batch; a rebuild of a marked store gives them again.

    With a recent level of 60 keys it moves into the main table every few batches: the labels are right
    just before and just after each merge, the main tables change only at a merge, two writers take turns
    (each reads the other's recent keys again), and batches rolled back after their merge (an interrupted
    ingest) leave the next batch right."""
    if bound is not None:
        monkeypatch.setattr(groups, "RECENT_KEYS", bound)
        monkeypatch.setattr(groups, "_TIERS", 1)  # a writer's runs merged up to the whole level
    rng = random.Random(13)
    writers = [groups.Keys(), groups.Keys()]
    next_id, merges, rolled_back = 1, 0, 0
    with service.store.engine.begin() as conn:
        while next_id <= 600:
            members = [_member(rng, i) for i in range(next_id, next_id + rng.randint(1, 40))]
            keys = rng.choice(writers)
            before = _main_keys(conn)
            if rng.random() < 0.15:  # a batch rolled back: its keys, and its merge if it made one, undone
                nested = conn.begin_nested()
                _insert(conn, members, groups.assign(conn, members, keys))
                rolled_back += _main_keys(conn) != before
                nested.rollback()
                assert _main_keys(conn) == before
            next_id += len(members)
            _insert(conn, members, groups.assign(conn, members, keys))
            assert _labels(conn) == _whole_store(conn)
            after = _main_keys(conn)
            if after != before:
                merges += 1
                emptied = [conn.execute(select(func.count()).select_from(r)).scalar() for _, r in KEY_TABLES]
                assert 0 in emptied  # the main tables change only when a recent level moves into them
        expected = _labels(conn)
        merged = sum(1 for near, _ in expected.values() if near is not None)
        assert merged > 100 and len({t for _, t in expected.values() if t}) < 400  # groups and threads formed
        if bound is None:
            assert merges == 0
        else:
            assert merges >= 10 and rolled_back >= 1
        tables = _keys(conn)
        assert all(len(rows) == len(set(rows)) for rows in tables)
        conn.execute(update(RecordDocument).values(near_dup_group=None, thread_id=None))
        conn.execute(Meta.__table__.insert().values(key=groups.REBUILD_KEY, value="rebuild"))
        groups.rebuild_if_marked(conn, chunk=37)
        assert _labels(conn) == expected
        assert _keys(conn) == tables
        assert conn.execute(select(Meta.value).where(Meta.key == groups.REBUILD_KEY)).first() is None


def test_an_ingest_stopped_in_a_merge_is_finished_with_the_definitions(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest whose batch fails after moving a recent level into its main table: what it committed
    holds the definitions; the same command again finishes it with them, its keys each listed once."""
    monkeypatch.setattr(ingest, "FILES_PER_TRANSACTION", 3)
    monkeypatch.setattr(groups, "RECENT_KEYS", 12)
    merge = groups.Level.merge_if_full
    merged: list[str] = []

    def stopping(self: groups.Level, conn: Connection) -> None:
        full = len(self) > groups.RECENT_KEYS
        merge(self, conn)
        if full:
            merged.append(self.main.name)
            if len(merged) == 4:
                raise RuntimeError("stopped")

    monkeypatch.setattr(groups.Level, "merge_if_full", stopping)
    _corpus(tmp_path / "in", 0, 120)
    with pytest.raises(RuntimeError, match="stopped"):
        service.records_ingest([tmp_path / "in"], "c", workers=1, records_dir=tmp_path / "o")
    with service.store.engine.connect() as conn:
        stopped = len(_labels(conn))
        assert stopped > 0 and _labels(conn) == _whole_store(conn)
    monkeypatch.setattr(groups.Level, "merge_if_full", merge)
    service.records_ingest([tmp_path / "in"], "c", workers=1, records_dir=tmp_path / "o")
    with service.store.engine.connect() as conn:
        labels = _labels(conn)
        assert len(labels) > max(stopped, 100) and labels == _whole_store(conn)
        assert all(len(rows) == len(set(rows)) for rows in _keys(conn))
        assert all(_main_keys(conn))  # both recent levels were moved into their main tables


@pytest.mark.parametrize("bound", [None, 30])
def test_a_digest_collision_joins_nothing(
    sqlite_service: Service, monkeypatch: pytest.MonkeyPatch, bound: int | None
) -> None:
    """Every key under one digest: only documents that really share a band, a Message-ID or a subject
    are joined (each match is checked against the document), with the recent levels merged or not."""
    import numpy as np

    if bound is not None:
        monkeypatch.setattr(groups, "RECENT_KEYS", bound)
        monkeypatch.setattr(groups, "_TIERS", 1)

    monkeypatch.setattr(groups, "_digest", lambda kind, value: 7)
    monkeypatch.setattr(groups, "_band_digests", lambda bands: np.full(bands.shape[:2], 7, dtype=np.int64))
    rng = random.Random(5)
    with sqlite_service.store.engine.begin() as conn:
        for start in range(1, 200, 20):
            members = [_member(rng, i) for i in range(start, start + 20)]
            _insert(conn, members, groups.assign(conn, members))
        assert _labels(conn) == _whole_store(conn)


def test_runs_merged_keep_every_key_in_order_and_a_few_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of keys newer than the runs before them (digests met again and again): merged by tiers, the level
    holds exactly its keys in (digest, document) order in each run, and a few runs, not one a batch."""
    import numpy as np

    monkeypatch.setattr(groups, "RECENT_KEYS", 64_000)  # runs merged up to 8,000 keys
    rng = np.random.default_rng(3)
    level = groups.Level(RecordBand.__table__, RecordBandRecent.__table__)
    keys: list[tuple[int, int]] = []
    document = 1
    for _ in range(300):
        count = int(rng.integers(1, 400))
        documents = document + rng.integers(0, count // 3 + 1, size=count)  # several keys a document
        document = int(documents.max()) + 1
        digests = rng.integers(-50, 50, size=count) * (1 << 57)  # few values, far apart: ties across runs
        pairs = sorted(set(zip(digests.tolist(), documents.tolist(), strict=True)))
        level._hold(np.array([d for d, _ in pairs], dtype=np.int64), np.array([i for _, i in pairs], dtype=np.int32))
        keys += pairs
    assert len(level) == len(keys) and 1 < len(level.runs) <= 20
    held = []
    for digests, documents in level.runs:
        run = list(zip(digests.tolist(), documents.tolist(), strict=True))
        assert run == sorted(run) and digests.dtype == np.int64 and documents.dtype == np.int32
        held += run
    assert sorted(held) == sorted(keys)
    assert [pair for part in level._slices(4) for pair in zip(*(a.tolist() for a in part), strict=True)] == sorted(keys)


def test_a_level_holds_little_beyond_its_keys(sqlite_service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a batch to a recent level, and moving a full level into its main table, hold a small part of
    the level beside its 12 bytes a key (the runs were made one by a copy, with a sort, of the whole level:
    32 bytes a key more, just before the level moved)."""
    import numpy as np

    monkeypatch.setattr(groups, "RECENT_KEYS", 1 << 17)
    rng = np.random.default_rng(4)
    level = groups.Level(RecordThreadKey.__table__, RecordThreadKeyRecent.__table__)
    beyond, document, merged = 0, 1, False
    with sqlite_service.store.engine.begin() as conn:
        level.sync(conn)
        tracemalloc.start()
        try:
            while not merged:
                digests = rng.integers(-(1 << 63), (1 << 63) - 1, size=512, dtype=np.int64)
                documents = np.repeat(np.arange(document, document + 256), 2)
                document += 256
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                level.add(conn, digests, documents)
                merged = len(level) > groups.RECENT_KEYS
                level.merge_if_full(conn)
                beyond = max(beyond, tracemalloc.get_traced_memory()[1] - before)
        finally:
            tracemalloc.stop()
        assert conn.execute(select(func.count()).select_from(RecordThreadKey)).scalar() > groups.RECENT_KEYS
    assert beyond < 1_500_000  # the old code: 4.3 MB (the whole level copied and sorted every 64 runs)


def _corpus(folder: Path, start: int, count: int) -> None:
    """E-mails of threads whose replies may come in an earlier ingest than their message, and near-duplicate
    drafts: each e-mail's body is a draft of one of five."""
    folder.mkdir(parents=True)
    for n in range(start, start + count):
        thread, draft = n % 7, n % 5
        (folder / f"m{n:04d}.eml").write_bytes(
            email_bytes(
                ("Re: " if n % 3 else "") + f"Topic {thread}",
                f"{LONG * 2} Draft {draft}. {'Minor edit.' if n % 2 else ''}",
                message_id=f"<n{n}@x>",
                in_reply_to=f"<n{n + 11}@x>" if n % 4 == 0 else None,  # a message of a later ingest
            )
        )


def test_ingests_in_small_batches_keep_the_definitions(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "FILES_PER_TRANSACTION", 3)
    for n, start in enumerate((0, 40, 80)):
        _corpus(tmp_path / f"in{n}", start, 40)
        report = service.records_ingest([tmp_path / f"in{n}"], f"c{n}", workers=1, records_dir=tmp_path / "o")
    with service.store.engine.connect() as conn:
        labels = _labels(conn)
        assert labels == _whole_store(conn)
    near = {near for near, _ in labels.values() if near is not None}
    sizes: dict[int | None, int] = {}
    for _, thread in labels.values():
        sizes[thread] = sizes.get(thread, 0) + 1
    assert report.near_duplicate_groups == len(near) >= 1
    assert report.threads == sum(1 for size in sizes.values() if size > 1) >= 7


def test_a_batch_holds_its_own_keys_only(
    sqlite_service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's dedup keys are the batch's (it held every key of the store, 1 in 10 of the growth)."""
    monkeypatch.setattr(ingest, "FILES_PER_TRANSACTION", 4)
    monkeypatch.setattr(ingest, "FILES_PER_TASK", 4)
    held: list[int] = []
    flush = RecordWriter.flush

    def spy(self: RecordWriter) -> None:
        held.append(len(self.seen))
        flush(self)

    monkeypatch.setattr(RecordWriter, "flush", spy)
    _corpus(tmp_path / "in", 0, 120)
    sqlite_service.records_ingest([tmp_path / "in"], "c", workers=1, records_dir=tmp_path / "o")
    with sqlite_service.store.engine.connect() as conn:
        assert len(conn.execute(select(RecordDocument.id)).all()) > 100  # a few e-mails are the same message
    assert len(held) == 30 and max(held) <= 4


def test_text_held_ends_a_batch_before_its_files_do(
    sqlite_service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch is bounded by its text too: large documents end it before the file count does."""
    monkeypatch.setattr(ingest, "FILES_PER_TASK", 4)
    monkeypatch.setattr(ingest, "TEXT_PER_TRANSACTION", 3 * len(LONG))  # less than 4 e-mails' bodies
    sizes: list[int] = []
    flush = RecordWriter.flush

    def spy(self: RecordWriter) -> None:
        sizes.append(len(self.files))
        flush(self)

    monkeypatch.setattr(RecordWriter, "flush", spy)
    _corpus(tmp_path / "in", 0, 40)
    sqlite_service.records_ingest([tmp_path / "in"], "c", workers=1, records_dir=tmp_path / "o")
    assert sizes == [4] * 10


def test_the_end_of_an_ingest_reads_no_document(sqlite_service: Service, tmp_path: Path) -> None:
    """Counting groups and threads after an ingest allocates the same whatever the store holds (it read
    every signature and every e-mail's headers: about 1 KB a document)."""
    _corpus(tmp_path / "in", 0, 300)
    report = sqlite_service.records_ingest([tmp_path / "in"], "c", workers=1, records_dir=tmp_path / "o")
    ingest.finish(sqlite_service.store, report)  # statements compiled and cached
    tracemalloc.start()
    try:
        ingest.finish(sqlite_service.store, report)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.threads >= 7 and peak < 40_000  # the whole-store pass took 110 KB for these 300 e-mails


def test_the_walk_holds_no_list_of_names(tmp_path: Path) -> None:
    """The names are listed before anything is written, into a file, not a list (a million paths were
    100 MB of the writer's process)."""
    folder = tmp_path / "many-files-with-long-enough-names"
    folder.mkdir()
    for n in range(4_000):
        (folder / f"message-{n:06d}.eml").write_bytes(b"")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        files = ingest.walk([folder])
        held = tracemalloc.get_traced_memory()[0] - before
        names = [name for name, _ in files]
    finally:
        tracemalloc.stop()
    assert names == sorted(str(folder / f"message-{n:06d}.eml") for n in range(4_000))
    assert held < 100_000  # 4,000 names as str are over 500 KB


def test_a_report_keeps_counts_and_a_sample_of_errors() -> None:
    report = ingest.RecordsIngestReport()
    report.add_errors([(f"f{n}", "unreadable") for n in range(ingest.MAX_ERRORS + 500)])
    report.add_errors([("link", "refused")], first=True)
    assert report.error_count == ingest.MAX_ERRORS + 501 and len(report.errors) == ingest.MAX_ERRORS
    assert report.errors[0] == ("link", "refused") and not report.ok


def test_temporary_packs_of_a_dead_ingest_are_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    originals = Originals(tmp_path / "o")
    originals.pack([("a" * 64, b"x")])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = originals.packs / f".tmp-{'b' * 64}-{int(dead.stdout)}-0"
    live = originals.packs / f".tmp-{'c' * 64}-{os.getpid()}-0"
    odd = originals.packs / ".tmp-not-ours"
    for path in (stale, live, odd):
        path.write_bytes(b"partial")
    assert originals.sweep() == 1
    assert not stale.exists() and live.exists() and odd.exists()
    assert len(list(originals.packs.glob("*.pack"))) == 1


def test_a_store_with_documents_from_before_is_rebuilt_once(tmp_path: Path) -> None:
    """The migration marks a store that holds documents; its next ingest fills the tables and labels them
    as if every document had come batch by batch, and removes the mark."""
    from alembic import command

    from vendorscope.store import migrate

    url = f"sqlite:///{tmp_path / 'r.db'}"
    service = Service(url)
    _corpus(tmp_path / "old", 0, 40)
    service.records_ingest([tmp_path / "old"], "c", workers=1, records_dir=tmp_path / "o")
    with service.store.engine.begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "push_intake")  # the store as the code before these tables left it
        command.upgrade(config, "head")
        assert conn.execute(select(Meta.value).where(Meta.key == groups.REBUILD_KEY)).scalar() == "rebuild"
        conn.execute(update(RecordDocument).values(thread_id=None))  # e.g. an ingest stopped before its end
    _corpus(tmp_path / "new", 40, 40)
    service.records_ingest([tmp_path / "new"], "c", workers=1, records_dir=tmp_path / "o")
    with service.store.engine.connect() as conn:
        assert _labels(conn) == _whole_store(conn)
        assert conn.execute(select(Meta.value).where(Meta.key == groups.REBUILD_KEY)).first() is None
    service.close()
