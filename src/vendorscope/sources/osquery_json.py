"""``osqueryi --json`` output: a JSON array of rows of one software table.

The output has no host, so it comes from a ``hostname``/``host`` column (e.g.
``SELECT p.*, s.hostname FROM programs p, system_info s``), else from the file
name ``HOST__TABLE.json``, else from ``ingest --host``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import orjson

from vendorscope.errors import InputError
from vendorscope.sources.base import Hints, Observation, Problem, Record
from vendorscope.sources.osquery_tables import converter_once, source_of, table_from_columns, table_from_name
from vendorscope.sources.reader import read_bounded

METHOD = "osquery"


def host_and_table_from_filename(filename: str) -> tuple[str, str]:
    stem = Path(filename).name
    for suffix in (".gz", ".json"):
        stem = stem.removesuffix(suffix)
    if "__" in stem:
        host, table = stem.rsplit("__", 1)
        return host, table
    return "", stem


class OsqueryJson:
    name = "osquery-json"
    description = "osqueryi --json output (array of rows)"

    def context(self, filename: str, hints: Hints) -> str:
        """The host named by the file name is part of what the file says."""
        host, _table = host_and_table_from_filename(filename)
        return f"file-host={host}" if host else ""

    def identify(self, filename: str, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith(b"["):
            return False
        body = text[1:].lstrip()
        if b'"mac_vendors"' in text[:8192] and b'"macs"' in text[:8192]:
            return False  # a runZero asset export (runzero.py), not an osquery table
        return body.startswith(b"{") or body.startswith(b"]")

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        try:
            rows = orjson.loads(read_bounded(stream, filename))
        except InputError as exc:
            yield Problem(0, str(exc).split(": ", 1)[-1])
            return
        except orjson.JSONDecodeError as exc:
            yield Problem(exc.lineno, f"not valid JSON ({exc.msg})")
            return
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            yield Problem(1, "expected a JSON array of objects")
            return
        if not rows:
            return
        file_host, file_table = host_and_table_from_filename(filename)
        table = table_from_name(file_table) or table_from_columns(rows[0].keys())
        if table is None:
            yield Problem(1, "not a software table vendorscope knows (see docs/formats.md)")
            return
        convert = converter_once(table)
        assert convert is not None, table
        by_host: dict[str, Observation] = {}
        for number, row in enumerate(rows, start=1):
            row_host = str(row.get("hostname") or row.get("host") or hints.host or file_host).strip()
            if not row_host:
                yield Problem(number, "no host: add a hostname column, name the file HOST__TABLE.json, or use --host")
                return
            item = convert(row)
            if not item.name:
                continue
            if row_host not in by_host:
                by_host[row_host] = Observation(
                    host=row_host, method=METHOD, line=number, complete_sources=(source_of(table),)
                )
            by_host[row_host].items.append(item)
        yield from by_host.values()


FORMAT = OsqueryJson()
