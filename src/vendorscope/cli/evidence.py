"""``ingest`` and ``rematch``: evidence in, findings brought up to date."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import error, errors, say

if TYPE_CHECKING:
    from rich.progress import Progress

    from vendorscope.ingest import IngestReport

MAX_PROBLEM_LINES = 10


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(rematch)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive); .gz read transparently.")],
    host: Annotated[str, typer.Option(help="Host for files that do not name one (osqueryi output, an SBOM).")] = "",
    org: Annotated[str, typer.Option(help="Organization the files belong to (an SBOM's owner).")] = "",
    map: Annotated[
        str, typer.Option("--map", help="Read CSV through a column mapping: name=DisplayName,publisher=…,host=…")
    ] = "",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    follow_links: Annotated[
        bool, typer.Option("--follow-links", help="Read symbolic links that lead out of the folders given.")
    ] = False,
) -> None:
    """Ingest inventories, SBOMs and network logs; the format of each file is detected. Same file twice: no change."""
    from vendorscope.sources.base import Hints

    hints = Hints(host=host, org=org, mapping=_mapping(map), follow_links=follow_links)
    total = sum(p.stat().st_size for p in _files(paths))
    with _progress(quiet) as progress:
        task = progress.add_task("ingest", total=total or None)
        report = service().ingest(paths, hints, lambda path, size: progress.advance(task, size))
    _print_ingest(report)
    if not report.ok:
        raise typer.Exit(2)


def _mapping(text: str) -> tuple[tuple[str, str], ...]:
    from vendorscope.sources.mapped_csv import MappingError, parse_mapping

    try:
        return parse_mapping(text) if text else ()
    except MappingError as exc:
        raise typer.BadParameter(str(exc).removeprefix("--map: "), param_hint="--map") from exc


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
    return files


def _progress(quiet: bool) -> "Progress":
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=quiet or not errors.is_terminal,
        transient=True,
    )


def _print_ingest(report: "IngestReport") -> None:
    for result in report.files:
        lines = result.messages()
        for line in lines[:MAX_PROBLEM_LINES]:
            error(line)
        if len(lines) > MAX_PROBLEM_LINES:
            error(f"{result.path}: … and {len(lines) - MAX_PROBLEM_LINES} more problems")
    say(
        f"{report.count('ingested')} files ingested ({report.items:,} items), "
        f"{report.count('duplicate')} already in the store, {report.count('failed')} failed"
    )


def rematch() -> None:
    """Re-evaluate every title against the current catalogs (no re-ingest)."""
    result = service().rematch()
    say(
        f"{result['titles']:,} titles re-matched, {result['attributed']:,} attributed; findings: "
        f"{result['new_findings']} new, {result['updated_findings']} updated, "
        f"{result['withdrawn_findings']} withdrawn"
    )
