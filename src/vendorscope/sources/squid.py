"""Squid access logs in the native format.

    1732867201.123    150 10.0.0.5 TCP_TUNNEL/200 3900 CONNECT dc1.ksn.kaspersky-labs.com:443 - HIER_DIRECT/1.2.3.4 -

The client asked the proxy for the URL's host (a CONNECT names ``host:port``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO
from urllib.parse import urlsplit

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.netlog import Contacts, candidate_lines, decode, epoch

_LINE = re.compile(rb"^\d{9,11}\.\d{3}\s+-?\d+\s+\S+\s+[A-Z_]+/\d{3}\s+\d+\s+[A-Z_]+\s+\S+")


class Squid:
    name = "squid"
    description = "Squid access log (native format)"

    def identify(self, filename: str, head: bytes) -> bool:
        return any(_LINE.match(line) for line in head.splitlines()[:5])

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        contacts = Contacts(hints)
        for number, raw in candidate_lines(stream, contacts.needles()):
            if raw.startswith(b"#") or not raw.strip():
                continue
            cells = raw.split()
            if len(cells) < 7 or not _LINE.match(raw):
                yield Problem(number, f"not a Squid access-log line ({len(cells)} fields); skipped")
                continue
            host = _host(decode(cells[6]), decode(cells[5]))
            if host:
                contacts.add(decode(cells[2]), host, "", epoch(cells[0]), number)
        yield from contacts.records()


def _host(url: str, method: str) -> str:
    if method == "CONNECT" or "://" not in url:
        return url.rsplit(":", 1)[0] if url.count(":") == 1 else url.strip("[]")
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


FORMAT = Squid()
