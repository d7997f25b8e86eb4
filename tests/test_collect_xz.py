"""xz-compressed input is read transparently (by magic bytes), bounded, and a truncated one is one clear line."""

from __future__ import annotations

import lzma
from pathlib import Path

from vendorscope.service import Service
from vendorscope.sources.base import Hints
from vendorscope.sources.reader import XZ_MEMLIMIT, open_binary

LINE = b'{"host": "ws-1", "name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab"}\n'


def test_xz_inventory_is_ingested(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "inventory.data"  # no .xz suffix: the magic bytes decide
    path.write_bytes(lzma.compress(LINE * 3))
    report = sqlite_service.ingest([path], Hints())
    assert report.ok and report.files[0].format == "inventory-jsonl"
    assert [f["host"] for f in sqlite_service.findings("kaspersky")] == ["ws-1"]


def test_truncated_xz_keeps_what_was_read_and_says_so(sqlite_service: Service, tmp_path: Path) -> None:
    data = lzma.compress(LINE * 5000, preset=0)
    path = tmp_path / "cut.jsonl.xz"
    path.write_bytes(data[: len(data) - 40])
    report = sqlite_service.ingest([path], Hints())
    (message,) = report.files[0].messages()
    assert "truncated or corrupt data" in message


def test_xz_decoder_memory_is_limited(tmp_path: Path) -> None:
    path = tmp_path / "big-dict.xz"
    path.write_bytes(lzma.compress(b"x", filters=[{"id": lzma.FILTER_LZMA2, "dict_size": XZ_MEMLIMIT * 2}]))
    try:
        with open_binary(path) as stream:
            stream.read()
        raised = None
    except lzma.LZMAError as exc:
        raised = exc
    assert raised is not None and "limit" in str(raised).lower()
