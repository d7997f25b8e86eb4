"""The manifest's counts, counted again from the package's own files (what `verify` compares).

The meanings are those of respond/summary.py. Only counts the files can tell are recounted; the others
(findings open and closed — closed ones are no longer in systems.csv —, overdue work, unreviewed documents)
depend on the store and are left to the certification of the process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vendorscope.records.loadfile import check_dat

Rows = list[dict[str, str]]
INSTALLED_KINDS = ("branded", "embedded")
NOT_EXAMINED = "not examined"
COVERED_SUPPLIER = "covered supplier"


def recount(folder: Path, csv_rows: Callable[[Path], Rows | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    coverage, systems = csv_rows(folder / "coverage.csv"), csv_rows(folder / "systems.csv")
    if coverage is not None:
        not_examined = sum(1 for r in coverage if r.get("examined_by") == NOT_EXAMINED)
        counts |= {
            "hosts_known": len(coverage),
            "hosts_not_examined": not_examined,
            "hosts_examined": len(coverage) - not_examined,
        }
    if systems is not None:
        counts |= _systems_counts(systems)
    purchases, contractors = csv_rows(folder / "purchases.csv"), csv_rows(folder / "contractors.csv")
    if purchases is not None:
        counts["purchases_flagged"] = len(purchases)
    if contractors is not None:
        counts["contractors"] = sum(1 for r in contractors if r.get("kind") != COVERED_SUPPLIER)
    counts |= _documents_counts(folder, csv_rows)
    return counts


def _systems_counts(systems: Rows) -> dict[str, int]:
    affected = {r["host"] for r in systems if r.get("host")}
    installed = {r["host"] for r in systems if r.get("host") and r.get("kind") in INSTALLED_KINDS}
    return {
        "hosts_affected": len(affected),
        "hosts_affected_installed": len(installed),
        "hosts_affected_network_only": len(affected - installed),
    }


def _documents_counts(folder: Path, csv_rows: Callable[[Path], Rows | None]) -> dict[str, int]:
    documents = folder / "documents"
    produced, withheld = 0, 0
    if not documents.is_dir():
        return {"documents_produced": 0, "documents_withheld": 0}
    for dat in sorted(documents.rglob("*.dat")):
        try:
            produced += check_dat(dat)
        except ValueError:
            return {}  # verify reports the load file itself
    for log in sorted(documents.rglob("privilege_log.csv")):
        withheld += len(csv_rows(log) or [])
    return {"documents_produced": produced, "documents_withheld": withheld}
