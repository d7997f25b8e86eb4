"""Queued pushes (issue 13, item 3): answered 202 once durably in the intake, applied once by the applier in
groups, the outcome on a receipt only the pushing token reads; scope checked at intake and again at apply; the
intake bounded; a stopped server's queue applied by the next start. SQLite and PostgreSQL (``db_url``); the
last test stops a real server process (PostgreSQL) with SIGKILL while it applies.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from tests.server_support import (
    KES,
    app_client,
    bundle,
    fast_hashing,
    free_port,
    outcome,
    push,
    server_service,
    setup_accounts,
)
from vendorscope.cli.server import push_bundle
from vendorscope.server import push as push_module
from vendorscope.server.push import AgentIngest
from vendorscope.store.tables import AgentPush, Artifact, Finding, Host, HostOrg, PushIntake


def _count(service, table, *where) -> int:  # type: ignore[no-untyped-def]
    with service.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_a_queued_push_is_answered_202_applied_once_and_its_receipt_tells_the_outcome(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        data = bundle("ws-1", KES)
        queued = push(client, tokens.prime, data, agent="ws-1-agent", wait=False)
        assert queued.status_code == 202, queued.text
        receipt = queued.json()["receipt"]
        assert queued.json()["status"] == "queued"
        assert queued.headers["location"] == f"/api/v1/agents/receipts/{receipt}"
        done = outcome(client, tokens.prime, receipt)
        assert (done["status"], done["code"], done["items"], done["hosts"]) == ("ingested", 201, 2, 1)
        assert done["applied_at"] is not None and done["sha256"] == queued.json()["sha256"]
        # The findings of its host were refreshed with it (one commit), the bytes dropped from the intake.
        assert [f["host"] for f in service.findings("kaspersky")] == ["ws-1"]
        assert _count(service, PushIntake, PushIntake.data.is_not(None)) == 0
        # The same bundle again: already received, said at once with the same receipt; nothing queued, nothing doubled.
        again = push(client, tokens.prime, data, agent="ws-1-agent", wait=False)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        assert again.json()["receipt"] == receipt
        assert _count(service, Artifact) == 1 and _count(service, PushIntake) == 1
        with service.store.engine.connect() as conn:
            pushes = conn.execute(select(AgentPush.agent, AgentPush.status)).all()
        assert pushes == [("ws-1-agent", "ingested")]
        assert service.custody_verify().ok


def test_receipts_are_read_only_by_the_token_that_pushed(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        receipt = push(client, tokens.prime, bundle("ws-1"), wait=False).json()["receipt"]
        path = f"/api/v1/agents/receipts/{receipt}"
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": f"Bearer {tokens.sub}"}).status_code == 404
        assert client.get(path, headers={"Authorization": f"Bearer {tokens.root}"}).status_code == 404
        assert client.get(path + "x", headers={"Authorization": f"Bearer {tokens.prime}"}).status_code == 404
        assert outcome(client, tokens.prime, receipt)["status"] == "ingested"


def test_unreadable_bundles_are_refused_before_they_are_queued(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        response = push(client, tokens.prime, b"\x1f\x8b\x08garbage", wait=False)
        assert response.status_code == 422 and response.json()["status"] == "failed"
        response = push(client, tokens.prime, b"not an inventory at all\n", wait=False)
        assert response.status_code == 422 and "format not recognized" in response.json()["problems"][0]
        assert _count(service, PushIntake) == 0 and _count(service, Artifact) == 0
        assert _count(service, AgentPush, AgentPush.status == "failed") == 2


def test_scope_is_checked_at_the_intake_and_again_when_applied(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        assert push(client, tokens.prime, bundle("prime-ws", KES)).status_code == 201
        installations_before = _count(service, Artifact)
        # The subcontractor names the prime's host first: refused at the intake, nothing queued.
        refused = push(client, tokens.sub, bundle("prime-ws", {"name": "Injected", "source": "programs"}), wait=False)
        assert refused.status_code == 403 and "prime-ws" in refused.json()["detail"]
        assert _count(service, PushIntake) == 0
        # Its own host first and the prime's after it: queued, then refused whole by the applier.
        mixed = push(client, tokens.sub, bundle("sub-ws") + bundle("prime-ws", seed="x"), wait=False)
        assert mixed.status_code == 202
        done = outcome(client, tokens.sub, mixed.json()["receipt"])
        assert (done["status"], done["code"]) == ("refused", 403) and "prime-ws" in done["problems"][0]
        assert _count(service, Artifact) == installations_before
        assert _count(service, Host, Host.name == "sub-ws") == 0  # nothing of the refused bundle stayed


def test_a_token_revoked_while_its_bundle_waits_is_refused_when_applied(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        service.agents.applier.close()  # the applier is driven by hand below, in this thread
        receipt = push(client, tokens.other, bundle("other-ws", KES), wait=False).json()["receipt"]
        token_id = next(t["id"] for t in service.accounts.list_tokens() if t["org"] == "other")
        service.accounts.revoke_token(token_id)
        assert service.agents.apply_queued() == 1
        with service.store.engine.connect() as conn:
            status, code = conn.execute(
                select(PushIntake.status, PushIntake.code).where(PushIntake.receipt == receipt)
            ).one()
        assert (status, code) == ("refused", 403)
        assert _count(service, Artifact) == 0 and _count(service, Host) == 0


def test_a_full_intake_answers_503_with_retry_after(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        service.agents.applier.close()  # nothing is applied: the queue only grows
        service.agents.most_queued = 2
        first = push(client, tokens.prime, bundle("ws-1"), wait=False)
        assert first.status_code == 202
        assert push(client, tokens.prime, bundle("ws-2"), wait=False).status_code == 202
        full = push(client, tokens.prime, bundle("ws-3"), wait=False)
        assert full.status_code == 503 and int(full.headers["retry-after"]) > 0
        # The same bundle as a queued one takes no room: it is already there, with its receipt.
        same = push(client, tokens.prime, bundle("ws-1"), wait=False)
        assert same.status_code == 202 and same.json()["receipt"] == first.json()["receipt"]
        assert _count(service, PushIntake) == 2
        service.agents.most_queued, service.agents.most_queued_bytes = 100, 10
        assert push(client, tokens.prime, bundle("ws-3"), wait=False).status_code == 503  # bounded by bytes too
        assert service.agents.apply_queued() == 2
        assert _count(service, Artifact) == 2 and _count(service, PushIntake, PushIntake.state == "queued") == 0


def test_queued_pushes_in_groups_lose_and_double_nothing(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        shared = [{"name": f"Shared Tool {i}", "source": "programs"} for i in range(30)]
        bundles = [bundle(f"ws-{i % 12}", KES, *shared, seed=str(i)) for i in range(36)]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda b: push(client, tokens.prime, b, wait=False), bundles + bundles[:10]))
        assert all(a.status_code in (200, 202) for a in answers), [(a.status_code, a.text) for a in answers]
        # A copy pushed after its original was queued shares its receipt; one pushed at the same instant may get
        # a receipt of its own, which the applier then finds a duplicate.
        receipts = {a.json()["receipt"] for a in answers}
        assert 36 <= len(receipts) <= 46
        outcomes = Counter(outcome(client, tokens.prime, r)["status"] for r in sorted(receipts))
        assert outcomes["ingested"] == 36 and outcomes["duplicate"] == len(receipts) - 36, outcomes
        assert _count(service, Artifact) == 36 and _count(service, Host) == 12
        assert len(service.findings("kaspersky")) == 12
        report = service.custody_verify()
        assert report.ok and report.pending == 0, report.problems


def test_bundles_a_stopped_server_left_queued_are_applied_by_the_next_start(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        service.agents.applier.close()  # stopped before it applied anything
        receipts = [push(client, tokens.prime, bundle(f"ws-{i}", KES), wait=False).json()["receipt"] for i in range(5)]
        assert _count(service, PushIntake, PushIntake.state == "queued") == 5 and _count(service, Artifact) == 0
    with app_client(db_url) as (service, client):  # the next start: the applier drains what was left
        assert [outcome(client, tokens.prime, r)["status"] for r in receipts] == ["ingested"] * 5
        assert _count(service, Artifact) == 5 and len(service.findings("kaspersky")) == 5
        assert push(client, tokens.prime, bundle("ws-0", KES), wait=False).json()["status"] == "duplicate"


def test_the_push_client_follows_a_receipt_to_its_outcome() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            body = {"status": "queued", "receipt": "r1", "sha256": "x", "items": 0, "hosts": 0, "problems": []}
            return httpx.Response(202, json=body, headers={"Location": "/api/v1/agents/receipts/r1"})
        if len(seen) < 4:
            return httpx.Response(200, json={"status": "queued", "receipt": "r1"})
        return httpx.Response(200, json={"status": "ingested", "code": 201, "items": 3, "hosts": 1, "problems": []})

    client = httpx.Client(transport=httpx.MockTransport(handle))
    result = push_bundle(b'{"host": "a", "name": "b"}\n', "https://vs.example", "vst_x", client=client)
    assert result["status"] == "ingested" and result["items"] == 3
    assert seen == ["POST /api/v1/agents/bundles"] + ["GET /api/v1/agents/receipts/r1"] * 3
    queued = push_bundle(b"x", "https://vs.example", "vst_x", client=client, wait=0)
    assert queued["status"] == "queued" and queued["receipt"] == "r1"


def _serve(db: str, port: int, cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "vendorscope", "serve", "--db", db, "--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("the server did not start")


def test_a_server_killed_while_it_applies_loses_and_doubles_nothing(pg_url: str, tmp_path: Path) -> None:
    """A real server process killed (SIGKILL) right after answering 202s: the next start applies the rest."""
    service = server_service(pg_url)
    with fast_hashing():
        token = service.accounts.create_token("office", "prime")
    service.close()
    bundles = [bundle(f"ws-{i}", KES, seed=str(i)) for i in range(40)]
    port = free_port()
    proc = _serve(pg_url, port, tmp_path)
    try:
        url = f"http://127.0.0.1:{port}"
        receipts = [push_bundle(b, url, token, wait=0)["receipt"] for b in bundles]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # no shutdown: whatever group was being applied is rolled back
        proc.wait(timeout=30)
    proc = _serve(pg_url, port, tmp_path)
    try:
        url = f"http://127.0.0.1:{port}"
        again = [push_bundle(b, url, token, wait=300) for b in bundles]  # each: queued, or its outcome
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert {a["receipt"] for a in again} == set(receipts)
    assert Counter(a["status"] for a in again) <= Counter({"duplicate": 40, "ingested": 40})
    service = server_service(pg_url)
    try:
        assert _count(service, Artifact) == 40 and _count(service, Host) == 40
        assert _count(service, AgentPush, AgentPush.status == "ingested") == 40
        assert _count(service, PushIntake, PushIntake.status == "ingested") == 40
        assert _count(service, Finding) == 40
        assert service.custody_verify().ok
    finally:
        service.close()


def test_two_appliers_apply_their_lanes_side_by_side_once_each(pg_url: str) -> None:
    """Two server processes' appliers (two services here, one thread each) drain the queue together: one per
    lane at a time, every bundle applied once, shared new titles inserted without either waiting for the other."""
    first, second = server_service(pg_url), server_service(pg_url)
    try:
        first.prepare_server()
        with fast_hashing():
            token = first.accounts.create_token("office", "prime")
        agent = first.accounts.token_principal(token)
        for service in (first, second):
            service.agents.applier.close()  # driven by hand below
        shared = [{"name": f"Shared Tool {i}", "source": "programs"} for i in range(40)]
        for i in range(48):
            first.agents.receive(agent, f"agent-{i % 8}", bundle(f"ws-{i % 8}", KES, *shared, seed=str(i)))
        with first.store.engine.connect() as conn:
            lanes = set(conn.execute(select(PushIntake.lane).distinct()).scalars())
        assert lanes == {0, 1}  # eight agents over both lanes

        def drain(service) -> int:  # type: ignore[no-untyped-def]
            applied = 0
            while (done := service.agents.apply_queued()) != 0:
                applied += done or 0
                if done is None:
                    time.sleep(0.01)  # the other one holds the lane that still has work
            return applied

        with ThreadPoolExecutor(2) as pool:
            applied = sum(pool.map(drain, (first, second)))
        assert applied == 48
        assert _count(first, Artifact) == 48 and _count(first, Host) == 8
        assert _count(first, PushIntake, PushIntake.status == "ingested") == 48
        assert len(first.findings("kaspersky")) == 8
        assert first.custody_verify().ok
    finally:
        first.close()
        second.close()


def _drain(service) -> int:  # type: ignore[no-untyped-def]
    """Apply by hand until nothing is queued; how many bundles."""
    applied = 0
    while (done := service.agents.apply_queued()) != 0:
        applied += done or 0
    return applied


MALFORMED = gzip.compress(b'{"host": "ws-9", "name": ""}\n{"host": "ws-9"}\n', mtime=0)  # queued; no row readable


def test_a_group_written_as_one_gives_each_bundle_its_own_outcome(db_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Good bundles, one out of scope (a later host of another org), one known before any push (the root's), one
    malformed, applied as one group per lane: each its own outcome, nothing of the bad ones kept, an agent's
    bundles in the order received, one push record and one custody link each."""
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        assert push(client, tokens.prime, bundle("prime-ws", KES)).status_code == 201  # the prime's host
        (tmp_path / "inv.jsonl").write_bytes(gzip.decompress(bundle("legacy-ws")))
        assert service.ingest([tmp_path / "inv.jsonl"]).ok  # known before any push: the root's
        service.agents.applier.close()  # driven by hand below
        singly = []
        monkeypatch.setattr(AgentIngest, "_apply_singly", lambda *a: singly.append(a) or ([], [], set()))
        pushed = [
            (tokens.prime, "a1", bundle("ws-a", KES), ("ingested", 201)),
            (tokens.sub, "s1", bundle("sub-ws") + bundle("prime-ws", seed="x"), ("refused", 403)),
            (tokens.prime, "a2", MALFORMED, ("failed", 422)),
            (tokens.prime, "a3", bundle("ws-b") + bundle("legacy-ws", seed="p"), ("refused", 403)),
            (tokens.prime, "a1", bundle("ws-a", {"name": "Tool 2", "source": "programs"}, seed="2"), ("ingested", 201)),
            (tokens.sub, "s2", bundle("sub-ws2"), ("ingested", 201)),
            (tokens.root, "r1", bundle("legacy-ws", seed="r"), ("ingested", 201)),
        ]
        receipts = []
        for token, agent, data, _ in pushed:
            answer = push(client, token, data, agent=agent, wait=False)
            assert answer.status_code == 202, answer.text
            receipts.append(answer.json()["receipt"])
        artifacts_before = _count(service, Artifact)
        assert _drain(service) == len(pushed) and not singly  # one group per lane, written as one
        for (token, _, _, expected), receipt in zip(pushed, receipts, strict=True):
            done = outcome(client, token, receipt)
            assert (done["status"], done["code"]) == expected, done
        assert "prime-ws" in outcome(client, tokens.sub, receipts[1])["problems"][0]
        assert "legacy-ws" in outcome(client, tokens.prime, receipts[3])["problems"][0]
        assert _count(service, Artifact) == artifacts_before + 4
        assert _count(service, Host, Host.name.in_(["sub-ws", "ws-b", "ws-9"])) == 0  # nothing of the bad ones
        with service.store.engine.connect() as conn:
            owners = dict(conn.execute(select(Host.name, HostOrg.org).join(HostOrg, HostOrg.host_id == Host.id)).all())
            records = conn.execute(
                select(AgentPush.agent, AgentPush.status, AgentPush.artifact_id).order_by(AgentPush.id)
            ).all()
        assert owners == {"prime-ws": "prime", "ws-a": "prime", "sub-ws2": "prime/sub"}  # legacy-ws: the root's
        applied = {agent: [] for _, agent, _, _ in pushed}
        for agent, status, artifact in records[1:]:  # the first: the prime's push before
            applied[agent].append((status, artifact))
        assert [s for s, _ in applied["a1"]] == ["ingested", "ingested"]
        assert applied["a1"][0][1] < applied["a1"][1][1]  # in the order received
        assert [s for agent in ("s1", "a2", "a3", "s2", "r1") for s, _ in applied[agent]] == [
            "refused", "failed", "refused", "ingested", "ingested",
        ]  # fmt: skip
        assert [f["host"] for f in service.findings("kaspersky")] == ["prime-ws", "ws-a"]
        report = service.custody_verify()
        assert report.ok, report.problems
        with service.store.engine.connect() as conn:
            links = dict(conn.execute(text("SELECT kind, count(*) FROM custody_chain GROUP BY kind")).all())
        assert links["push"] == len(records) and links["artifact"] == _count(service, Artifact)


