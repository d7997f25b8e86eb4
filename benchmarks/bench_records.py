"""Records benchmark: generate an email corpus with attachments, ingest it, time the vendor search, and run
the same search with ripgrep over the raw files.

    .venv/bin/python benchmarks/bench_records.py                 # 100,000 emails (targets: ≥ 500 docs/s, p95 < 100 ms)
    .venv/bin/python benchmarks/bench_records.py --emails 5000   # a quick run
    .venv/bin/python benchmarks/bench_records.py --generate-only # make the corpus now, ingest later (--reuse-corpus)

About 5% of the emails concern the vendor: by name (Latin or Cyrillic), product abbreviations in context,
or component names, half of those only inside an attachment (text, PDF or DOCX; base64-encoded in the mail).
Another 2% carry look-alikes (Casper, Kasper, Kasperski, Dr.Web) that must not be found.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.records_corpus import docx_bytes, pdf_bytes  # noqa: E402

from vendorscope.records.search import Filters  # noqa: E402
from vendorscope.service import Service  # noqa: E402

WORDS = [
    "budget",
    "meeting",
    "schedule",
    "travel",
    "report",
    "contract",
    "review",
    "network",
    "printer",
    "access",
    "policy",
    "update",
    "quarterly",
    "training",
    "office",
    "facilities",
    "request",
    "approval",
    "invoice",
    "vendor",
    "server",
    "backup",
    "laptop",
    "license",
    "renewal",
    "audit",
]
VENDOR_LINES = [
    "We need an assessment of Kaspersky Lab products and the risk they pose.",
    "Remove KES from all endpoints before the directive deadline.",
    "Продукты Лаборатории Касперского обнаружены на серверах.",
    "The process klnagent.exe still runs on 14 hosts; avp.exe on 3.",
    "Kaspersky Security Center must be decommissioned per BOD 17-01.",
]
LOOKALIKES = [
    "Casper from facilities will fix the printer.",
    "Kasper Hansen sent the travel report.",
    "Anna Kasperski approved the invoice.",
    "Dr.Web licence renewal is due.",
]
RG_TERMS = ["kaspersky", "касперск", "klnagent", r"avp\.exe", r"\bKES\b", "Kaspersky Security Center"]


def sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


DOCX_POOL: dict[tuple[int, str], bytes] = {}  # building a DOCX takes ~20 ms: 300 distinct ones, reused


def attachment(rng: random.Random, text: str, extra: str, kind: int) -> tuple[str, str, bytes]:
    """A PDF (Latin text only: the small writer has no Cyrillic font), a DOCX or a text file."""
    if kind == 0 and text.isascii():
        return "report.pdf", "application/pdf", pdf_bytes(text)
    if kind == 1:
        key = (rng.randrange(300), extra)
        if key not in DOCX_POOL:
            DOCX_POOL[key] = docx_bytes(text)
        return "notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX_POOL[key]
    return "notes.txt", "text/plain", text.encode()


def email(rng: random.Random, n: int) -> bytes:
    day = datetime(2011 + n % 8, 1 + n % 12, 1 + n % 28, 9 + n % 8, n % 60)
    roll = rng.random()
    body = "\n".join(sentence(rng) for _ in range(rng.randint(3, 12)))
    extra = ""
    if roll < 0.05:
        extra = rng.choice(VENDOR_LINES)
    elif roll < 0.07:
        body += "\n" + rng.choice(LOOKALIKES)
    att_text = "\n".join(sentence(rng) for _ in range(6))
    in_attachment = extra and rng.random() < 0.5
    if extra and not in_attachment:
        body += "\n" + extra
    if in_attachment:
        att_text += "\n" + extra
    headers = (
        f"From: user{n % 500}@agency.example\r\nTo: user{(n * 7) % 500}@agency.example\r\n"
        f"Subject: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} #{n}\r\n"
        f"Date: {day.strftime('%a, %d %b %Y %H:%M:%S')} +0000\r\nMessage-ID: <m{n}@agency.example>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    if rng.random() < 0.5 and not in_attachment:
        return (headers + f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    kind = 2 if rng.random() < 0.7 else rng.randint(0, 1)
    name, mime, data = attachment(rng, att_text, extra if in_attachment else "", kind)
    encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (
        headers + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        f"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        f"--b1\r\nContent-Type: {mime}\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{name}"\r\n\r\n'
        f"{encoded}\r\n--b1--\r\n"
    ).encode()


def generate(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for n in range(count):
        sub = folder / f"box{n // 1000:04d}"
        if n % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"m{n:06d}.eml").write_bytes(email(rng, n))


def bench_search(service: Service, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per vendor search (CPU time holds when other jobs share the machine)."""
    filters = Filters(since=datetime(2013, 1, 1))
    service.records_vendor_search("kaspersky", filters)  # warm-up: catalog, terms, caches
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        service.records_vendor_search("kaspersky", filters)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def bench_ripgrep(corpus: Path) -> tuple[float, int] | None:
    if shutil.which("rg") is None:
        return None
    args = ["rg", "-l", "-i", "--no-messages", *[x for t in RG_TERMS for x in ("-e", t)], str(corpus)]
    times, found = [], 0
    for _ in range(3):
        start = time.perf_counter()
        result = subprocess.run(args, capture_output=True, check=False)
        times.append((time.perf_counter() - start) * 1000)
        found = len(result.stdout.splitlines())
    return statistics.median(times), found


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the worker pool): a figure that holds when
    other jobs share the machine, unlike wall time."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _own_cpu() -> float:
    """CPU seconds of this process alone: the writer, which the workers wait for when it falls behind."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _own_io() -> dict[str, int] | None:
    """This process's I/O counters (Linux ``/proc/self/io``): ``write_bytes`` is what it sent to storage
    (pages it dirtied, written back), ``wchar`` what went through its write calls. None elsewhere."""
    try:
        lines = Path("/proc/self/io").read_text().splitlines()
    except OSError:
        return None
    return {key: int(value) for key, value in (line.split(": ") for line in lines)}


def _store_bytes(out: Path) -> int:
    return sum(path.stat().st_size for path in out.glob("records.db*") if path.is_file())


def _descendants_cpu() -> float:
    """CPU seconds of this process's running descendants (a LocalCluster's nannies and workers)."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-output" / "records")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--search-only", action="store_true", help="Reuse the corpus and store of a previous run.")
    parser.add_argument(
        "--reuse-corpus", action="store_true", help="Keep a corpus of the same size and seed from a previous run."
    )
    parser.add_argument(
        "--dask", action="store_true", help="Extract on a dask LocalCluster of --workers single-threaded workers."
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="Generate the corpus (for a later --reuse-corpus) and stop."
    )
    parser.add_argument("--ingest-only", action="store_true", help="Ingest and print its figures; no search.")
    args = parser.parse_args()
    corpus = args.out / "corpus"
    if args.generate_only:
        generate_corpus(args, corpus)
        return
    service = Service(str(args.out / "records.db"))
    if not args.search_only:
        ingest(args, corpus, service)
    if args.ingest_only:
        service.close()
        return
    search_figures(service, corpus, args.queries)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    service.close()


