"""Server commands: users and tokens from the shell, and the agent side (`push`, `push_bundle` with retries)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner, Result

from tests.server_support import KES, bundle, fast_hashing, live_server, server_service
from vendorscope import cli
from vendorscope.cli.server import PushError, push_bundle
from vendorscope.errors import NotFoundError
from vendorscope.web.app import create_app


def run(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vendorscope", "--db", "s.db", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def invoke(db: Path, *args: str, stdin: str = "") -> Result:
    with fast_hashing():
        return CliRunner().invoke(cli.app, ["--db", str(db), *args], input=stdin)


def test_users_from_the_shell(tmp_path: Path) -> None:
    added = run(
        "users",
        "add",
        "Alice",
        "--role",
        "analyst",
        "--org",
        "prime",
        "--password-stdin",
        cwd=tmp_path,
        stdin="a long enough secret\n",
    )
    assert added.returncode == 0, added.stderr
    short = run("users", "add", "bob", "--role", "viewer", "--password-stdin", cwd=tmp_path, stdin="short\n")
    assert short.returncode == 1 and short.stderr.startswith("error: password too short")
    db = tmp_path / "s.db"
    assert "unknown role 'boss'" in str(
        invoke(
            db, "users", "add", "bob", "--role", "boss", "--password-stdin", stdin="a long enough secret\n"
        ).exception
    )
    assert invoke(db, "users", "disable", "alice").exit_code == 0
    listing = invoke(db, "users", "list").stdout
    assert "alice" in listing and "analyst" in listing and "prime" in listing and "disabled" in listing
    missing = invoke(db, "users", "passwd", "nobody", "--password-stdin", stdin="x" * 12)
    assert isinstance(missing.exception, NotFoundError)


def test_tokens_from_the_shell(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    token = invoke(db, "tokens", "create", "office 1", "--org", "prime").stdout.strip()
    assert token.startswith("vst_") and len(token) > 40
    assert token not in invoke(db, "tokens", "list").stdout
    assert "invalid org" in str(invoke(db, "tokens", "create", "x", "--org", "Bad Org!").exception)
    assert invoke(db, "tokens", "revoke", "1").exit_code == 0
    assert "revoked" in invoke(db, "tokens", "list").stdout


def _transport(answers: list[int], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        code = answers.pop(0)
        if code == 0:
            raise httpx.ConnectError("refused")
        body = {"status": "ingested", "items": 1, "hosts": 1} if code < 400 else {"detail": "nope"}
        return httpx.Response(code, json=body)

    return httpx.MockTransport(handle)


def test_push_bundle_retries_transient_failures() -> None:
    seen: list[httpx.Request] = []
    client = httpx.Client(transport=_transport([0, 503, 429, 201], seen))
    result = push_bundle(
        b'{"host": "a", "name": "b"}\n', "https://vs.example", "vst_x", agent="ws-1", backoff=0.001, client=client
    )
    assert result["status"] == "ingested" and len(seen) == 4
    assert str(seen[0].url) == "https://vs.example/api/v1/agents/bundles"
    assert seen[0].headers["authorization"] == "Bearer vst_x" and seen[0].headers["x-vendorscope-agent"] == "ws-1"
    assert gzip.decompress(seen[0].content) == b'{"host": "a", "name": "b"}\n'  # sent gzip'd, same bytes each time
    assert all(r.content == seen[0].content for r in seen)


def test_push_bundle_stops_at_a_refusal_or_after_its_attempts() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(PushError, match="403 nope"):
        push_bundle(
            b"x", "https://vs.example", "t", backoff=0.001, client=httpx.Client(transport=_transport([403], seen))
        )
    assert len(seen) == 1
    with pytest.raises(PushError, match="cannot reach"):
        push_bundle(
            b"x",
            "https://vs.example",
            "t",
            attempts=3,
            backoff=0.001,
            client=httpx.Client(transport=_transport([0, 0, 0], seen)),
        )


def _push_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "vendorscope", "push", "inv.jsonl.gz", *args]
    source = str(Path(__file__).parents[1] / "src")  # this checkout's code, whatever the environment installed
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin", "PYTHONPATH": source, **(env or {})},
    )


def test_push_command_against_a_live_server(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'server.db'}"
    service = server_service(db)
    with fast_hashing():
        token = service.accounts.create_token("office", "prime")
    (tmp_path / "inv.jsonl.gz").write_bytes(bundle("ws-7", KES))
    try:
        with live_server(create_app(service)) as url:
            result = _push_cli("--url", url, "--agent", "ws-7", cwd=tmp_path, env={"VENDORSCOPE_TOKEN": token})
            assert result.returncode == 0, result.stderr
            assert "inv.jsonl.gz: ingested (2 items, 1 hosts)" in result.stdout
            again = push_bundle((tmp_path / "inv.jsonl.gz").read_bytes(), url, token)
            assert again["status"] == "duplicate"
            bad = _push_cli("--url", url, "--token", "vst_wrong", cwd=tmp_path)
            assert bad.returncode == 6 and "401" in bad.stderr and "Traceback" not in bad.stderr
        assert [f["host"] for f in service.findings("kaspersky")] == ["ws-7"]
        assert orjson.loads(orjson.dumps(service.accounts.list_tokens()))[0]["pushes"] == 2
    finally:
        service.close()


def test_multi_process_app_takes_its_settings_from_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from vendorscope.web.app import app_from_env

    monkeypatch.setenv("VENDORSCOPE_DB", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("VENDORSCOPE_INSECURE_COOKIES", "1")
    app = app_from_env()
    assert app.state.secure_cookies is False
    assert app.state.service.url == f"sqlite:///{tmp_path / 'env.db'}"
