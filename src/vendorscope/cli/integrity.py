"""CLI for what lets others trust an answer: `keys create|show`, `verify PACKAGE_DIR`, `custody verify|log`,
`diff OLD NEW`. Thin: parse, call, print."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, emit, say, write_json
from vendorscope.errors import InputError

if TYPE_CHECKING:
    from vendorscope.respond.keys import SigningKey
    from vendorscope.respond.sshsig import PublicKey

keys_app = typer.Typer(help="The agency's signing key for response packages.", no_args_is_help=True)
custody_app = typer.Typer(help="The custody chain: every custody record linked by hashes.", no_args_is_help=True)
DIFF_COLUMNS = ("section", "change", "subject", "detail", "verified_by")
KEY_HELP = "Private key file [env VENDORSCOPE_SIGNING_KEY; default: STORE.keys/signing_key beside the store]."


def register(app: typer.Typer) -> None:
    """Add the integrity commands to the root app (``cli.root`` calls this once)."""
    app.add_typer(keys_app, name="keys")
    app.command("verify")(verify)
    app.add_typer(custody_app, name="custody")
    app.command("diff")(diff)


@keys_app.command("create")
def keys_create(
    signer: Annotated[str, typer.Option(help="Who signs: an email address or a name without spaces.")],
    key: Annotated[Path | None, typer.Option("--key", help=KEY_HELP)] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing key (old packages keep theirs).")] = (
        False
    ),
) -> None:
    """Create the Ed25519 key that signs packages (an OpenSSH key pair; the private half stays 0600)."""
    _print_key(service().create_key(signer, key, replace), "created")


@keys_app.command("show")
def keys_show(key: Annotated[Path | None, typer.Option("--key", help=KEY_HELP)] = None) -> None:
    """Show the signing key: its signer, fingerprint and public key (to publish, so readers can pin it)."""
    _print_key(service().signing_key(key), "")


def _print_key(key: "SigningKey", verb: str) -> None:
    say(f"signing key{' ' + verb if verb else ''}: {key.path}")
    say(f"  signer:      {key.public.signer}")
    say(f"  fingerprint: {key.public.fingerprint}")
    say(f"  public key:  {key.public.openssh}")


def verify(
    package: Annotated[Path, typer.Argument(help="The package folder (the one with manifest.json).")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The signer's public key (.pub or allowed_signers line) the signature must be by."),
    ] = None,
) -> None:
    """Check a package: hashes, signature, missing or added files, Bates numbers, load files, counts."""
    report = service().verify_package(package, _pinned(key) if key else None)
    for line in report.problems:
        say(line)
    if not report.ok:
        say(f"{package}: NOT VERIFIED, {len(report.problems)} problems")
        raise typer.Exit(1)
    for fact in report.facts:
        say(f"  {fact}")
    say(f"{package}: verified")


def _pinned(path: Path) -> "PublicKey":
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
    report = service().custody_verify(package)
    for line in report.problems:
        say(line)
    if not report.ok:
        say(f"custody chain: NOT VERIFIED, {len(report.problems)} problems")
        raise typer.Exit(1)
    head = f"entry {report.head.seq}, {report.head.hash}" if report.head else "no head"
    waiting = f"; {report.pending} records pending (committed, not chained yet: not verified)" if report.pending else ""
    say(f"custody chain: verified, {report.entries} entries; head {head}{waiting}")


@custody_app.command("log")
def custody_log(
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
    output: FormatOption = Format.table,
) -> None:
    """The newest custody entries: sequence, time, kind, subject, actor and hash."""
    rows = service().custody_log(limit)
    emit(rows, ["seq", "at", "kind", "subject", "actor", "hash"], output, "custody chain, newest first")


def diff(
    old: Annotated[Path, typer.Argument(help="The earlier package folder.")],
    new: Annotated[Path, typer.Argument(help="The later package folder.")],
    output: FormatOption = Format.table,
) -> None:
    """What changed between two answers: systems added and removed, hosts newly examined, contractors, documents."""
    changes = service().diff_packages(old, new)
    if output is Format.json:
        write_json(changes.as_dict())
        return
    rows = [_row("systems", r["change"], r["host"], f"{r['product']} ({r['kind']})", r["verified_by"])
            for r in changes.systems_added + changes.systems_removed]  # fmt: skip
    rows += [_row("hosts", "newly examined", r["host"], r["examined_by"]) for r in changes.hosts_newly_examined]
    rows += [_row("contractors", "new", r["name"], r["org_id"]) for r in changes.contractors_new]
    rows += [_row("documents", "produced", r["BEGBATES"], r["SUBJECT"]) for r in changes.documents_produced]
    if output is Format.table:
        counts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in changes.counts().items())
        say(f"since {changes.since['package']} ({changes.since['generated_at']}): {counts}")
    emit(rows, list(DIFF_COLUMNS), output, f"changes since {changes.since['package']}")


def _row(*values: str) -> dict[str, str]:
    return dict(zip(DIFF_COLUMNS, values, strict=False)) | {"verified_by": values[4] if len(values) > 4 else ""}
