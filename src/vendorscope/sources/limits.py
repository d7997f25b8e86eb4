"""How much one input may hold: decompressed bytes and items, per file (``ingest``) and per agent push.

A few MiB of gzip can hold GiBs of JSON Lines, and a small push can name 300,000 distinct titles; both once
grew the server by GiBs. Every input is read through a counting stream and its items are counted as they
are parsed; past either bound the input is refused whole (nothing of it written) with one line, and the
rest of the batch goes on. The defaults suit real inventories with room to spare; each can be set in the
environment (bytes or items, a plain integer; docs/security.md lists them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1024 * 1024


def _env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip().replace("_", "")
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one input: ``max_bytes`` once decompressed, ``max_items`` software items (+ network contacts)."""

    max_bytes: int
    max_items: int

    def bytes_message(self) -> str:
        return f"larger than {_size(self.max_bytes)} once decompressed; refused (limit: {self.max_bytes} bytes)"

    def items_message(self) -> str:
        return f"more than {self.max_items} items; refused whole (limit: {self.max_items} items)"


def file_limits() -> Limits:
    """A file given to ``ingest``: VENDORSCOPE_MAX_FILE_BYTES (4 GiB), VENDORSCOPE_MAX_FILE_ITEMS (20 million)."""
    return Limits(_env("VENDORSCOPE_MAX_FILE_BYTES", 4096 * MIB), _env("VENDORSCOPE_MAX_FILE_ITEMS", 20_000_000))


def push_limits() -> Limits:
    """One agent push: VENDORSCOPE_MAX_PUSH_BYTES (32 MiB decompressed), VENDORSCOPE_MAX_PUSH_ITEMS (100,000)."""
    return Limits(_env("VENDORSCOPE_MAX_PUSH_BYTES", 32 * MIB), _env("VENDORSCOPE_MAX_PUSH_ITEMS", 100_000))


def _size(value: int) -> str:
    return f"{value // MIB} MiB" if value >= MIB else f"{value} bytes"
