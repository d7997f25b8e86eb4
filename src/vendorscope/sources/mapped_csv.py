"""Any CSV, through the user's column mapping: ``--map name=DisplayName,publisher=Publisher,host=Computer``.

Chosen only when ``--map`` is given and the file's header has the mapped columns
(``sources.detect`` asks it first). Fields: host, name, version, publisher,
source (default ``programs``), path, identifier, signer, team_id, sha256,
seen_at, and address (the host's IP addresses, which tie network logs to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.errors import VendorscopeError
from vendorscope.sources.asset_csv import FIELDS, header_of, read_mapped
from vendorscope.sources.base import Hints, Record

METHOD = "mapped-csv"


MAPPABLE = (*FIELDS, "platform")  # platform: an MDM app list's OS column (see sources/mdm_apps.py)


class MappingError(VendorscopeError):
    """A ``--map`` option that does not parse."""


def parse_mapping(text: str) -> tuple[tuple[str, str], ...]:
    """``name=DisplayName,publisher=Publisher`` → (("name", "DisplayName"), ("publisher", "Publisher"))."""
    pairs: list[tuple[str, str]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not column:
            raise MappingError(f"--map: {part.strip()!r} is not FIELD=COLUMN")
        if field not in MAPPABLE:
            raise MappingError(f"--map: unknown field {field!r} (fields: {', '.join(MAPPABLE)})")
        pairs.append((field, column))
    if not {"name", "identifier"} & dict(pairs).keys():
        raise MappingError("--map: the mapping needs name=COLUMN (or identifier=COLUMN for app lists)")
    return tuple(pairs)


class MappedCsv:
    name = "mapped-csv"
    description = "any CSV through --map FIELD=COLUMN,…"

    def identify(self, filename: str, head: bytes) -> bool:
        return False  # never guessed: only chosen with a mapping (see accepts)

    def accepts(self, head: bytes, mapping: tuple[tuple[str, str], ...]) -> bool:
        header = header_of(head)
        fields = dict(mapping)
        return "name" in fields and all(column in header for _, column in mapping)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        yield from read_mapped(stream, dict(hints.mapping), METHOD, hints)


FORMAT = MappedCsv()
