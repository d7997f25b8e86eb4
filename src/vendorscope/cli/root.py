"""Command line: parse, call the service, print. User mistakes become one line, never a traceback.

The root app holds the global options (``--db``, ``--catalog``, ``--version``) and wires in one module per
area of commands; each takes the service from the Typer context (``cli.context``) and prints through
``cli.output``.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from vendorscope import __version__
from vendorscope.cli import answers, catalog, collect, demo, evidence, integrity, orgs, records, respond, server
from vendorscope.cli.context import Session, begin, creates_store
from vendorscope.cli.output import error, note, say
from vendorscope.cli.params import PlainValuesGroup, convert_plainly
from vendorscope.config import Settings
from vendorscope.errors import VendorscopeError

app = typer.Typer(
    cls=PlainValuesGroup,  # strings, flags, paths and choices converted without pydantic (cli/params.py)
    help="Find a vendor of concern in your organization and answer for it with evidence.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        say(f"vendorscope {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store URL or SQLite path [env VENDORSCOPE_DB; default ./vendorscope.db]"),
    ] = None,
    catalog: Annotated[
        list[Path] | None,
        typer.Option("--catalog", help="Extra catalog YAML (repeatable).", exists=True, dir_okay=False, readable=True),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    session = Session(Settings.load(db=db, catalogs=catalog), create=creates_store(ctx.invoked_subcommand))
    ctx.obj = session
    begin(session)
    ctx.call_on_close(lambda: _close(session))


def _close(session: Session) -> None:
    """Close the store; a reading command's output ends by naming the store it read (on stderr, so JSON and
    CSV on stdout stay clean)."""
    where = session.store_read()
    session.close()
    failed = sys.exc_info()[1]  # set while the command's error unwinds: then the error is the last word
    if where and (failed is None or getattr(failed, "exit_code", 1) == 0):
        note(f"store: {where}")


for area in (evidence, collect, answers, catalog, respond, integrity, records, demo, orgs, server):
    area.register(app)
convert_plainly(app)


def main() -> None:
    """Entry point: Typer handles usage errors; our own errors become one line and an exit code."""
    try:
        app()
    except VendorscopeError as exc:
        for line in str(exc).splitlines() or [""]:  # a request file's problems: one line each
            error(line)
        sys.exit(exc.exit_code)
