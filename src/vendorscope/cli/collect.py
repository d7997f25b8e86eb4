"""``vendorscope collect``: examine this machine (or a mounted image) and write an evidence bundle."""

from pathlib import Path
from typing import Annotated

import typer

from vendorscope.cli.output import say
from vendorscope.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)


def collect(
    out_file: Annotated[Path | None, typer.Option("--out", help="Bundle to write [default HOST-TIME.json.gz].")] = None,
    root: Annotated[Path, typer.Option(help="Examine a mounted disk image or chroot instead of this system.")] = Path(
        "/"
    ),
    windows_root: Annotated[
        Path | None, typer.Option(help="A mounted Windows volume (C:\\ of another machine).")
    ] = None,
    scan: Annotated[list[Path] | None, typer.Option(help="Folder to walk for signed PE files (repeatable).")] = None,
    host: Annotated[str, typer.Option(help="Host name to record instead of the discovered one.")] = "",
) -> None:
    """Collect host facts and software on this machine, offline; write one bundle for `ingest`."""
    import socket

    from vendorscope.collect.collector import Request, write
    from vendorscope.collect.collector import collect as collect_host

    for folder in [root, *([windows_root] if windows_root else []), *(scan or [])]:
        if not folder.is_dir():
            raise InputError(str(folder), "not a folder")
    request = Request(root=root, windows_root=windows_root, scan=list(scan or []), host=host)
    target = out_file or Path(f"{host or socket.gethostname()}.vendorscope.json.gz")
    doc = collect_host(request)  # straight to the collector: no store, no catalogs on the examined host
    write(doc, target)
    read = [s for s in doc["sources"] if s["status"] == "read"]
    missing = [f"{s['name']} ({s['reason']})" for s in doc["sources"] if s["status"] != "read"]
    say(
        f"{target}: {doc['host'].get('hostname', '?')}, {len(doc['items']):,} items from {len(read)} sources; "
        f"{len(doc['problems'])} problems noted"
    )
    if missing:
        say("not read: " + "; ".join(missing))
