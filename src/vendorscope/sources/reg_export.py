"""``.reg`` text exports of registry keys (regedit / ``reg export``), UTF-16 LE with BOM or UTF-8."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.collect.regtree import decode_reg, is_reg_export, parse_reg
from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.reader import read_bounded
from vendorscope.sources.windows_hive import registry_observation

METHOD = "registry-export"
MAX_EXPORT = 256 * 1024 * 1024


class RegExport:
    name = "reg-export"
    description = "Windows registry export (.reg text)"

    def identify(self, filename: str, head: bytes) -> bool:
        return is_reg_export(head)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        root, problems = parse_reg(decode_reg(read_bounded(stream, filename, MAX_EXPORT)))
        for line, message in problems:
            yield Problem(line, message)
        yield from registry_observation(root, hints, METHOD, filename)


FORMAT = RegExport()
