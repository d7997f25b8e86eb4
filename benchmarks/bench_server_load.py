"""Load: 200 concurrent agents pushing bundles of 300 items to `vendorscope serve` on PostgreSQL, over loopback.

Prints bundles/s, p50/p99 latency, and the store's counts before and after, which must show every bundle
ingested exactly once (then a second wave of the same bundles changes nothing). Targets on 2 cores:
>= 50 bundles/s, p99 < 2 s. The load generator runs in this process on the same cores: aiohttp by default
(httpx's client cost about 20 times its CPU per bundle); its own CPU is printed, as is the server's per process.

A server that queues pushes (answers 202 with a receipt) is measured twice: the acceptance (answers per second,
p50/p99 of the 202s) and the applied throughput (from the first push until the intake holds nothing queued);
the store's counts are read only once every bundle is applied. ``--wait`` pushes with ``?wait=1`` (applied
before the answer); a server without an intake (an older checkout) answers 201 and is measured as before.

    .venv/bin/python benchmarks/bench_server_load.py [--agents 200] [--rounds 3] [--items 300] [--wait]
        [--processes 2] [--threads N] [--client aiohttp|httpx] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

A scratch database is created next to the one named by --pg (or VENDORSCOPE_TEST_PG) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import httpx
import orjson
import psutil
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from vendorscope.service import Service
from vendorscope.store.tables import AgentPush, Artifact, Finding, Host, Installation, Title

KES = {"name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab", "source": "programs"}
ORGS = ("", "prime", "prime/sub", "other")
ATTEMPTS = 5
BUNDLES = "/api/v1/agents/bundles"


def make_bundles(agents: int, rounds: int, items: int, seed: int) -> tuple[list[list[bytes]], int]:
    """Per agent, one bundle per round; returns them and the distinct (host, title) pairs they hold."""
    rng = random.Random(seed)
    common = [
        {
            "name": f"Common App {i}",
            "version": f"{i % 7}.{i % 5}",
            "publisher": f"Vendor {i % 40}",
            "source": "programs",
        }
        for i in range(2000)
    ]
    per_agent: list[list[bytes]] = []
    pairs = 0
    for a in range(agents):
        host = f"bench-ws-{a:04d}"
        base = rng.sample(common, items - 20)
        titles: set[bytes] = set()
        bundles = []
        for r in range(rounds):
            rows = [{"host": host, **item} for item in base]
            rows += [{"host": host, "name": f"Local Tool {a}-{r}-{j}", "source": "programs"} for j in range(19)]
            rows.append({"host": host, **(KES if a % 10 == 0 else {"name": f"Agent {r}", "source": "programs"})})
            titles.update(orjson.dumps(row, option=orjson.OPT_SORT_KEYS) for row in rows)
            bundles.append(gzip.compress(b"".join(orjson.dumps(row) + b"\n" for row in rows), mtime=0))
        per_agent.append(bundles)
        pairs += len(titles)
    return per_agent, pairs


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for name, table in (
            ("artifacts", Artifact),
            ("hosts", Host),
            ("titles", Title),
            ("installations", Installation),
            ("findings", Finding),
            ("pushes", AgentPush),
        ):
            out[name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if "host_titles" in inspect(conn).get_table_names():  # unattributed titles: one compact row per host
            out["installations"] += conn.execute(
                select(func.coalesce(func.sum(text("titles")), 0)).select_from(text("host_titles"))
            ).scalar_one()
        out["ingested_pushes"] = conn.execute(
            select(func.count()).select_from(AgentPush).where(AgentPush.status == "ingested")
        ).scalar_one()
    engine.dispose()
    return out


def custody_links(url: str) -> dict[str, int]:
    """Verify the custody chain (chaining what pushes left pending, as `custody verify` does); links per kind."""
    service = Service(url)
    try:
        report = service.custody_verify()
        with service.store.engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, count(*) FROM custody_chain GROUP BY kind")).all()
    finally:
        service.close()
    return {"verified": int(report.ok), **{kind: n for kind, n in rows}}


def queued_now(url: str) -> int | None:
    """Bundles the server's intake holds not applied yet; None for a server without an intake."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if "push_intake" not in inspect(conn).get_table_names():
                return None
            return int(conn.execute(text("SELECT count(*) FROM push_intake WHERE state = 'queued'")).scalar_one())
    finally:
        engine.dispose()


