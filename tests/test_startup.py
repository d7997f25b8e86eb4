"""Start-up (issue 13, item 1): a command imports only what it uses. Not timed — the figures are in
docs/benchmarks.md (benchmarks/bench_startup.py); here each check runs in a fresh interpreter and looks at
which libraries ended up in ``sys.modules``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    assert modules.isdisjoint([*HEAVY, "sqlalchemy"])


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
