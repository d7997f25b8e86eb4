"""Every real-world sample (../shared/real-samples/: CycloneDX, SPDX, Windows hives made by real tools) is
read, and none of them is taken for the vendor: they are decoys. The corrupted hive fails as one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED
from vendorscope.service import Service
from vendorscope.sources.base import Hints

SAMPLES = SHARED / "real-samples"
CORRUPTED = "corrupted_system_hive.xz"
NEED_HOST = ("NTUSER.DAT.xz", "amcache.hve.xz")  # a user hive names no computer: `ingest --host` says whose it is


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Service, list[Path], object]:
    if not SAMPLES.is_dir():
        pytest.skip(f"the real samples are not here ({SAMPLES})")
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.name != "README.md")
    service = Service(str(tmp_path_factory.mktemp("real") / "store.db"))
    report = service.ingest([p for p in files if p.name not in NEED_HOST])
    without_host = service.ingest([p for p in files if p.name in NEED_HOST])
    assert all("give --host" in m for f in without_host.files for m in f.messages())
    report.files += service.ingest([p for p in files if p.name in NEED_HOST], Hints(host="sample-pc")).files
    yield service, files, report
    service.close()


def test_every_sample_is_read(ingested: tuple[Service, list[Path], object]) -> None:
    _service, files, report = ingested
    by_name = {Path(f.path).name: f for f in report.files}  # type: ignore[attr-defined]
    assert set(by_name) == {p.name for p in files}
    for name, result in by_name.items():
        if name == CORRUPTED:
            continue
        assert result.status == "ingested", (name, result.messages())
        assert not result.problems, (name, result.messages())
    assert {r.format for n, r in by_name.items() if n != CORRUPTED} >= {"cyclonedx", "spdx", "windows-hive"}


def test_the_corrupted_hive_fails_as_one_line_and_leaves_nothing(
    ingested: tuple[Service, list[Path], object],
) -> None:
    _service, _files, report = ingested
    [result] = [f for f in report.files if Path(f.path).name == CORRUPTED]  # type: ignore[attr-defined]
    assert result.status == "failed" and result.artifact_id is None
    [message] = result.messages()
    assert CORRUPTED in message and "\n" not in message


def test_no_sample_is_taken_for_the_vendor(ingested: tuple[Service, list[Path], object]) -> None:
    service, _files, _report = ingested
    assert service.findings(include_absent=True) == []
    assert service.org_findings() == []
