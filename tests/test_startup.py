"""Start-up (issue 13, item 1): a command imports only what it uses. Not timed — the figures are in
docs/benchmarks.md (benchmarks/bench_startup.py); here each check runs in a fresh interpreter and looks at
which libraries ended up in ``sys.modules``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("fastapi", "starlette", "uvicorn", "weasyprint", "matplotlib", "followthemoney", "dask", "openpyxl", "pandas")
REPORT = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


def loaded(code: str, cwd: Path | None = None) -> set[str]:
    """Top-level packages in ``sys.modules`` after running ``code`` in a new interpreter."""
    script = f"{code}\n{REPORT}"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def run_cli(*args: str) -> str:
    """Code that runs ``vendorscope ARGS`` in-process and keeps going after it exits."""
    return (
        "import sys\nfrom vendorscope.cli import main\n"
        f"sys.argv = ['vendorscope', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    )


def test_importing_the_cli_loads_no_heavy_library() -> None:
    modules = loaded("import vendorscope.cli")
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
    assert "sqlalchemy" not in modules  # the store is opened by the commands that use it, not by --help


def test_help_loads_no_heavy_library() -> None:
    modules = loaded(run_cli("--help") + "sys.stdout.flush()\n")
    assert modules.isdisjoint([*HEAVY, "sqlalchemy", "yaml"])
    assert "rich" not in modules  # tables are Rich's; help and plain lines are not


def test_the_collector_does_not_load_sqlalchemy(tmp_path: Path) -> None:
    """`vendorscope collect` runs on every examined host: no store, no server, no matcher there."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text("probe\n", encoding="utf-8")
    modules = loaded(run_cli("collect", "--root", str(root), "--out", str(tmp_path / "b.json.gz")))
    assert (tmp_path / "b.json.gz").is_file()
    assert "sqlalchemy" not in modules and "alembic" not in modules
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_listing_findings_loads_no_report_server_or_matching_library(tmp_path: Path) -> None:
    from vendorscope.store.store import Store

    Store.open(f"sqlite:///{tmp_path / 's.db'}").close()  # a store to read: reading commands never create one
    modules = loaded(run_cli("--db", str(tmp_path / "s.db"), "findings", "--format", "json"))
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
    assert modules.isdisjoint(["rigour", "normality", "fingerprints"])  # name normalization: only to match
    assert "rich" not in modules  # JSON and CSV are for programs: no table renderer


def test_short_commands_load_no_pydantic(tmp_path: Path) -> None:
    """Typer converts option values through pydantic; the CLI converts strings, flags, paths and choices itself
    (cli/params.py), so `findings` (a table, or JSON without Rich) and `collect` never import it."""
    store = _small_store(tmp_path)
    table = loaded(run_cli("--db", str(store), "findings", "--vendor", "kaspersky", "--all"))
    assert "pydantic" not in table and "pydantic_core" not in table
    as_json = loaded(run_cli("--db", str(store), "findings", "--format", "json"))
    assert as_json.isdisjoint(["pydantic", "pydantic_core", "rich"]), sorted(as_json & {"pydantic", "rich"})
    (tmp_path / "root" / "etc").mkdir(parents=True)
    (tmp_path / "root" / "etc" / "hostname").write_text("probe\n", encoding="utf-8")
    collected = loaded(run_cli("collect", "--root", str(tmp_path / "root"), "--out", str(tmp_path / "b.json.gz")))
    assert "pydantic" not in collected


def test_command_functions_carry_evaluated_annotations() -> None:
    """Typer reads each command's signature twice at every start, evaluating string annotations (those of
    ``from __future__ import annotations``) again each time: for 50 commands about a third of ``--help``'s
    instructions. The command modules therefore keep their annotations as objects."""
    import typer

    from vendorscope.cli import app

    def callbacks(typer_app: typer.Typer) -> list:
        found = [info.callback for info in typer_app.registered_commands]
        if typer_app.registered_callback is not None:
            found.append(typer_app.registered_callback.callback)
        for group in typer_app.registered_groups:
            assert group.typer_instance is not None
            found += callbacks(group.typer_instance)
        return [callback for callback in found if callback is not None]

    commands = callbacks(app)
    assert len(commands) > 40
    for command in commands:
        quoted = {name for name, annotation in command.__annotations__.items() if isinstance(annotation, str)}
        assert not quoted, f"{command.__module__}.{command.__name__}: {sorted(quoted)}"


