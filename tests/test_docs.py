"""Docs checked by tests (as datasette does): every command and option is documented, every input format in
docs/formats.md has a small sample under tests/data/formats/<name>/ that is detected as that format and no
other. Adding a format = a module, a registration, a doc line and a sample; these tests name what is missing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from vendorscope import sources
from vendorscope.cli import app
from vendorscope.sources.base import Hints
from vendorscope.sources.mapped_csv import parse_mapping
from vendorscope.sources.reader import read_head

ROOT = Path(__file__).resolve().parents[1]
DOCS = {path: path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
SAMPLES = ROOT / "tests" / "data" / "formats"


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command of the CLI as (``"records ingest"``, command), groups included. (Typer bundles its own
    click, so commands and options are recognized by their attributes, not by click's classes.)"""
    if path:
        yield " ".join(path), command
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, (*path, name))


COMMANDS = dict(commands(typer.main.get_command(app)))


def documenting(name: str) -> list[str]:
    """The docs that name the command: ``vendorscope NAME`` or `` `NAME`` in backticks."""
    pattern = re.compile(rf"vendorscope(?: --?[\w-]+(?: \S+)?)* {re.escape(name)}\b|`{re.escape(name)}\b")
    return [text for text in DOCS.values() if pattern.search(text)]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented(name: str) -> None:
    assert documenting(name), f"`vendorscope {name}` appears in none of README.md, docs/*.md"


@pytest.mark.parametrize(
    ("name", "option"),
    sorted(
        (name, option)
        for name, command in [("", typer.main.get_command(app)), *COMMANDS.items()]
        for param in command.params
        if param.param_type_name == "option"
        for option in param.opts
        if option.startswith("--") and option != "--help"
    ),
)
def test_every_option_is_documented_with_its_command(name: str, option: str) -> None:
    texts = documenting(name) if name else list(DOCS.values())
    assert any(option in text for text in texts), f"`vendorscope {name} {option}` is not in the docs naming it"


def documented_formats() -> list[str]:
    """The format ids of the first table of docs/formats.md (first column, in backticks)."""
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    table = text.split("| format id |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.MULTILINE)


def test_the_formats_doc_lists_every_registered_format() -> None:
    assert sorted(documented_formats()) == sorted(fmt.name for fmt in sources.FORMATS)


def samples(name: str) -> list[Path]:
    return sorted(p for p in (SAMPLES / name).glob("*") if p.is_file() and p.name != "hints.json")


def hints(name: str) -> Hints:
    """Hints for a sample that needs them (``mapped-csv``: the --map option), from its folder's hints.json."""
    path = SAMPLES / name / "hints.json"
    if not path.exists():
        return Hints()
    given = json.loads(path.read_text(encoding="utf-8"))
    return Hints(host=given.get("host", ""), mapping=parse_mapping(given.get("mapping", "")))


@pytest.mark.parametrize("name", documented_formats())
def test_every_documented_format_has_a_sample_detected_as_it_and_no_other(name: str) -> None:
    files = samples(name)
    assert files, f"no sample under tests/data/formats/{name}/"
    for path in files:
        head = read_head(path)
        found = sources.detect(path.name, head, hints(name))
        assert found is not None and found.name == name, f"{path.name}: detected as {found and found.name}"
        others = [
            fmt.name
            for fmt in sources.FORMATS
            if fmt.name not in (name, "mapped-csv") and fmt.identify(path.name, head)
        ]
        assert others == [], f"{path.name} ({name}) is also claimed by {others}"


def test_every_sample_folder_is_a_documented_format() -> None:
    assert sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()) == sorted(documented_formats())
