"""The report as PDF (WeasyPrint, from the same HTML) and as a workbook (openpyxl, one sheet per item)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from vendorscope.errors import VendorscopeError
from vendorscope.respond import plain
from vendorscope.respond.answer import CONTRACTORS_COLUMNS, COVERAGE_COLUMNS, PURCHASES_COLUMNS, SYSTEMS_COLUMNS, Answer
from vendorscope.respond.cells import DATE_COLUMNS, NUMBER_COLUMNS, TIME_COLUMNS, parse_time
from vendorscope.respond.summary import COUNT_LABELS
from vendorscope.safe_csv import safe_cell

DOCUMENT_LISTING_COLUMNS = ("bates", "date", "custodian", "subject")

MAX_COLUMN_WIDTH = 60
PDF_VARIANT = "pdf/ua-1"
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
    # PDF/UA-1: a tagged PDF (structure tree, document language, alt text on figures), as Section 508 expects of
    # federal documents; screen readers follow the tags, and tables keep their header cells.
    HTML(string=html).write_pdf(path, pdf_variant=PDF_VARIANT)


def write_xlsx(
    answer: Answer, path: Path, generated_at: datetime, documents_line: str, listing: Sequence[dict[str, str]] = ()
) -> None:
    """One sheet per item asked, then coverage and risk; streamed (write-only) so big fleets stay fast.

    Every sheet has a frozen header row and an autofilter; numbers are numbers and times are dates (UTC,
    said in the header), so sorting and filtering in Excel work; a risk's score sits beside its label.
    """
    workbook = Workbook(write_only=True)
    request = answer.request
    summary = [
        ("request", request.id),
        ("requester", request.requester),
        ("received", request.received),
        ("due", request.due),
        ("vendor", answer.catalog.vendor.name),
        ("generated", generated_at),
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
        _sheet(workbook, "systems", _with_risk_score(SYSTEMS_COLUMNS), [_split_risk(r) for r in answer.systems])
    if request.asks("contractors"):
        _sheet(workbook, "contractors", CONTRACTORS_COLUMNS, answer.contractors)
        _sheet(workbook, "purchases", PURCHASES_COLUMNS, answer.purchases)
    if request.asks("documents"):
        since = request.documents.since if request.documents else None
        rows = [
            {
                "what": "the answer",
                "value": plain.documents_paragraph(answer.catalog.vendor.name, answer.summary.counts, since),
            }
        ]
        rows += [{"what": COUNT_LABELS[n], "value": counts[n]} for n in COUNT_LABELS if n.startswith("documents_")]
        _sheet(workbook, "documents", ("what", "value"), [*rows, {"what": "the production", "value": documents_line}])
        if listing:
            _sheet(workbook, "produced documents", DOCUMENT_LISTING_COLUMNS, list(listing))
    _sheet(workbook, "coverage", COVERAGE_COLUMNS, answer.coverage)
    risks = [
        {
            "product": p.product,
            "hosts": p.hosts,
            "worst risk": p.risk.level,
            "risk score": p.risk.score,
            "findings high": p.levels.get("high", 0),
            "findings medium": p.levels.get("medium", 0),
            "findings low": p.levels.get("low", 0),
            "why": p.risk.because,
        }
        for p in answer.product_risks
    ]
    columns = ("product", "hosts", "worst risk", "risk score", "findings high", "findings medium", "findings low")
    _sheet(workbook, "risk", (*columns, "why"), risks)
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


RISK_TEXT = re.compile(r"^(?P<level>[a-z]+) \((?P<score>\d+)\)$")
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"


def _with_risk_score(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The numeric score right after the risk label, so the column sorts by risk."""
    at = columns.index("risk") + 1 if "risk" in columns else len(columns)
    return (*columns[:at], "risk_score", *columns[at:])


def _split_risk(row: dict[str, Any]) -> dict[str, Any]:
    """ "medium (30)" → risk "medium", risk_score 30."""
    found = RISK_TEXT.match(str(row.get("risk") or ""))
    if not found:
        return row | {"risk_score": None}
    return row | {"risk": found["level"], "risk_score": int(found["score"])}


def _header(column: str) -> str:
    return f"{column} (UTC)" if column in TIME_COLUMNS else column


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        width = max([len(_header(column)), *(len(str(r.get(column) or "")) for r in rows[:500])])
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=_header(column))
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, c, row.get(c)) for c in columns])


def _cell(sheet: Any, column: str, value: Any) -> Any:
    """A typed cell: dates and times as dates, numbers as numbers, text as text (never a formula)."""
    if value is None or value == "":
        return None
    typed = _typed(column, value)
    if isinstance(typed, datetime | date):
        cell = WriteOnlyCell(sheet, value=typed)
        cell.number_format = TIME_FORMAT if isinstance(typed, datetime) else DATE_FORMAT
        return cell
    if isinstance(typed, float):
        cell = WriteOnlyCell(sheet, value=typed)
        cell.number_format = "0.00"
        return cell
    if isinstance(typed, str):
        text = safe_cell(typed)  # the same formula-safe text as the CSVs
        if not text.startswith("=") and text not in ERROR_CODES:
            return text  # openpyxl stores it as text; a plain value is far cheaper than a cell per value
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # stored as text, never run as a formula nor read as an error code
        return cell
    return typed


def _typed(column: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date | int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    if column in NUMBER_COLUMNS:
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
    if column in TIME_COLUMNS | DATE_COLUMNS:
        return parse_time(text) or text
    return text
