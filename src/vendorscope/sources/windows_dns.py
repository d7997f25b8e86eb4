"""Windows DNS Server debug logs (``dns.log`` with packet logging on).

    11/29/2026 8:00:01 AM 0E4C PACKET  000001D2B5E0A1A0 UDP Rcv 10.0.0.5  a1b2   Q [0001   D   NOERROR] A
        (3)dc1(3)ksn(14)kaspersky-labs(3)com(0)      [one line in the log]

Only received queries (``Rcv``, no ``R`` flag) count: the client asked for the
name. Names are written as length-prefixed labels. Times are the server's local
time in its locale's format; a time that does not parse dates the line by the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.netlog import Contacts, candidate_lines, decode

_PACKET = re.compile(
    r"^(?P<when>.+?)\s+[0-9A-Fa-f]{3,8} PACKET\s+[0-9A-Fa-f]+ (?:UDP|TCP) (?P<dir>Rcv|Snd) (?P<client>\S+)\s+"
    r"[0-9A-Fa-f]{1,4} (?P<resp>[ R]) \S \[[^\]]*\]\s+\S+\s+(?P<name>\S+)"
)
_LABEL = re.compile(r"\(\d+\)")
_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S")


class WindowsDns:
    name = "windows-dns"
    description = "Windows DNS Server debug log"

    def identify(self, filename: str, head: bytes) -> bool:
        return b"DNS Server log file" in head or any(_PACKET.match(decode(ln)) for ln in head.splitlines()[:50])

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        contacts = Contacts(hints)
        for number, raw in candidate_lines(stream, contacts.needles()):
            if b" PACKET " not in raw:
                continue
            found = _PACKET.match(decode(raw))
            if found is None:
                yield Problem(number, "a PACKET line in an unexpected layout; skipped")
                continue
            if found["dir"] != "Rcv" or found["resp"] == "R":
                continue
            name = _LABEL.sub(".", found["name"]).strip(".")
            contacts.add(found["client"], name, "", _when(found["when"]), number)
        yield from contacts.records()


def _when(text: str) -> datetime | None:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


FORMAT = WindowsDns()