def test_plain_lines_drop_terminal_controls_and_keep_emoji_codes(capsys: pytest.CaptureFixture[str]) -> None:
    from vendorscope.cli.output import note, say

    say("host \x1b[31mred\x07\r :smile: [b]x[/b]\x9b\tend")
    note("store \x1b]0;title\x07")
    out, err = capsys.readouterr()
    assert out == "host [31mred :smile: [b]x[/b]\tend\n"  # escapes cannot reach the terminal; text stays as given
    assert err == "store ]0;title\n"


def _small_store(tmp_path: Path) -> Path:
    """A store with findings of several kinds: a generated agency of 12 hosts (with network logs, devices)."""
    from vendorscope.demo.fleet import generate_fleet
    from vendorscope.demo.organization import generate_organization
    from vendorscope.demo.run import evidence_paths
    from vendorscope.service import Service

    generate_fleet(tmp_path / "fleet", hosts=12, seed=2017)
    names = (tmp_path / "fleet" / "hosts.txt").read_text(encoding="utf-8").split()
    generate_organization(tmp_path / "org", names, 2017)
    service = Service(str(tmp_path / "s.db"))
    service.ingest(evidence_paths(tmp_path / "fleet", tmp_path / "org"))
    service.close()
    return tmp_path / "s.db"


MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def test_listing_findings_of_an_sqlite_store_loads_neither_sqlalchemy_nor_the_catalogs(tmp_path: Path) -> None:
    """`vendorscope findings` reads an embedded store read-only through sqlite3, names products from the names
    stored at ingest: no SQLAlchemy, no ORM models, no catalog parsing (docs/benchmarks.md, "Start-up")."""
    store = _small_store(tmp_path)
    script = run_cli("--db", str(store), "findings", "--vendor", "Kaspersky", "--format", "json") + MODULES
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    *_, modules_line = result.stdout.strip().splitlines()
    modules = set(json.loads(modules_line))
    assert not {m for m in modules if m.split(".")[0] in ("sqlalchemy", "alembic")}
    assert "vendorscope.catalog.loader" not in modules and "vendorscope.store.tables" not in modules
    listed = json.loads(result.stdout[: result.stdout.rindex(modules_line)])
    assert listed and {row["vendor"] for row in listed} == {"kaspersky"}
    assert f"store: {store}" in result.stderr  # the store it read is still named


def test_the_sqlite3_listing_gives_the_rows_and_names_of_the_sqlalchemy_one(tmp_path: Path) -> None:
    """The read-only listing (findings/listing.py) against the one every other reader uses (findings/query.py)."""
    from vendorscope.findings import listing, query
    from vendorscope.service import Service
    from vendorscope.store.readonly import open_readonly

    store = _small_store(tmp_path)
    url = f"sqlite:///{store}"
    service = Service(str(store))
    readonly = open_readonly(url)
    assert readonly is not None
    kinds = set()
    with service.store.engine.connect() as conn:
        for vendor in (None, "kaspersky", "hikvision"):
            for absent in (False, True):
                expected = query.list_findings(conn, vendor, absent)
                assert listing.list_findings(readonly, vendor, absent) == expected
                kinds |= {row["kind"] for row in expected}
    assert len(kinds) >= 3, kinds  # software, network and device findings were compared
    readonly.close()
    names = {(r["vendor"], r["product"]): service.product_name(r["vendor"], r["product"]) for r in expected}
    service.close()

    fast = Service(str(store), create=False)
    assert fast._names is not None  # stored at ingest, with the same catalog files
    assert {key: fast.product_name(*key) for key in names} == names
    assert "catalogs" not in fast.__dict__ and "store" not in fast.__dict__
    fast.close()


def test_stored_names_are_not_used_with_other_catalog_files(tmp_path: Path) -> None:
    """A user catalog given at listing time (not the files the names were stored with): the catalogs decide."""
    from vendorscope.catalog.names import BUILTIN
    from vendorscope.service import Service

    store = _small_store(tmp_path)
    extra = tmp_path / "kaspersky.yaml"
    extra.write_text((BUILTIN / "kaspersky.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    service = Service(str(store), [extra], create=False)
    assert service._names is None
    assert service.findings("KASPERSKY") and "catalogs" in service.__dict__
    service.close()


def test_stored_names_do_not_depend_on_where_the_package_is_installed(tmp_path: Path, monkeypatch) -> None:
    """The same built-in catalog files in another folder (another checkout or venv) give the same digest."""
    import shutil

    from vendorscope.catalog import names

    before = names.files_digest()
    moved = tmp_path / "elsewhere" / "data"
    shutil.copytree(names.BUILTIN, moved)
    monkeypatch.setattr(names, "BUILTIN", moved)
    assert names.files_digest() == before
    (moved / "kaspersky.yaml").write_bytes((moved / "kaspersky.yaml").read_bytes() + b"\n# changed\n")
    assert names.files_digest() != before  # the bytes still decide
