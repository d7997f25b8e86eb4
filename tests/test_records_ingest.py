"""Records ingest: families, originals kept byte-identical, dedup across custodians, near-duplicates,
threads, idempotence and scale-out on a Dask cluster — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.records_corpus import email_bytes, mbox_bytes, pdf_bytes, zip_bytes
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument, RecordLocation

LONG = (
    "The review team examined the endpoint protection suite deployed across the regional offices and found that "
    "its cloud reputation service uploads suspicious files for analysis abroad, which the agency must assess. "
)


def _docs(service: Service) -> list[RecordDocument]:
    with service.store.engine.connect() as conn:
        return list(conn.execute(select(RecordDocument).order_by(RecordDocument.id)))


def _locations(service: Service, doc_id: int) -> set[tuple[str, str]]:
    with service.store.engine.connect() as conn:
        rows = conn.execute(
            select(RecordLocation.custodian, RecordLocation.path).where(RecordLocation.document_id == doc_id)
        )
        return {(c, Path(p).name) for c, p in rows}


def test_family_metadata_hashes_and_originals(service: Service, tmp_path: Path) -> None:
    pdf = pdf_bytes("Kaspersky assessment")
    mail = email_bytes("Assessment", "attached", attachments=[("a.pdf", pdf, "application/pdf")])
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "m.eml").write_bytes(mail)
    report = service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "orig")
    assert (report.files, report.documents, report.errors) == (1, 2, [])
    parent, child = _docs(service)
    assert (child.parent_id, child.family_id, parent.family_id) == (parent.id, parent.id, parent.id)
    assert (parent.sha256, parent.md5) == (hashlib.sha256(mail).hexdigest(), hashlib.md5(mail).hexdigest())
    assert child.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (parent.doc_date, parent.date_source) == (datetime(2017, 9, 13, 14, 0), "sent")
    originals = service.records_originals(tmp_path / "orig")
    assert originals.get(parent.sha256) == mail and originals.get(child.sha256) == pdf


def test_exact_and_email_duplicates_kept_once_with_every_custodian(service: Service, tmp_path: Path) -> None:
    mail = email_bytes("Kaspersky contract", "Renewal of the licence.", message_id="<dup@x>")
    resent = mail.replace(b"Subject:", b"X-Archived-By: journal\nSubject:")  # same message, other bytes
    for custodian, name, data in (("alice", "a.eml", mail), ("bob", "b.eml", mail), ("carol", "c.eml", resent)):
        folder = tmp_path / custodian
        folder.mkdir()
        (folder / name).write_bytes(data)
        service.records_ingest([folder], custodian, workers=1, records_dir=tmp_path / "orig")
    [doc] = _docs(service)
    assert _locations(service, doc.id) == {("alice", "a.eml"), ("bob", "b.eml"), ("carol", "c.eml")}


def test_same_file_twice_changes_nothing(service: Service, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Kaspersky")
    first = service.records_ingest([tmp_path / "in"], "alice", workers=1, records_dir=tmp_path / "o")
    second = service.records_ingest([tmp_path / "in"], "alice", workers=1, records_dir=tmp_path / "o")
    assert (first.documents, second.documents, second.skipped) == (1, 0, 1)
    assert len(_docs(service)) == 1


def test_near_duplicates_are_grouped(service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "v1.txt").write_text(LONG * 3 + "Draft one.")
    (folder / "v2.txt").write_text(LONG * 3 + "Draft two, final.")
    (folder / "other.txt").write_text("Quarterly budget figures for the motor pool and fuel cards, all regions. " * 3)
    report = service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "o")
    groups = {Path(d.path).name: d.near_dup_group for d in _docs(service)}
    assert report.near_duplicate_groups == 1
    assert groups["v1.txt"] == groups["v2.txt"] is not None and groups["other.txt"] is None


def test_threads_from_headers_and_subject_fallback(service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    messages = [
        email_bytes("KES removal", "start", message_id="<t1@x>"),
        email_bytes("Re: KES removal", "reply", message_id="<t2@x>", in_reply_to="<t1@x>"),
        email_bytes("RE: Re: KES removal", "later", message_id="<t3@x>", references="<t1@x> <t2@x>"),
        email_bytes("AW: KES removal", "no headers kept", message_id="<t4@x>"),
        email_bytes("Lunch", "unrelated", message_id="<t5@x>"),
    ]
    (folder / "box.mbox").write_bytes(mbox_bytes(messages))
    service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "o")
    threads = {d.subject: d.thread_id for d in _docs(service)}
    assert threads["KES removal"] == threads["Re: KES removal"] == threads["RE: Re: KES removal"]
    assert threads["AW: KES removal"] == threads["KES removal"]
    assert threads["Lunch"] != threads["KES removal"]


def test_zip_members_are_a_family(sqlite_service: Service, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "docs.zip").write_bytes(zip_bytes({"a.txt": b"one", "b.pdf": pdf_bytes("two")}))
    sqlite_service.records_ingest([tmp_path / "in"], "alice", workers=1, records_dir=tmp_path / "o")
    top, *children = _docs(sqlite_service)
    assert top.format == "zip" and [c.filename for c in children] == ["a.txt", "b.pdf"]
    assert {c.family_id for c in children} == {top.id}
    assert children[0].path.endswith("docs.zip::a.txt")


def test_process_pool_and_dask_cluster_give_the_same_documents(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(40):
        (folder / f"m{n}.eml").write_bytes(email_bytes(f"s{n}", f"Kaspersky body {n}", message_id=f"<{n}@x>"))
    results = {}
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        for mode, options in (("pool", {"workers": 2}), ("dask", {"dask": cluster.scheduler_address})):
            service = Service(str(tmp_path / f"{mode}.db"))
            report = service.records_ingest([folder], "alice", records_dir=tmp_path / mode, **options)
            results[mode] = (report.documents, sorted(d.sha256 for d in _docs(service)))
            service.close()
    assert results["pool"] == results["dask"] and results["pool"][0] == 40


def test_the_writers_base_name_is_pathlibs() -> None:
    import random
    from pathlib import PurePath

    from vendorscope.records.writer import base_name

    rng = random.Random(13)
    names = ["", ".", "/", "//", "a/", "a/.", "a/..", "./a", "mail/a.eml", "a\\b.txt", "a.zip::b/c.txt", "/x/y#3"]
    names += ["".join(rng.choice("ab./\\#: ") for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    assert [base_name(name) for name in names] == [PurePath(name).name for name in names]


def _ingest_with_a_slow_file(
    tmp_path: Path, folder: Path, slow: str, run: str, **options: object
) -> tuple[object, ...]:
    """One ingest whose extraction of ``slow`` takes a second (forked pool workers and in-process Dask
    workers see the patch), then every stored row but the ingest time, and a production's load file."""
    import time

    from vendorscope.records import ingest
    from vendorscope.store.tables import (
        RecordBand,
        RecordBandRecent,
        RecordFile,
        RecordThreadKey,
        RecordThreadKeyRecent,
    )

    real = ingest.extract

    def late(data: bytes, name: str, limits: object = None, depth: int = 0) -> object:
        if name.endswith(slow):
            time.sleep(1.0)
        return real(data, name, limits, depth)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest, "extract", late)
        service = Service(str(tmp_path / f"{run}.db"))
        service.records_ingest([folder], "alice", records_dir=tmp_path / run, **options)
    with service.store.engine.connect() as conn:
        documents = [
            {k: v for k, v in row._mapping.items() if k != "ingested_at"}
            for row in conn.execute(select(RecordDocument.__table__).order_by(RecordDocument.id))
        ]
        locations = sorted(conn.execute(select(RecordLocation.__table__)).all())
        files = conn.execute(
            select(RecordFile.sha256, RecordFile.path, RecordFile.documents).order_by(RecordFile.id)
        ).all()
        keys = [
            sorted(conn.execute(select(table.__table__)).all())
            for table in (RecordBand, RecordBandRecent, RecordThreadKey, RecordThreadKeyRecent)
        ]
    tops = [row["id"] for row in documents if row["parent_id"] is None]
    service.records_tag(tops, "responsive", "sam", family=True)
    service.records_produce(tmp_path / f"{run}-vol", "ABC", tmp_path / run)
    dat = (tmp_path / f"{run}-vol" / "DATA" / "loadfile.dat").read_bytes()
    service.close()
    return documents, locations, files, keys, dat


