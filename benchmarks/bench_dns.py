"""Stream a generated Zeek dns.log of 20 million lines; lines/s and peak RSS, beside ripgrep on the same file.

    python benchmarks/bench_dns.py [--lines 20000000] [--dir /tmp/vs-bench-dns] [--keep]

Three figures: the parser alone (bytes → contacts, what `ingest` spends per line),
`vendorscope ingest` end to end (hash, parse, store, findings) in a fresh SQLite
store, and `rg -c -F -f domains.txt` over the same file (the catalog's domains as
fixed strings). Each runs in a child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

FIELDS = "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id query qclass qclass_name qtype rcode_name"
OTHER = ["www.example.org", "update.microsoft.com", "ocsp.digicert.com", "api.github.com", "mail.corp.example"]
VENDOR = ["dc1.ksn.kaspersky-labs.com", "dnl-07.geo.kaspersky.com", "activation-v2.kaspersky.com"]
BLOCK_LINES = 500_000


def generate(path: Path, lines: int, seed: int = 7) -> int:
    """A block of realistic lines (1 in 1,000 naming the vendor) written as often as needed; returns vendor lines."""
    rng = random.Random(seed)
    names = [f"host{n}.{rng.choice(OTHER)}" for n in range(5000)] + OTHER
    size = min(BLOCK_LINES, lines)
    rows = []
    vendor_at: list[int] = []
    for i in range(size):
        vendor = rng.random() < 0.001
        if vendor:
            vendor_at.append(i)
        query = rng.choice(VENDOR) if vendor else rng.choice(names)
        client = f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        rows.append(
            f"{1_790_000_000 + i * 0.01:.6f}\tC{i:x}\t{client}\t{40000 + i % 20000}\t10.0.0.1\t53\tudp\t{i % 65536}"
            f"\t{query}\t1\tC_INTERNET\t1\tNOERROR\n"
        )
    block = "".join(rows).encode()
    full, part = divmod(lines, size)
    with path.open("wb") as out:
        out.write(f"#separator \\x09\n#path\tdns\n#fields\t{FIELDS.replace(' ', chr(9))}\n".encode())
        for _ in range(full):
            out.write(block)
        out.write("".join(rows[:part]).encode())
    return len(vendor_at) * full + sum(1 for i in vendor_at if i < part)


PARSE_ONLY = """
import sys, time
from pathlib import Path
from vendorscope.catalog.loader import load_catalogs
from vendorscope.match.matcher import Matcher
from vendorscope.sources import zeek
from vendorscope.sources.base import Hints, NetworkContact
hints = Hints(contacts=Matcher(load_catalogs([])).network_watch)
start, cpu = time.perf_counter(), time.process_time()
with Path(sys.argv[1]).open("rb") as stream:
    records = list(zeek.FORMAT.parse(stream, sys.argv[1], hints))
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
hits = sum(r.count for r in records if isinstance(r, NetworkContact))
print(elapsed, cpu, hits)
"""


DOMAINS = """
import sys
from pathlib import Path
from vendorscope.catalog.loader import load_catalogs
from vendorscope.match.matcher import Matcher
watch = Matcher(load_catalogs([])).network_watch
Path(sys.argv[1]).write_text("\\n".join(sorted(watch.exact | watch.suffixes)) + "\\n")
"""


def run_child(args: list[str]) -> tuple[float, float, str, int]:
    """Wall time, CPU time (user + system), output and the child's own peak RSS (KiB)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    output = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{args[0]} failed with status {child.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, output.strip(), usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/vs-bench-dns"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    opts.dir.mkdir(parents=True, exist_ok=True)
    log = opts.dir / "dns.log"
    domains = opts.dir / "domains.txt"
    if opts.generate_only:  # in a child: a parent's peak RSS is inherited by the processes it starts
        print(generate(log, opts.lines))
        return
    t = time.perf_counter()
    _, _, out, _ = run_child(
        [sys.executable, __file__, "--generate-only", "--lines", str(opts.lines), "--dir", str(opts.dir)]
    )
    expected = int(out)
    print(f"generated {opts.lines:,} lines ({log.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t:.0f}s")
    run_child([sys.executable, "-c", DOMAINS, str(domains)])

    _, _, out, parse_rss = run_child([sys.executable, "-c", PARSE_ONLY, str(log)])
    parse_s, parse_cpu, hits = out.split()
    assert int(hits) == expected, (hits, expected)
    report("parser (zeek, with the catalog's fast path)", opts.lines, float(parse_s), float(parse_cpu), parse_rss)

    db = opts.dir / "store.db"
    db.unlink(missing_ok=True)
    cli = [sys.executable, "-m", "vendorscope", "--db", str(db), "ingest", "-q", str(log)]
    elapsed, cpu, _, rss = run_child(cli)
    report("vendorscope ingest, end to end (SQLite)", opts.lines, elapsed, cpu, rss)

    rg = shutil.which("rg")
    if rg:
        elapsed, cpu, count, rss = run_child([rg, "-c", "-F", "-f", str(domains), str(log)])
        assert int(count) == expected, (count, expected)
        report("rg -c -F -f domains.txt (RSS: the file is mmapped)", opts.lines, elapsed, cpu, rss)
    else:
        print("ripgrep not installed (apt-get install ripgrep): no comparison")
    if not opts.keep:
        shutil.rmtree(opts.dir)


def report(what: str, lines: int, seconds: float, cpu: float, rss_kib: int) -> None:
    print(
        f"{what:52s} {seconds:7.2f} s wall {lines / seconds:>11,.0f} lines/s | {cpu:7.2f} s CPU "
        f"{lines / cpu:>11,.0f} lines/CPU-s | peak RSS {rss_kib / 1024:6.0f} MB"
    )


if __name__ == "__main__":
    main()