def drained(url: str, deadline: float) -> float:
    """Wait until the intake holds nothing queued (every 0.1 s, one connection); returns when (perf_counter)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                if conn.execute(text("SELECT count(*) FROM push_intake WHERE state = 'queued'")).scalar_one() == 0:
                    return time.perf_counter()
                conn.commit()  # a new snapshot next time
                time.sleep(0.1)
    finally:
        engine.dispose()
    raise SystemExit("the queued bundles were not all applied in time")


def outcomes(url: str) -> dict[str, int]:
    """Receipts by outcome (ingested, duplicate, refused, failed; "" while queued)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM push_intake GROUP BY status")).all()
    finally:
        engine.dispose()
    return {status: n for status, n in sorted(rows)}


async def run_agents(
    url: str, tokens: list[str], per_agent: list[list[bytes]], client: str = "aiohttp", wait: bool = False
) -> tuple[list[float], dict[int, int]]:
    """Every agent pushes its bundles one after another, all agents at once, over keep-alive connections."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    post = await (_aiohttp_poster if client == "aiohttp" else _httpx_poster)(url, len(per_agent), wait)
    try:

        async def agent(i: int) -> None:
            headers = {
                "Authorization": f"Bearer {tokens[i % len(tokens)]}",
                "X-Vendorscope-Agent": f"agent-{i}",
                "Content-Type": "application/gzip",
            }
            for body in per_agent[i]:
                start = time.perf_counter()
                for attempt in range(ATTEMPTS):  # as `push_bundle` does: a lost connection is retried (idempotent)
                    try:
                        status = await post.send(body, headers)
                        break
                    except post.transport_errors:
                        statuses[-1] = statuses.get(-1, 0) + 1
                        await asyncio.sleep(0.2 * 2**attempt)
                else:
                    raise SystemExit("an agent could not push after all its attempts")
                latencies.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1

        await asyncio.gather(*(agent(i) for i in range(len(per_agent))))
    finally:
        await post.close()
    return latencies, statuses


@dataclass(frozen=True)
class _Poster:
    """One HTTP client: the POST of a bundle (its status code), the errors an agent retries, and closing it."""

    send: Callable[[bytes, dict[str, str]], Awaitable[int]]
    transport_errors: type[Exception] | tuple[type[Exception], ...]
    close: Callable[[], Awaitable[object]]


async def _aiohttp_poster(url: str, connections: int, wait: bool) -> _Poster:
    session = aiohttp.ClientSession(
        base_url=url, connector=aiohttp.TCPConnector(limit=connections), timeout=aiohttp.ClientTimeout(total=120)
    )

    async def send(body: bytes, headers: dict[str, str]) -> int:
        async with session.post(BUNDLES + ("?wait=1" if wait else ""), data=body, headers=headers) as response:
            await response.read()
            return response.status

    return _Poster(send, (aiohttp.ClientConnectionError, asyncio.TimeoutError), session.close)


async def _httpx_poster(url: str, connections: int, wait: bool) -> _Poster:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    client = httpx.AsyncClient(base_url=url, timeout=120, limits=limits)

    async def send(body: bytes, headers: dict[str, str]) -> int:
        response = await client.post(BUNDLES + ("?wait=1" if wait else ""), content=body, headers=headers)
        return response.status_code

    return _Poster(send, httpx.TransportError, client.aclose)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, port: int, processes: int, threads: int | None) -> subprocess.Popen[bytes]:
    command = ["serve", "--db", db, "--port", str(port), "--log-level", "warning", "--processes", str(processes)]
    command += ["--workers", str(threads)] if threads else []
    # A session of its own: the server and its worker processes are stopped together, whatever state they are in.
    proc = subprocess.Popen(
        [sys.executable, "-m", "vendorscope", *command], stdout=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 300  # a shared machine can take long to import the server
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2).status_code == 200:
                settle(proc.pid, deadline)
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def settle(pid: int, deadline: float) -> None:
    """Wait until every server process has finished starting (uses no CPU for a second).

    The first process to answer is not the last to start: under load the other one was still importing, and
    the 200 connections of the burst all went to the first, which kept them (keep-alive) for the whole run.
    """
    while time.monotonic() < deadline:
        before = server_cpu(pid)
        time.sleep(1.0)
        after = server_cpu(pid)
        if len(after) >= len(before) and all(after[p] - before.get(p, 0.0) < 0.05 for p in after):
            return


def cpu_seconds(pid: int, database: str) -> tuple[dict[int, float], float]:
    """CPU seconds so far of each of the server's processes, and of the PostgreSQL backends serving ``database``."""
    per_process = server_cpu(pid)  # a single server process names the database in its command line too: not ours
    backends = [
        p
        for p in psutil.process_iter(["cmdline"])
        if p.pid not in per_process and database in " ".join(p.info["cmdline"] or [])
    ]
    return per_process, sum(_used(p) for p in backends)