def test_a_group_whose_write_fails_is_applied_again_a_bundle_at_a_time_doubling_nothing(
    db_url: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The group's write fails at its end (a concurrent writer, say) after its rows went in: the transaction keeps
    nothing, and the same bundles are applied again one at a time, each once, with the outcome it would have had."""
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        assert push(client, tokens.prime, bundle("prime-ws", KES)).status_code == 201
        service.agents.applier.close()
        write = push_module._Claims.write
        failed = []

        def failing_write(self, conn) -> None:  # type: ignore[no-untyped-def]
            write(self, conn)  # the group's rows are in its transaction: the failure must undo them
            if not failed:
                failed.append(1)
                raise OperationalError("INSERT INTO agent_pushes", {}, Exception("deadlock detected"))

        monkeypatch.setattr(push_module._Claims, "write", failing_write)
        pushed = [
            (tokens.prime, "a1", bundle("ws-a", KES), "ingested"),
            (tokens.sub, "s1", bundle("sub-ws") + bundle("prime-ws", seed="x"), "refused"),
            (tokens.prime, "a1", bundle("ws-a", seed="2"), "ingested"),
            (tokens.sub, "s2", bundle("sub-ws2", KES), "ingested"),
        ]
        receipts = [push(client, t, data, agent=a, wait=False).json()["receipt"] for t, a, data, _ in pushed]
        assert _drain(service) == len(pushed) and failed == [1]
        assert [outcome(client, t, r)["status"] for (t, _, _, _), r in zip(pushed, receipts, strict=True)] == [
            status for *_, status in pushed
        ]
        assert _count(service, Artifact) == 1 + 3 and _count(service, AgentPush) == 1 + 4
        assert _count(service, HostOrg) == 3 and _count(service, Host) == 3
        assert _count(service, PushIntake, PushIntake.state == "done") == 4
        assert sorted(f["host"] for f in service.findings("kaspersky")) == ["prime-ws", "sub-ws2", "ws-a"]
        report = service.custody_verify()
        assert report.ok, report.problems
        with service.store.engine.connect() as conn:
            links = dict(conn.execute(text("SELECT kind, count(*) FROM custody_chain GROUP BY kind")).all())
        assert (links["artifact"], links["push"]) == (4, 5)
