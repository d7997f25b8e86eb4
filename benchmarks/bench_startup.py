"""Start-up of short commands: wall time and peak memory of whole processes, medians of N runs.

    python benchmarks/bench_startup.py --runs 15 [--before OLD_CHECKOUT/src]

Runs, each N times in a fresh process: the bare interpreter (``python -c pass``, the floor), ``vendorscope
--help``, ``vendorscope findings`` (table) on a small store (20 hosts) and ``vendorscope collect`` of a
small mounted root. With ``--before``, the same commands also run on an older checkout's sources (by
PYTHONPATH), interleaved run by run with the current ones so that both see the same machine load.
Peak memory is each child's own maximum resident set (``os.wait4``), so the figures match ``/usr/bin/time -v``;
CPU seconds (user + system, from the same call) are printed beside wall time: on a shared machine they are
the figure the load bends least.

Children keep compiled bytecode, as an installed package does (``pip install`` compiles ``.pyc`` files), and
one untimed warm-up run of each command writes it first; ``--no-bytecode`` measures with
``PYTHONDONTWRITEBYTECODE`` set as the caller's environment has it, every import compiling its source.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL_FLEET = 20


def measure(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """(seconds, peak MB, CPU seconds) of one run of ``argv``."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {process.returncode}: {process.stderr.read().decode()[-500:]}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


PREPARE = """
import sys
from pathlib import Path
from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.run import evidence_paths
from vendorscope.service import Service
root = Path(sys.argv[1])
generate_fleet(root / "fleet", hosts=int(sys.argv[2]), seed=2017)
service = Service(str(root / "small.db"))
service.ingest(evidence_paths(root / "fleet"))
service.close()
"""


def prepare(root: Path, src: str) -> tuple[Path, Path]:
    """A small store (a generated fleet of SMALL_FLEET hosts) and a mounted root with a hostname and dpkg list.

    The store is made by the measured version's own code (an older checkout cannot open a store whose schema
    is newer than its migrations), in a child process: a child's peak memory counts the parent's pages at fork
    time, so this process stays small (as ``/usr/bin/time`` does).
    """
    root.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": src}
    subprocess.run([sys.executable, "-c", PREPARE, str(root), str(SMALL_FLEET)], check=True, env=env)
    store = root / "small.db"
    mounted = root / "mounted"
    (mounted / "etc").mkdir(parents=True)
    (mounted / "etc" / "hostname").write_text("probe\n", encoding="utf-8")
    status = mounted / "var" / "lib" / "dpkg" / "status"
    status.parent.mkdir(parents=True)
    status.write_text(
        "".join(f"Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}\n\n" for i in range(300)),
        encoding="utf-8",
    )
    return store, mounted


def commands(store: Path, mounted: Path, root: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "vendorscope"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "vendorscope --help": [*cli, "--help"],
        "vendorscope findings": [*cli, "--db", str(store), "findings"],
        "vendorscope collect": [*cli, "collect", "--root", str(mounted), "--out", str(root / "bundle.json.gz")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="An older checkout's src/ folder, measured side by side.")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="Keep PYTHONDONTWRITEBYTECODE: every import compiles its source."
    )
    args = parser.parse_args()
    base_env = dict(os.environ)
    if not args.no_bytecode:
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    versions = {"now": str(Path(__file__).resolve().parents[1] / "src")}
    if args.before:
        versions["before"] = str(args.before.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        roots = {version: Path(tmp) / version for version in versions}
        argvs = {version: commands(*prepare(roots[version], src), roots[version]) for version, src in versions.items()}
        samples: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        if not args.no_bytecode:  # warm-up: write the bytecode an installed package would have
            for version, src in versions.items():
                for argv in argvs[version].values():
                    measure(argv, {**base_env, "PYTHONPATH": src}, roots[version])
        for _ in range(args.runs):
            for name in argvs["now"]:
                for version, src in versions.items():
                    env = {**base_env, "PYTHONPATH": src}
                    samples.setdefault((name, version), []).append(measure(argvs[version][name], env, roots[version]))
    floor = statistics.median(t for t, _, _ in samples[("python -c pass", "now")])
    header = f"{'command':<24} {'version':<7} {'median s':>9} {'× python':>9} {'CPU s':>7} {'median MB':>10}"
    print(f"{header} {'max MB':>7}")
    for (name, version), runs in samples.items():
        seconds = statistics.median(t for t, _, _ in runs)
        cpu = statistics.median(c for _, _, c in runs)
        memory = [m for _, m, _ in runs]
        print(f"{name:<24} {version:<7} {seconds:9.3f} {seconds / floor:9.1f} {cpu:7.3f} "
              f"{statistics.median(memory):10.1f} {max(memory):7.1f}")  # fmt: skip
    bytecode = "compiling every import" if args.no_bytecode else "bytecode kept, as installed"
    print(f"{args.runs} runs each, interleaved, {bytecode}; CPU count {os.cpu_count()}")


if __name__ == "__main__":
    main()
