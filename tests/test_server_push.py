"""Agent push: token checks, idempotent ingest with custody, host ownership, and the org scope of tokens."""

from __future__ import annotations

import hashlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text

from tests.server_support import KES, app_client, bundle, push, setup_accounts
from vendorscope.config import Settings
from vendorscope.service import Service
from vendorscope.store import custody
from vendorscope.store.tables import AgentPush, Artifact, CustodyEntry, Host, HostOrg, HostTitles, Installation


def _count(service, table) -> int:  # type: ignore[no-untyped-def]
    """Rows of ``table``; for installations every (host, title) pair, attributed rows and compact ones."""
    with service.store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if table is Installation:
            rows += conn.execute(select(func.coalesce(func.sum(HostTitles.titles), 0))).scalar_one()
        return rows


def test_push_ingests_once_and_records_the_agent(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        data = bundle("ws-1", KES)
        first = push(client, tokens.prime, data, agent="ws-1-agent")
        assert first.status_code == 201, first.text
        assert first.json()["status"] == "ingested" and first.json()["items"] == 2
        again = push(client, tokens.prime, data, agent="ws-1-agent")
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        assert _count(service, Artifact) == 1 and _count(service, Installation) == 2
        with service.store.engine.connect() as conn:
            sha = conn.execute(select(Artifact.sha256)).scalar_one()
            pushes = conn.execute(select(AgentPush.agent, AgentPush.status, AgentPush.artifact_id)).all()
            owner = conn.execute(select(HostOrg.org).join(Host, Host.id == HostOrg.host_id)).scalar_one()
        assert sha == hashlib.sha256(data).hexdigest()  # custody: the hash of the bytes as received
        assert [(a, s) for a, s, _ in pushes] == [("ws-1-agent", "ingested"), ("ws-1-agent", "duplicate")]
        assert owner == "prime"
        assert [f["host"] for f in service.findings("kaspersky")] == ["ws-1"]


def test_unknown_or_revoked_tokens_are_refused(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        assert push(client, "vst_not-a-token", bundle("ws-1")).status_code == 401
        assert client.post("/api/v1/agents/bundles", content=bundle("ws-1")).status_code == 401
        token_id = next(t["id"] for t in service.accounts.list_tokens() if t["org"] == "other")
        service.accounts.revoke_token(token_id)
        assert push(client, tokens.other, bundle("ws-1")).status_code == 401
        assert _count(service, Artifact) == 0


def test_unreadable_bundle_is_422_and_writes_nothing(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        response = push(client, tokens.prime, b"\x1f\x8b\x08garbage")
        assert response.status_code == 422 and response.json()["status"] == "failed"
        response = push(client, tokens.prime, b"not an inventory at all\n")
        assert response.status_code == 422 and "format not recognized" in response.json()["problems"][0]
        assert _count(service, Artifact) == 0 and _count(service, Host) == 0


def test_contractor_token_cannot_push_hosts_outside_its_org(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        assert push(client, tokens.prime, bundle("prime-ws", KES)).status_code == 201
        assert push(client, tokens.other, bundle("other-ws")).status_code == 201
        hosts_before = _count(service, Installation)
        # The subcontractor names the prime's host: refused whole, nothing of the bundle stays.
        refused = push(client, tokens.sub, bundle("prime-ws", {"name": "Injected", "source": "programs"}))
        assert refused.status_code == 403 and "prime-ws" in refused.json()["detail"]
        mixed = push(client, tokens.sub, bundle("sub-ws") + bundle("other-ws", seed="x"))
        assert mixed.status_code == 403
        assert _count(service, Installation) == hosts_before and _count(service, Artifact) == 2
        with service.store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Host).where(Host.name == "sub-ws")).scalar_one() == 0
            statuses = [s for (s,) in conn.execute(select(AgentPush.status).order_by(AgentPush.id))]
        assert statuses[-2:] == ["refused", "refused"]
        # The prime's token reaches its subcontractor's hosts; the root token reaches everything.
        assert push(client, tokens.sub, bundle("sub-ws")).status_code == 201
        assert push(client, tokens.prime, bundle("sub-ws", seed="later")).status_code == 201
        assert push(client, tokens.root, bundle("other-ws", seed="hq")).status_code == 201


def test_hosts_known_before_any_push_belong_to_the_root(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        (tmp_path / "inv.jsonl").write_bytes(gzip_plain(bundle("legacy-ws")))
        service.ingest([tmp_path / "inv.jsonl"])
        assert push(client, tokens.prime, bundle("legacy-ws", seed="p")).status_code == 403
        assert push(client, tokens.root, bundle("legacy-ws", seed="r")).status_code == 201


def gzip_plain(data: bytes) -> bytes:
    import gzip

    return gzip.decompress(data)


def test_concurrent_pushes_lose_and_double_nothing(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        shared = [{"name": f"Shared Tool {i}", "source": "programs"} for i in range(30)]
        bundles = [bundle(f"ws-{i % 12}", KES, *shared, seed=str(i)) for i in range(36)]
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda b: push(client, tokens.prime, b).status_code, bundles + bundles[:10]))
        assert sorted(codes) == sorted([201] * 36 + [200] * 10)
        assert _count(service, Artifact) == 36
        assert _count(service, Host) == 12
        # per host: Kaspersky and the 30 shared tools; plus one "Notepad <seed>" per bundle
        assert _count(service, Installation) == 12 * 31 + 36
        assert len(service.findings("kaspersky")) == 12
        # Their custody links went in pending; the server's linker chained each once, in a chain that verifies.
        service.agents.linker.close()  # one last round, then stop
        with service.store.engine.connect() as conn:
            assert custody.pending(conn) == []
            kinds = Counter(conn.execute(select(CustodyEntry.kind)).scalars())
            subjects = list(conn.execute(select(CustodyEntry.subject).where(CustodyEntry.kind == "artifact")).scalars())
            seqs = list(conn.execute(select(CustodyEntry.seq).order_by(CustodyEntry.seq)).scalars())
        assert kinds == {"artifact": 36, "push": 46} and len(set(subjects)) == 36
        assert seqs == list(range(1, 83))
        report = service.custody_verify()
        assert report.ok and report.entries == 82 and report.pending == 0, report.problems


def test_a_push_does_not_wait_for_the_custody_chains_head(pg_url: str) -> None:
    """A transaction holding the head (an ingest about to commit) no longer holds pushes back."""
    with app_client(pg_url) as (service, client):
        tokens = setup_accounts(service)
        holder = service.store.engine.connect()
        holder.begin()
        holder.execute(text("UPDATE custody_head SET seq = seq"))  # the head's row lock, as an appender takes it
        try:
            with ThreadPoolExecutor(1) as pool:
                answer = pool.submit(push, client, tokens.prime, bundle("ws-1", KES))
                code = answer.result(timeout=120).status_code  # before this change: waits for the holder
        finally:
            holder.rollback()
            holder.close()
        assert code == 201
        with service.store.engine.connect() as conn:
            assert _count(service, Artifact) == 1 and len(custody.pending(conn)) <= 2
        assert service.custody_verify().ok


def test_service_ingests_bytes_with_custody_and_idempotence(sqlite_service) -> None:  # type: ignore[no-untyped-def]
    data = bundle("ws-9", KES)
    first = sqlite_service.ingest_bytes(data, "upload.jsonl.gz")
    assert first.status == "ingested" and first.sha256 == hashlib.sha256(data).hexdigest()
    assert sqlite_service.ingest_bytes(data, "again.jsonl.gz").status == "duplicate"
    assert [f["host"] for f in sqlite_service.findings("kaspersky")] == ["ws-9"]
    assert _count(sqlite_service, Artifact) == 1


def test_the_servers_pool_keeps_a_connection_for_each_request_thread(pg_url: str) -> None:
    """A pool smaller than the server's threads closed a connection after most pushes under load, and the next
    push opened a new one: a PostgreSQL backend started per request."""
    settings = Settings.load(db=pg_url, threads=7)
    service = Service(settings=settings)
    try:
        engine = service.store.engine
        held = [engine.connect() for _ in range(settings.threads + 4)]  # every thread, linker, applier's 2, spare
        for conn in held:
            conn.close()
        assert engine.pool.checkedin() == settings.threads + 4  # kept open for the next requests
    finally:
        service.close()
