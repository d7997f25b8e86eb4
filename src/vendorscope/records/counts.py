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
    searched: int = 0  # documents in the archive the vendor search ran over (0: no archive ingested)
    found: int = 0  # candidate families the vendor search found since the request's start date
    not_examined: int = 0  # documents and files that could not be read: their content is unknown


@dataclass(frozen=True)
class ProductionSummary:
    """What a document production wrote: counts and the files, for the report and the manifest."""

    documents: int
    folder: Path
    description: str
    files: tuple[Path, ...] = field(default_factory=tuple)
    listing: tuple[dict[str, str], ...] = ()  # produced documents: bates, date, custodian, subject
