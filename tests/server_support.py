"""Helpers shared by the server tests: an app over a fresh store, users and tokens, bundles, a live server."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vendorscope.match.matcher import Matcher
from vendorscope.server import accounts
from vendorscope.service import Service
from vendorscope.web.app import create_app
from vendorscope.web.security import LOGIN_CSRF_COOKIE

PASSWORD = "correct horse battery"
KES = {"name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab", "source": "programs"}
# (user, role, org): the agency's admin, a prime contractor's analyst, its subcontractor's viewer, a reviewer
USERS = (
    ("admin", "admin", ""),
    ("prime-analyst", "analyst", "prime"),
    ("sub-viewer", "viewer", "prime/sub"),
    ("reviewer", "reviewer", ""),
)


@dataclass
class Tokens:
    root: str
    prime: str
    sub: str
    other: str


def bundle(host: str, *items: dict[str, str], seed: str = "") -> bytes:
    """A gzip'd inventory JSONL, as an agent would push it (``seed`` makes otherwise equal bundles differ)."""
    rows = [{"host": host, "name": f"Notepad {seed}".strip(), "source": "programs"}]
    rows += [{"host": host, **item} for item in items]
    return gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in rows), mtime=0)


def setup_accounts(service: Service) -> Tokens:
    for name, role, org in USERS:
        service.accounts.add_user(name, PASSWORD, role, org)
    create = service.accounts.create_token
    return Tokens(
        create("hq", ""),
        create("prime office", "prime"),
        create("sub office", "prime/sub"),
        create("other contractor", "other"),
    )


def push(client: TestClient, token: str, data: bytes, agent: str = "agent-1", wait: bool = True):  # type: ignore[no-untyped-def]
    """A push applied before the answer (``?wait=1``: 201, 200, 403, 422), or queued (202 with a receipt)."""
    return client.post(
        "/api/v1/agents/bundles" + ("?wait=1" if wait else ""),
        content=data,
        headers={"Authorization": f"Bearer {token}", "X-Vendorscope-Agent": agent, "Content-Type": "application/gzip"},
    )


def outcome(client: TestClient, token: str, receipt: str, seconds: float = 60.0) -> dict[str, object]:
    """A queued push's receipt once applied, as the agent reads it (the applier runs in the server's thread)."""
    deadline = time.monotonic() + seconds
    while True:
        found = client.get(f"/api/v1/agents/receipts/{receipt}", headers={"Authorization": f"Bearer {token}"})
        assert found.status_code == 200, found.text
        if found.json()["status"] != "queued" or time.monotonic() > deadline:
            return found.json()  # type: ignore[no-any-return]
        time.sleep(0.05)


def login(client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/"):  # type: ignore[no-untyped-def]
    client.get("/login")
    csrf = client.cookies.get(LOGIN_CSRF_COOKIE)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf, "next": next_path},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, as the pages embed it in every form."""
    import re

    page = client.get("/").text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


_MATCHER: list[Matcher] = []


def server_service(db_url: str) -> Service:
    """A service whose catalogs and matcher are built once per test process (they take seconds)."""
    service = Service(db_url)
    if not _MATCHER:
        _MATCHER.append(service.matcher)
    service.__dict__["matcher"] = _MATCHER[0]
    service.__dict__["catalogs"] = [index.catalog for index in _MATCHER[0].indexes]
    return service


@contextmanager
def fast_hashing() -> Iterator[None]:
    """Cheap argon2 parameters for tests (the real ones take most of a second per hash, by design)."""
    real = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        yield
    finally:
        accounts._hasher = real


@contextmanager
def app_client(db_url: str) -> Iterator[tuple[Service, TestClient]]:
    service = server_service(db_url)
    app = create_app(service)
    try:
        with fast_hashing(), TestClient(app, base_url="https://testserver") as client:
            yield service, client
    finally:
        service.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
