"""Pages written to the WAL by each table and index during a records ingest (SQLite).

    .venv/bin/python benchmarks/bench_records.py --emails 100000 --generate-only
    PYTHONPATH=src .venv/bin/python benchmarks/bench_records_pages.py bench-output/pages bench-output/records/corpus
    PYTHONPATH=<another checkout>/src .venv/bin/python benchmarks/bench_records_pages.py …   # its code

The WAL's frames are read after each batch's commit, counted by page number, and the WAL checkpointed (as
SQLite's automatic checkpoint does once a batch is over 1,000 pages); each page is mapped to its table or
index at the end (``dbstat``). A page freed by one table and reused by another is counted under the last.
"""

from __future__ import annotations

import collections
import shutil
import sqlite3
import struct
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from vendorscope.records import ingest
from vendorscope.service import Service


@event.listens_for(Engine, "connect")
def _no_automatic_checkpoint(dbapi: Any, _record: Any) -> None:
    if type(dbapi).__module__.startswith("sqlite3"):
        dbapi.execute("PRAGMA wal_autocheckpoint=0")


def main() -> None:
    out, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    db = out / "records.db"
    wal = Path(f"{db}-wal")
    frames: collections.Counter[int] = collections.Counter()
    batches = 0
    write = ingest._write

    def counted(store: Any, writer: Any, results: Any, custodian: str, report: Any) -> None:
        nonlocal batches
        write(store, writer, results, custodian, report)
        data = wal.read_bytes() if wal.exists() else b""
        if len(data) > 32:
            size = struct.unpack(">I", data[8:12])[0]
            for at in range(32, len(data) - 24 - size + 1, 24 + size):
                frames[struct.unpack(">I", data[at : at + 4])[0]] += 1
        batches += 1
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    ingest._write = counted
    service = Service(str(db))
    service.store  # noqa: B018 - open (and migrate) the store first
    start = time.perf_counter()
    report = service.records_ingest([corpus], "bench", workers=2)
    seconds = time.perf_counter() - start
    service.close()
    print(f"{report.documents + report.duplicates:,} documents, {batches} batches, {seconds:,.1f} s")
    with sqlite3.connect(db) as conn:
        owner = dict((page, name) for name, page in conn.execute("SELECT name, pageno FROM dbstat"))
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    by: collections.Counter[str] = collections.Counter()
    for page, count in frames.items():
        by[owner.get(page, "(free)")] += count
    pages = collections.Counter(owner.values())
    total = sum(by.values())
    print(f"WAL frames: {total:,} = {total * page_size / 1e6:,.0f} MB (page size {page_size})")
    for name, count in by.most_common():
        print(f"  {name:40s} {count:>10,} frames {100 * count / total:5.1f} %   pages now {pages[name]:,}")


if __name__ == "__main__":
    main()
