"""Property tests of every parser: any bytes give records or one-line problems, never an uncaught exception.

Each input format (``sources.FORMATS``: inventories, osquery, SBOMs, registry files, network logs, registry
CSVs), the request YAML and each document type of ``records/extract`` is fed mutations of a valid seed
(``tests/data/fuzz-corpus/seeds``) and arbitrary bytes. ``make test`` runs a small, derandomized budget
(the "ci" profile); ``make fuzz`` a large random one (``HYPOTHESIS_PROFILE=fuzz``). Inputs that once crashed
a parser are kept in ``tests/data/fuzz-corpus/crashers/<format>/`` and replayed here.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import records_corpus as corpus
from vendorscope import sources
from vendorscope.errors import InputError
from vendorscope.records.extract import extract
from vendorscope.records.model import Limits as DocLimits
from vendorscope.respond.request import load_request
from vendorscope.sources.base import Hints, Problem
from vendorscope.sources.limits import Limits
from vendorscope.sources.read_ahead import read_records

CORPUS = Path(__file__).parent / "data" / "fuzz-corpus"
SEEDS = {path.stem: path.read_bytes() for path in sorted((CORPUS / "seeds").glob("*.seed"))}
FORMAT_NAMES = sorted(f.name for f in sources.FORMATS if f.name != "mapped-csv")
HINTS = Hints(host="fuzz-host", limits=Limits(4 * 1024 * 1024, 100_000))

settings.register_profile(
    "ci", max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1500")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _apply(seed: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    data = bytearray(seed)
    for kind, where, chunk in edits:
        at = where % (len(data) + 1)
        if kind == 0:
            data[at:at] = chunk  # insert
        elif kind == 1:
            del data[at : at + max(1, len(chunk))]  # delete
        elif kind == 2:
            data[at : at + len(chunk)] = chunk  # overwrite
        elif kind == 3:
            del data[at:]  # truncate
        else:
            data[at:at] = data[at : at + 64] * (1 + len(chunk))  # repeat a run
    return bytes(data)


def mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    edit = st.tuples(st.integers(0, 4), st.integers(0, max(len(seed), 1)), st.binary(max_size=12))
    return st.lists(edit, max_size=6).map(lambda edits: _apply(seed, edits))


def _parse(format_name: str, data: bytes) -> list[object]:
    """Every record of ``data`` read as ``format_name``; the test fails on any exception."""
    records = list(read_records(format_name, f"fuzz.{format_name}", HINTS, opener=lambda: io.BytesIO(data)))
    for record in records:
        if isinstance(record, Problem):
            assert isinstance(record.message, str) and "\n" not in record.message, record.message
    return records


def test_every_format_has_a_seed() -> None:
    assert set(FORMAT_NAMES) <= set(SEEDS)
    for name in FORMAT_NAMES:
        if name == "windows-hive":
            continue  # a readable hive is MiBs; the seed is the head of a corrupt one (its error paths)
        assert any(not isinstance(r, Problem) for r in _parse(name, SEEDS[name])), f"{name}: the seed reads nothing"


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_mutated_inputs_never_raise(format_name: str) -> None:
    @given(mutations(SEEDS[format_name]))
    def check(data: bytes) -> None:
        _parse(format_name, data)
        sources.detect("fuzz", data[:65536], HINTS)

    check()


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_arbitrary_bytes_never_raise(format_name: str) -> None:
    @given(st.binary(max_size=2048))
    def check(data: bytes) -> None:
        _parse(format_name, data)

    check()


def _crashers() -> list[tuple[str, Path]]:
    return [(p.parent.name, p) for p in sorted((CORPUS / "crashers").glob("*/*")) if p.is_file()]


@pytest.mark.parametrize(("format_name", "path"), _crashers(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_former_crashers_stay_fixed(format_name: str, path: Path) -> None:
    data = path.read_bytes()
    if format_name == "request-yaml":
        _load_request_text(path.parent, data)
    elif format_name.startswith("document-"):
        _extract(data, format_name.removeprefix("document-"))
    else:
        _parse(format_name, data)


# -- request YAML --------------------------------------------------------------------------------------

REQUEST_SEED = (Path(__file__).parent.parent / "src" / "vendorscope" / "demo" / "request.yaml").read_bytes()


def _load_request_text(folder: Path, data: bytes) -> None:
    path = folder / "request.yaml" if folder.name == "fuzz" else Path(os.environ.get("TMPDIR", "/tmp")) / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_request(path)
    except InputError as exc:
        # A request reports every problem at once: one line each, every line naming the file.
        lines = str(exc).split("\n")
        assert all(line.startswith(f"{path}:") for line in lines), str(exc)


def test_request_yaml_mutations_give_a_request_or_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir()

    @given(st.one_of(mutations(REQUEST_SEED), st.binary(max_size=1024), st.text(max_size=512).map(str.encode)))
    def check(data: bytes) -> None:
        _load_request_text(folder, data)

    check()


# -- documents (records) ---------------------------------------------------------------------------------

DOCUMENTS = {
    "eml": corpus.email_bytes("Kaspersky risk", "Assessment of the product."),
    "pdf": corpus.pdf_bytes("Kaspersky risk assessment"),
    "docx": corpus.docx_bytes("Kaspersky risk assessment"),
    "xlsx": corpus.xlsx_bytes([["product", "risk"], ["Kaspersky", "high"]]),
    "pptx": corpus.pptx_bytes("Kaspersky", "notes"),
    "zip": corpus.zip_bytes({"a.txt": b"Kaspersky memo", "b.html": b"<p>Kaspersky</p>"}),
    "html": b"<html><head><title>Memo</title></head><body><p>Kaspersky <b>risk</b></p><script>x()</script></html>",
    "txt": b"Risk assessment of Kaspersky Endpoint Security, 2017.\n",
    "mbox": corpus.mbox_bytes([corpus.email_bytes("a", "Kaspersky"), corpus.email_bytes("b", "risk")]),
}
DOC_LIMITS = DocLimits(max_document_bytes=1 << 20, max_container_bytes=4 << 20, max_archive_total=4 << 20)


def _extract(data: bytes, extension: str) -> None:
    docs = extract(data, f"fuzz.{extension}", DOC_LIMITS)
    for doc in docs:
        assert "\n" not in (doc.error or ""), doc.error


@pytest.mark.parametrize("extension", sorted(DOCUMENTS))
def test_document_mutations_never_raise(extension: str) -> None:
    @given(mutations(DOCUMENTS[extension]))
    def check(data: bytes) -> None:
        _extract(data, extension)

    check()
