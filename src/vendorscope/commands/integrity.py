"""CLI for what lets others trust an answer: `keys`, `verify PACKAGE_DIR`, `custody verify|log`. Thin."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vendorscope.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from vendorscope.respond.keys import SigningKey
    from vendorscope.respond.sshsig import PublicKey
    from vendorscope.service import Service

keys_app = typer.Typer(help="The agency's signing key for response packages.", no_args_is_help=True)
custody_app = typer.Typer(help="The custody chain: every custody record linked by hashes.", no_args_is_help=True)
KEY_HELP = "Private key file [env VENDORSCOPE_SIGNING_KEY; default: STORE.keys/signing_key beside the store]."


def register(app: typer.Typer) -> None:
    """Add the integrity commands to the main app (cli.py calls this once)."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(custody_app, name="custody")
    app.command("verify")(verify)


def _service() -> Service:
    from vendorscope.cli import state

    return state.service


def _console() -> Console:
    from vendorscope.cli import out

    return out


@keys_app.command("create")
def keys_create(
    signer: Annotated[str, typer.Option(help="Who signs: an email address or a name without spaces.")],
    key: Annotated[Path | None, typer.Option("--key", help=KEY_HELP)] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing key (old packages keep theirs).")] = (
        False
    ),
) -> None:
    """Create the Ed25519 key that signs packages (an OpenSSH key pair; the private half stays 0600)."""
    _print_key(_service().create_key(signer, key, replace), "created")


@keys_app.command("show")
def keys_show(key: Annotated[Path | None, typer.Option("--key", help=KEY_HELP)] = None) -> None:
    """Show the signing key: its signer, fingerprint and public key (to publish, so readers can pin it)."""
    _print_key(_service().signing_key(key), "")


def _print_key(key: SigningKey, verb: str) -> None:
    console = _console()
    console.print(f"signing key{' ' + verb if verb else ''}: {key.path}", highlight=False)
    console.print(f"  signer:      {key.public.signer}", highlight=False)
    console.print(f"  fingerprint: {key.public.fingerprint}", highlight=False)
    console.print(f"  public key:  {key.public.openssh}", highlight=False, soft_wrap=True)


def verify(
    package: Annotated[Path, typer.Argument(help="The package folder (the one with manifest.json).")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The signer's public key (.pub or allowed_signers line) the signature must be by."),
    ] = None,
) -> None:
    """Check a package: hashes, signature, missing or added files, Bates numbers, load files, counts."""
    report = _service().verify_package(package, _pinned(key) if key else None)
    console = _console()
    for line in report.problems:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if not report.ok:
        console.print(f"{package}: NOT VERIFIED, {len(report.problems)} problems", highlight=False, markup=False)
        raise typer.Exit(1)
    for fact in report.facts:
        console.print(f"  {fact}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"{package}: verified", highlight=False, markup=False)


def _pinned(path: Path) -> PublicKey:
    from vendorscope.respond.sshsig import SignatureError, parse_public_key

    try:
        return parse_public_key(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the public key ({exc})") from None
    except SignatureError as exc:
        raise InputError(str(path), str(exc)) from None


@custody_app.command("verify")
def custody_verify(
    package: Annotated[
        Path | None,
        typer.Option("--package", help="Also check that the chain still holds the head this package was built from."),
    ] = None,
) -> None:
    """Recompute the custody chain: every entry's hash and link, the head, every artifact against its entry."""
    report = _service().custody_verify(package)
    console = _console()
    for line in report.problems:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    head = report.head
    where = f"entry {head.seq}, {head.hash}" if head else "no head"
    if not report.ok:
        console.print(f"custody chain: NOT VERIFIED, {len(report.problems)} problems", highlight=False)
        raise typer.Exit(1)
    console.print(f"custody chain: verified, {report.entries} entries; head {where}", highlight=False, soft_wrap=True)


@custody_app.command("log")
def custody_log(
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
) -> None:
    """The newest custody entries: sequence, time, kind, subject, actor and hash."""
    from rich.table import Table

    table = Table("seq", "at", "kind", "subject", "actor", "hash", title="custody chain")
    for row in _service().custody_log(limit):
        table.add_row(str(row["seq"]), row["at"], row["kind"], row["subject"], row["actor"], row["hash"][:16] + "…")
    _console().print(table)
