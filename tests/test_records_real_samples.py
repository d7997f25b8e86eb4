"""Real files made by real tools (shared/real-samples): every one is ingested as a record, none is dropped,
and none of them names the vendor, so the vendor search finds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from vendorscope.records.search import Filters
from vendorscope.service import Service
from vendorscope.store.tables import RecordFile

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-samples"


def test_real_samples_are_ingested_and_find_nothing(sqlite_service: Service, tmp_path: Path) -> None:
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is absent")
    files = [p for p in REAL.rglob("*") if p.is_file() and not p.name.startswith(".")]
    report = sqlite_service.records_ingest([REAL], "samples", workers=1, records_dir=tmp_path / "o")
    assert report.files == len(files)
    with sqlite_service.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RecordFile)).scalar() == len(files)
    assert sqlite_service.records_vendor_search("kaspersky", Filters(limit=0)) == []
    unread = {Path(path).name for path, _ in report.errors}
    assert all(name.endswith(".xz") for name in unread)  # compressed registry hives: binary, listed as exceptions