def _families_with_duplicates(folder: Path) -> None:
    """Three tasks of files; the first file's e-mail comes again in the last task (its key decides the kept
    copy), and every e-mail has an attachment (a family, ids given parents first)."""
    from vendorscope.records import ingest

    folder.mkdir()
    count = 3 * ingest.FILES_PER_TASK
    for n in range(count):
        same = n % (count - 1)  # the first and the last file are the same e-mail
        (folder / f"f{n:03d}.eml").write_bytes(
            email_bytes(
                f"Subject {same}",
                f"{LONG} Message {same}.",
                message_id=f"<{same}@x>",
                attachments=[(f"note{same}.txt", f"Kaspersky note {same} {LONG}".encode(), "text/plain")],
            )
        )


@pytest.mark.parametrize("mode", ["pool", "dask"])
def test_ids_and_kept_copies_do_not_follow_the_workers_finish_order(tmp_path: Path, mode: str) -> None:
    """Same inputs, same outputs: whether the first or the last task's workers finish last, the document
    ids, the copy of a duplicate that is kept, the files' rows and a production's load file are the same
    (they followed the finish order before: ids and kept copies differed from run to run)."""
    folder = tmp_path / "in"
    _families_with_duplicates(folder)
    first, last = "f000.eml", f"f{3 * 32 - 1:03d}.eml"
    if mode == "pool":
        runs = [_ingest_with_a_slow_file(tmp_path, folder, slow, f"pool-{slow}", workers=2) for slow in (first, last)]
    else:
        distributed = pytest.importorskip("distributed")
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster:
            runs = [
                _ingest_with_a_slow_file(tmp_path, folder, slow, f"dask-{slow}", dask=cluster.scheduler_address)
                for slow in (first, last)
            ]
    inline = _ingest_with_a_slow_file(tmp_path, folder, "none", f"{mode}-inline", workers=1)
    assert runs[0][0][0]["path"].endswith(first)  # the first file's copy is kept: the walk's order
    assert runs[0] == runs[1] == inline
