"""What a production of the records holds, as a response reads it: counts and files, before and after writing.

Plain values, defined here with the records (records/provider.py fills them); the response names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DocumentCounts:
    """What a production of the records would hold now (read-only: nothing is written to count it)."""

    produced: int = 0
    withheld: int = 0
    unreviewed: int = 0


@dataclass(frozen=True)
class ProductionSummary:
    """What a document production wrote: counts and the files, for the report and the manifest."""

    documents: int
    folder: Path
    description: str
    files: tuple[Path, ...] = field(default_factory=tuple)
    listing: tuple[dict[str, str], ...] = ()  # produced documents: bates, date, custodian, subject
