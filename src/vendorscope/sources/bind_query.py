"""BIND query logs (``querylog`` / the ``queries`` category), plain or with a syslog prefix.

    29-Nov-2026 08:00:01.123 queries: info: client @0x7f3a 10.0.0.5#53421 (ksn.kaspersky-labs.com):
        query: ksn.kaspersky-labs.com IN A +E(0)K (10.0.0.1)

Older servers write ``client 10.0.0.5#53421: query: NAME IN A +``. A line without
a time is dated by the file (its modification time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.netlog import Contacts, candidate_lines, decode

_QUERY = re.compile(
    r"client (?:@\S+ )?(?P<client>[0-9A-Fa-f.:]+)#\d+(?: \([^)]*\))?: (?:view [^:]+: )?"
    r"query: (?P<name>\S+) (?:IN|CH|HS|ANY) \S+"
)
_TIME = re.compile(r"(\d{1,2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2})(?:\.\d+)?")


class BindQuery:
    name = "bind-query"
    description = "BIND query log"

    def identify(self, filename: str, head: bytes) -> bool:
        lines = head.splitlines()[:20]
        return any(_QUERY.search(decode(line)) for line in lines)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        contacts = Contacts(hints)
        for number, raw in candidate_lines(stream, contacts.needles()):
            if raw.startswith(b"#") or not raw.strip():
                continue
            text = decode(raw)
            found = _QUERY.search(text)
            if found is None:
                if b"query:" in raw:
                    yield Problem(number, "a query line in an unexpected layout; skipped")
                continue
            contacts.add(found["client"], found["name"], "", _when(text), number)
        yield from contacts.records()


def _when(text: str) -> datetime | None:
    found = _TIME.match(text)
    if not found:
        return None
    try:
        return datetime.strptime(found.group(1), "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None


FORMAT = BindQuery()
