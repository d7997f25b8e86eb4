"""Microsoft Intune discovered-apps exports (CSV).

The per-device export (``DeviceName``, ``ApplicationName``, ``ApplicationPublisher``…)
names the machine on each row. The tenant-wide report (``Application Name``,
``Publisher``, ``Version``, ``Device count``) names none: its rows belong to the
host ``--host`` names, else to one pseudo-host for the report, so that a finding
still says "somewhere in this tenant" and which file said so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.sources.asset_csv import header_of, pick, read_mapped
from vendorscope.sources.base import Hints, Record
from vendorscope.sources.reader import peek

METHOD = "intune"


def _columns(header: list[str]) -> dict[str, str]:
    found = {
        "host": pick(header, "Device name", "DeviceName", "Device"),
        "name": pick(header, "Application Name", "ApplicationName", "App name", "Application"),
        "publisher": pick(header, "Publisher", "ApplicationPublisher", "Application publisher"),
        "version": pick(header, "Version", "ApplicationVersion", "Application version", "ApplicationShortVersion"),
        "identifier": pick(header, "ApplicationId", "Application ID", "App ID", "ApplicationKey"),
    }
    return {k: v for k, v in found.items() if v}


class Intune:
    name = "intune"
    description = "Microsoft Intune discovered apps (CSV export)"

    def identify(self, filename: str, head: bytes) -> bool:
        header = header_of(head)
        columns = _columns(header)
        intune_only = pick(header, "Device count", "DeviceCount", "DeviceId", "Device ID", "Platform")
        return "name" in columns and "publisher" in columns and bool("host" in columns or intune_only)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
        columns = _columns(header_of(peek(stream)))
        yield from read_mapped(stream, columns, METHOD, hints, default_host=f"intune-report:{stem}")


FORMAT = Intune()
