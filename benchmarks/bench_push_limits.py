"""Server memory under hostile pushes: a gzip bomb and 300,000 distinct items, against the idle server.

Starts ``vendorscope serve`` (SQLite, one process), pushes one ordinary bundle (so catalogs and caches are
loaded), then measures its resident memory (psutil RSS, sampled every 20 ms, the server process and its
children) while it receives: (1) a 2 GiB JSON Lines gzip bomb of a few MiB, (2) 300,000 distinct items in
under 1 MiB of gzip. Prints the idle RSS (the baseline, measured in the same run), each push's answer and
peak RSS, and the growth over idle. Target (issue 11): each within 200 MB of the idle server.

    .venv/bin/python benchmarks/bench_push_limits.py
"""

from __future__ import annotations

import argparse
import gzip
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson
import psutil

LINE = b'{"host": "bomb-ws", "name": "Notepad", "source": "programs"}\n'
MB = 1_000_000


def gzip_bomb(decompressed: int) -> bytes:
    block = LINE * (16 * 1024 * 1024 // len(LINE))
    member = gzip.compress(block, compresslevel=9, mtime=0)
    return member * max(1, decompressed // len(block))


def distinct_items(count: int) -> bytes:
    rows = (orjson.dumps({"host": "ws-1", "name": f"tool-{i:07d}", "source": "programs"}) + b"\n" for i in range(count))
    return gzip.compress(b"".join(rows), compresslevel=9, mtime=0)


def rss(proc: psutil.Process) -> int:
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def peak_during(proc: psutil.Process, action) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    """Run ``action`` and sample the server's RSS meanwhile; (its result, the peak)."""
    peak, done, result = rss(proc), threading.Event(), []

    def run() -> None:
        result.append(action())
        done.set()

    threading.Thread(target=run, daemon=True).start()
    while not done.wait(0.02):
        peak = max(peak, rss(proc))
    return result[0], max(peak, rss(proc))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bomb-gib", type=float, default=2.0, help="decompressed size of the bomb")
    parser.add_argument("--items", type=int, default=300_000, help="distinct items of the second push")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "store.db")
        token = subprocess.run(
            [sys.executable, "-m", "vendorscope", "--db", db, "tokens", "create", "bench office"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "vendorscope", "serve", "--db", db, "--port", str(port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL,
        )
        try:
            run(server, port, token, args)
        finally:
            server.terminate()
            server.wait(30)


def run(server: subprocess.Popen[bytes], port: int, token: str, args: argparse.Namespace) -> None:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)
    client = httpx.Client(base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"})

    def post(data: bytes):  # type: ignore[no-untyped-def]
        return lambda: client.post("/api/v1/agents/bundles", content=data)

    warm = gzip.compress(b'{"host": "ws-0", "name": "Notepad", "source": "programs"}\n', mtime=0)
    print("warm-up push:", post(warm)().status_code)
    proc = psutil.Process(server.pid)
    time.sleep(1)
    idle = rss(proc)
    print(f"idle server RSS: {idle / MB:.0f} MB (baseline)")
    bomb = gzip_bomb(int(args.bomb_gib * 1024**3))
    many = distinct_items(args.items)
    for label, data in (
        (f"gzip bomb: {len(bomb) / 2**20:.1f} MiB holding {args.bomb_gib:g} GiB of JSON Lines", bomb),
        (f"{args.items:,} distinct items in {len(many) / 2**20:.2f} MiB of gzip", many),
    ):
        start = time.perf_counter()
        response, peak = peak_during(proc, post(data))
        seconds = time.perf_counter() - start
        growth = (peak - idle) / MB
        print(f"{label}: HTTP {response.status_code} {response.text[:120]!r} in {seconds:.1f} s")
        print(f"  peak RSS {peak / MB:.0f} MB, {growth:+.0f} MB over idle: {'met' if growth <= 200 else 'NOT met'}")


if __name__ == "__main__":
    main()