def postgres_cpu() -> float | None:
    """CPU seconds so far of the whole local PostgreSQL server: the postmaster, its processes, and the backends
    it has reaped (the pool's closed connections included, and any other database's: say so when quoting it).
    None when no postmaster runs on this machine."""
    for process in psutil.process_iter(["name", "ppid"]):
        try:
            parent = psutil.Process(process.info["ppid"]).name() if process.info["ppid"] else ""
        except psutil.Error:
            parent = ""
        if process.info["name"] == "postgres" and parent != "postgres":
            try:
                times = process.cpu_times()
            except psutil.Error:
                return None
            reaped = times.children_user + times.children_system
            return float(times.user + times.system + reaped) + sum(_used(child) for child in process.children())
    return None


def server_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of the server's process and each of its children, by process id."""
    server = psutil.Process(pid)
    return {p.pid: _used(p) for p in [server, *server.children(recursive=True)]}


def _used(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0  # gone meanwhile
    return float(times.user + times.system)


def sessions(admin: Engine, database: str) -> int:
    """Sessions the database has had so far (PostgreSQL 14 and later count them; earlier ones give 0)."""
    with admin.connect() as conn:
        try:
            found = conn.execute(text("SELECT sessions FROM pg_stat_database WHERE datname = :d"), {"d": database})
            return int(found.scalar_one())
        except SQLAlchemyError:
            return 0


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server; kill its whole process group when it does not stop in 30 s (requests hung on locks)."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        print("the server did not stop within 30 s of SIGTERM: killed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2, help="server processes (`serve --processes`)")
    parser.add_argument("--threads", type=int, help="request threads per process (`serve --workers`; its default)")
    parser.add_argument("--client", choices=("aiohttp", "httpx"), default="aiohttp", help="the load generator's")
    parser.add_argument("--wait", action="store_true", help="push with ?wait=1: applied before each answer")
    parser.add_argument(
        "--pg", default=os.environ.get("VENDORSCOPE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    name = f"vs_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = args.pg.rsplit("/", 1)[0] + f"/{name}"
    proc = None
    try:
        service = Service(db)
        tokens = [service.accounts.create_token(f"bench {org or 'root'}", org, actor="bench") for org in ORGS]
        service.close()
        per_agent, pairs = make_bundles(args.agents, args.rounds, args.items, seed=8)
        total = sum(len(b) for b in per_agent)
        port = free_port()
        proc = start_server(db, port, args.processes, args.threads)
        before = counts(db)
        cpu_start = cpu_seconds(proc.pid, name)
        postgres_start = postgres_cpu()
        sessions_start = sessions(admin, name)
        started = time.perf_counter()
        generator_start = resource.getrusage(resource.RUSAGE_SELF)
        base = f"http://127.0.0.1:{port}"
        latencies, statuses = asyncio.run(run_agents(base, tokens, per_agent, args.client, args.wait))
        elapsed = time.perf_counter() - started
        generator = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(generator_start)
        intake = queued_now(db) is not None and 202 in statuses
        applied = (drained(db, time.monotonic() + 900) if intake else time.perf_counter()) - started
        after = counts(db)
        _, again = asyncio.run(run_agents(base, tokens, [b[:1] for b in per_agent], args.client, args.wait))
        if intake:
            drained(db, time.monotonic() + 900)
        final = counts(db)
        receipts = outcomes(db) if queued_now(db) is not None else {}
        cpu_end = cpu_seconds(proc.pid, name)
        postgres_end = postgres_cpu()
        opened = sessions(admin, name) - sessions_start
        chained = custody_links(db)
        report(
            args, total, pairs, elapsed, applied, latencies, statuses, before, after, again, final, chained, receipts
        )
        per_process = [cpu_end[0][p] - cpu_start[0].get(p, 0.0) for p in sorted(cpu_end[0])]
        served, backends = sum(per_process), cpu_end[1] - cpu_start[1]
        requests = total + len(per_agent)
        print(
            f"CPU during both waves ({requests} requests): server {served:.1f} s, its PostgreSQL backends "
            f"{backends:.1f} s; {1000 * (served + backends) / requests:.0f} ms per request"
        )
        if postgres_start is not None and postgres_end is not None:
            print(f"the whole PostgreSQL server during both waves, backends closed meanwhile included (and any other "
                  f"database's work): {postgres_end - postgres_start:.1f} CPU-s")  # fmt: skip
        print(f"server CPU per process (the supervisor first): {' / '.join(f'{cpu:.1f}' for cpu in per_process)} s")
        print(f"PostgreSQL sessions begun during both waves: {opened} (a pool that closes connections opens new ones)")
        print(f"load generator ({args.client}) during the first wave: {generator:.1f} CPU-s, "
              f"{1000 * generator / total:.1f} ms per bundle")  # fmt: skip
    finally:
        if proc is not None:
            stop(proc)
            server = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server's processes, once waited for
            own = resource.getrusage(resource.RUSAGE_SELF)
            print(f"CPU in all, start-up included: server {server.ru_utime + server.ru_stime:.1f} s, "
                  f"load generator and set-up {own.ru_utime + own.ru_stime:.1f} s")  # fmt: skip
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def report(
    args, total, pairs, elapsed, applied, latencies, statuses, before, after, again, final, chained, receipts
) -> None:  # type: ignore[no-untyped-def]
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    queued = 202 in statuses
    print(
        f"agents {args.agents}, bundles {total} ({args.rounds} each), {args.items} items per bundle, "
        f"PostgreSQL, {args.processes} server processes, {args.threads or 'default'} threads each, {args.client}, "
        f"{'queued (202)' if queued else 'applied before the answer'}"
    )
    print(
        f"wall {elapsed:.1f} s, {total / elapsed:.1f} bundles/s answered, {total * args.items / elapsed:,.0f} items/s"
    )
    print(f"applied: every bundle after {applied:.1f} s, {total / applied:.1f} bundles/s applied")
    print(f"latency p50 {statistics.median(latencies):.3f} s, p99 {p99:.3f} s, max {latencies[-1]:.3f} s")
    if receipts:
        print(f"receipts by outcome: {receipts}")
    retried = statuses.pop(-1, 0)
    again.pop(-1, None)
    print(f"connection errors retried: {retried}")
    print(f"HTTP statuses: {statuses}; second wave (same first bundles again): {again}")
    print(f"counts before: {before}")
    print(f"counts after:  {after}")
    print(f"counts final:  {final}")
    print(f"custody chain: {chained}")
    checks = {
        "every bundle answered 201 (or 202, and every receipt ingested)": statuses == {201: total}
        or (statuses == {202: total} and receipts == {"ingested": total}),
        "artifacts = bundles": after["artifacts"] - before["artifacts"] == total,
        "ingested pushes = bundles": after["ingested_pushes"] == total,
        "hosts = agents": after["hosts"] == args.agents,
        "installations = distinct (host, title) pairs": after["installations"] == pairs,
        "findings = hosts with Kaspersky": after["findings"] == len(range(0, args.agents, 10)),
        "second wave all duplicates": again == {200: args.agents},
        "second wave wrote no evidence": {k: v for k, v in final.items() if k != "pushes"}
        == {k: v for k, v in after.items() if k != "pushes"},
        "custody chain verifies, one link per artifact and per push": chained.get("verified") == 1
        and chained.get("artifact") == final["artifacts"]
        and chained.get("push") == final["pushes"],
    }
    for label, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    target = total / elapsed >= 50 and total / applied >= 50 and p99 < 2.0
    print(f"targets (>= 50 bundles/s answered and applied, p99 < 2 s): {'met' if target else 'NOT met'}")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
