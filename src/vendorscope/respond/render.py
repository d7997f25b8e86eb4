"""The report as PDF (WeasyPrint, from the same HTML) and as a workbook (openpyxl, one sheet per item)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from vendorscope.errors import VendorscopeError
from vendorscope.respond.answer import CONTRACTORS_COLUMNS, COVERAGE_COLUMNS, PURCHASES_COLUMNS, SYSTEMS_COLUMNS, Answer
from vendorscope.respond.summary import COUNT_LABELS
from vendorscope.safe_csv import safe_cell

DOCUMENT_LISTING_COLUMNS = ("bates", "date", "custodian", "subject")

MAX_COLUMN_WIDTH = 60
BOLD = Font(bold=True)


class RenderError(VendorscopeError):
    """The PDF cannot be rendered on this machine (missing system libraries)."""


def write_pdf(html: str, path: Path) -> None:
    try:
        from weasyprint import HTML
    except OSError as exc:  # pango/harfbuzz missing: WeasyPrint cannot load
        raise RenderError(
            f"cannot render report.pdf: WeasyPrint needs Pango (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0): {exc}"
        ) from exc
    HTML(string=html).write_pdf(path)


def write_xlsx(
    answer: Answer, path: Path, generated_at: datetime, documents_line: str, listing: Sequence[dict[str, str]] = ()
) -> None:
    """One sheet per item asked, then coverage and risk; streamed (write-only) so big fleets stay fast."""
    workbook = Workbook(write_only=True)
    request = answer.request
    summary = [
        ("request", request.id),
        ("requester", request.requester),
        ("received", request.received.isoformat()),
        ("due", request.due.isoformat() if request.due else ""),
        ("vendor", answer.catalog.vendor.name),
        *(("note", note) for note in answer.notes),
    ]
    _sheet(workbook, "request", ("field", "value"), [{"field": k, "value": v} for k, v in summary])
    counts = answer.summary.counts.as_dict()
    _sheet(
        workbook,
        "counts",
        ("count", "value", "meaning"),
        [{"count": name, "value": counts[name], "meaning": label} for name, label in COUNT_LABELS.items()],
    )
    if request.asks("systems"):
        _sheet(workbook, "systems", SYSTEMS_COLUMNS, answer.systems)
    if request.asks("contractors"):
        _sheet(workbook, "contractors", CONTRACTORS_COLUMNS, answer.contractors)
        _sheet(workbook, "purchases", PURCHASES_COLUMNS, answer.purchases)
    if request.asks("documents"):
        _sheet(workbook, "documents", ("production",), [{"production": documents_line}])
        if listing:
            _sheet(workbook, "produced documents", DOCUMENT_LISTING_COLUMNS, list(listing))
    _sheet(workbook, "coverage", COVERAGE_COLUMNS, answer.coverage)
    risks = [
        {"product": p.product, "hosts": p.hosts, "worst risk": p.risk.text, "why": p.risk.because}
        for p in answer.product_risks
    ]
    _sheet(workbook, "risk", ("product", "hosts", "worst risk", "why"), risks)
    workbook.properties.creator = "vendorscope"
    workbook.properties.created = generated_at
    _save_reproducibly(workbook, path, generated_at)


def _save_reproducibly(workbook: Workbook, path: Path, when: datetime) -> None:
    """Save as ``workbook.save`` would, but stamped ``when`` throughout: openpyxl stamps the document's
    "modified" property and every zip member with the clock, so two builds of one answer differed."""
    workbook.properties.modified = when
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    stamp = max(when, datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(buffer) as built, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in built.infolist():
            out.writestr(
                zipfile.ZipInfo(info.filename, date_time=stamp), built.read(info.filename), zipfile.ZIP_DEFLATED
            )


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        width = max([len(column), *(len(str(r.get(column) or "")) for r in rows[:500])])
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, row.get(c)) for c in columns])


def _cell(sheet: Any, value: Any) -> Any:
    """The same formula-safe text as the CSVs; and text is stored as text, never as a formula."""
    value = safe_cell(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