def generate_corpus(args: argparse.Namespace, corpus: Path) -> None:
    """A fresh corpus, stamped with its size and seed so that ``--reuse-corpus`` can find it."""
    shutil.rmtree(args.out, ignore_errors=True)
    start = time.perf_counter()
    generate(corpus, args.emails, args.seed)
    (corpus / f".generated-{args.emails}-{args.seed}").write_text("")
    print(f"corpus generated in {time.perf_counter() - start:,.1f} s")


def ingest(args: argparse.Namespace, corpus: Path, service: Service) -> None:
    stamp = corpus / f".generated-{args.emails}-{args.seed}"
    for stale in args.out.glob("records.db*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    if not (args.reuse_corpus and stamp.exists()):
        generate_corpus(args, corpus)
    size = sum(p.stat().st_size for p in corpus.rglob("*.eml"))
    print(f"corpus: {args.emails:,} emails, {size / 1e6:,.0f} MB")
    service.store  # noqa: B018 - open (and migrate) the store before timing
    cpu_before, own_cpu_before, io_before = _cpu(), _own_cpu(), _own_io()
    start = time.perf_counter()
    if args.dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as c:
            start = time.perf_counter()  # the cluster's start-up is not part of the ingest
            cluster_before, own_before = _descendants_cpu(), _cpu()
            report = service.records_ingest([corpus], "bench", workers=args.workers, dask=c.scheduler_address)
            seconds = time.perf_counter() - start
            during = _descendants_cpu() - cluster_before + _cpu() - own_before
    else:
        report = service.records_ingest([corpus], "bench", workers=args.workers)
        seconds = time.perf_counter() - start
    cpu = _cpu() - cpu_before
    documents = report.documents + report.duplicates
    errors = getattr(report, "error_count", len(report.errors))  # the same driver runs older code too
    print(
        f"ingest: {documents:,} documents ({report.files:,} files) in {seconds:,.1f} s = {documents / seconds:,.0f} "
        f"documents/s with {args.workers} {'dask ' if args.dask else ''}workers; {errors} errors, "
        f"{report.threads:,} threads"
    )
    print(f"ingest CPU: {cpu:,.1f} s over all processes = {documents / cpu:,.0f} documents per CPU-second")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingest peak RSS of this (the writer's) process, workers not included: {peak:,.0f} MB")
    print(f"ingest CPU of this (the writer's) process: {_own_cpu() - own_cpu_before:,.1f} s")
    io = _own_io()
    if io and io_before:
        written, called = io["write_bytes"] - io_before["write_bytes"], io["wchar"] - io_before["wchar"]
        print(
            f"ingest writes of this (the writer's) process: {written / 1e6:,.0f} MB to storage (write_bytes), "
            f"{called / 1e6:,.0f} MB through write calls (wchar); store {_store_bytes(args.out) / 1e6:,.0f} MB"
        )
    if args.dask:
        print(
            f"ingest CPU without the cluster's start-up and shut-down: {during:,.1f} s = "
            f"{documents / during:,.0f} documents per CPU-second"
        )


def search_figures(service: Service, corpus: Path, queries: int) -> None:
    wall, cpu = bench_search(service, queries)
    for label, times in (("wall", wall), ("CPU", cpu)):
        p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
        print(f"vendor search --since 2013-01-01 (first 100 families), {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    everything = service.records_vendor_search("kaspersky", Filters(since=datetime(2013, 1, 1), limit=0))
    all_start = time.perf_counter()
    service.records_vendor_search("kaspersky", Filters(limit=0))
    all_ms = (time.perf_counter() - all_start) * 1000
    print(f"vendor search, every family: {len(everything):,} since 2013; no date limit {all_ms:,.0f} ms")
    rg = bench_ripgrep(corpus)
    if rg:
        print(
            f"ripgrep over the raw .eml files, same terms: {rg[0]:,.0f} ms, {rg[1]:,} files (base64 attachments unseen)"
        )
    else:
        print("ripgrep: not installed (apt-get install ripgrep)")


if __name__ == "__main__":
    main()
