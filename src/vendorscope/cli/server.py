"""Server commands: ``serve``, ``push`` (and ``push_bundle`` for the collector), ``users …`` and ``tokens …``."""

import gzip
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vendorscope.cli.context import Session, service, session
from vendorscope.cli.output import Format, FormatOption, emit, say
from vendorscope.config import database_url
from vendorscope.errors import VendorscopeError
from vendorscope.server.roles import ROLES

if TYPE_CHECKING:
    import httpx

BUNDLES_PATH = "/api/v1/agents/bundles"
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
users_app = typer.Typer(help="Manage the web server's users.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage agent enrollment tokens.", no_args_is_help=True)


class PushError(VendorscopeError):
    """The server refused the bundle, or could not be reached after all retries."""

    exit_code = 6


def push_bundle(
    data: bytes,
    url: str,
    token: str,
    *,
    agent: str = "",
    filename: str = "",
    attempts: int = 6,
    backoff: float = 0.5,
    timeout: float = 60.0,
    client: "httpx.Client | None" = None,
    wait: float = 600.0,
) -> dict[str, Any]:
    """Send one bundle to a vendorscope server; retries with exponential backoff and jitter.

    Safe to retry: the server ingests a bundle once, by its SHA-256. Connection errors and 408/429/5xx are retried
    (honouring Retry-After: a full intake answers 503); any other refusal raises ``PushError`` at once. The body is
    gzip'd unless it is already. A bundle the server queued (202) is followed on its receipt for up to ``wait``
    seconds, so the answer is its outcome as before (a refusal raises ``PushError`` with its code); ``wait=0``, or
    a receipt still queued at the end, returns the receipt (status "queued").
    """
    import httpx

    body = data if data[:2] == b"\x1f\x8b" else gzip.compress(data, mtime=0)
    endpoint = url.rstrip("/") if url.rstrip("/").endswith(BUNDLES_PATH) else url.rstrip("/") + BUNDLES_PATH
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
    if agent:
        headers["X-Vendorscope-Agent"] = agent
    if filename:
        headers["X-Vendorscope-Filename"] = filename
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        for attempt in range(1, attempts + 1):
            pause = backoff * 2 ** (attempt - 1) * (0.5 + random.random())
            try:
                response = http.post(endpoint, content=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise PushError(f"{endpoint}: cannot reach the server ({exc})") from exc
            else:
                if response.status_code == 202 and wait > 0:
                    return _followed(http, endpoint, response, headers, wait)
                if response.status_code < 400:
                    return response.json()  # type: ignore[no-any-return]
                if response.status_code not in RETRY_STATUSES or attempt == attempts:
                    raise PushError(f"{endpoint}: {response.status_code} {_detail(response)}")
                pause = max(pause, _retry_after(response))
            time.sleep(min(pause, 60.0))
    finally:
        if own:
            http.close()
    raise PushError(f"{endpoint}: no answer after {attempts} attempts")


def _followed(
    http: "httpx.Client", endpoint: str, queued: "httpx.Response", headers: dict[str, str], wait: float
) -> dict[str, Any]:
    """The outcome of a queued bundle, read from its receipt every 0.2 s at first, every 5 s at most."""
    import httpx

    location = queued.headers.get("location", "")
    receipt: dict[str, Any] = queued.json()
    if not location:
        return receipt
    url = endpoint.removesuffix(BUNDLES_PATH) + location if location.startswith("/") else location
    auth = {"Authorization": headers["Authorization"]}
    deadline, pause = time.monotonic() + wait, 0.2
    while receipt.get("status") == "queued" and time.monotonic() < deadline:
        time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
        pause = min(pause * 2, 5.0)
        try:
            response = http.get(url, headers=auth)
        except httpx.TransportError:
            continue  # the bundle is queued durably: read the receipt again later
        if response.status_code in RETRY_STATUSES:
            continue
        if response.status_code != 200:
            raise PushError(f"{url}: {response.status_code} {_detail(response)}")
        receipt = response.json()
    if receipt.get("status") in ("refused", "failed"):
        problems = "; ".join(receipt.get("problems", [])[:3])
        raise PushError(f"{endpoint}: {receipt.get('code', 422)} {problems} (receipt {receipt.get('receipt')})")
    return receipt


def _detail(response: "httpx.Response") -> str:
    try:
        return str(response.json().get("detail", response.text[:200]))
    except ValueError:
        return response.text[:200]


def _retry_after(response: "httpx.Response") -> float:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else 0.0


def serve(
    db: Annotated[
        str | None, typer.Option("--db", help="Store URL or SQLite path (overrides the global --db).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Cookies without Secure: only for plain HTTP off localhost [env VENDORSCOPE_INSECURE_COOKIES=1].",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Requests worked on at once per process (each with a pooled connection kept open) "
            "[env VENDORSCOPE_THREADS; default 15].",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level: warning hides the access log.")] = "info",
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, max=32, help="Server processes (to use more than one core) [env VENDORSCOPE_PROCESSES; default 1]."
        ),
    ] = None,
) -> None:
    """Run the web server: pages, the JSON API (/api/docs) and the agents' push endpoint."""
    import uvicorn

    from vendorscope.web.app import create_app

    settings = session().settings
    settings = replace(
        settings,
        db_url=database_url(db) if db else settings.db_url,
        secure_cookies=settings.secure_cookies and not insecure_cookies,
        threads=workers or settings.threads,
        processes=processes or settings.processes,
    )
    say(f"vendorscope serving on http://{host}:{port} (API docs at /api/docs)")
    if settings.processes > 1:  # each process has its own app over the same store; settings pass by environment
        os.environ.update(settings.environment())
        prepared = Session(settings)
        prepared.service.prepare_server()  # once, before the processes start
        prepared.close()
        uvicorn.run(
            "vendorscope.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=settings.processes,
            log_level=log_level,
            proxy_headers=False,
        )
        return
    svc = Session(settings).service if settings != session().settings else service()
    app = create_app(svc, secure_cookies=settings.secure_cookies, threads=settings.threads)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)


def push(
    files: Annotated[list[Path], typer.Argument(help="Bundles (or any file `ingest` reads) to send.", exists=True)],
    url: Annotated[str, typer.Option(help="Server URL, e.g. https://vendorscope.example.gov")],
    token: Annotated[str, typer.Option(envvar="VENDORSCOPE_TOKEN", help="Enrollment token [env VENDORSCOPE_TOKEN]")],
    agent: Annotated[str, typer.Option(help="This agent's name (default: the token's name).")] = "",
    no_wait: Annotated[
        bool,
        typer.Option(
            "--no-wait", help="Return once the server has queued each file (its receipt), not after it is applied."
        ),
    ] = False,
) -> None:
    """Push files to a vendorscope server as an enrolled agent (retries with backoff; idempotent)."""
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PushError(f"{path}: cannot read ({exc.strerror})") from exc
        result = push_bundle(data, url, token, agent=agent, filename=path.name, wait=0.0 if no_wait else 600.0)
        if result["status"] == "queued":
            say(f"{path}: queued (receipt {result.get('receipt', '')})")
            continue
        say(f"{path}: {result['status']} ({result['items']} items, {result['hosts']} hosts)")
        for problem in result.get("problems", [])[:10]:
            say(f"  {problem}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    org: Annotated[str, typer.Option(help="Org registry id: the user sees its subtree; empty: all.")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Add a user (the password is asked for, or read from stdin)."""
    service().accounts.add_user(username, _password(password_stdin), role, org)
    say(f"user {username.strip().lower()} added ({role}{', org ' + org if org else ''})")


@users_app.command("list")
def users_list(format: FormatOption = Format.table) -> None:
    """Every user, with role, org and state."""
    rows = service().accounts.list_users()

    def line(u: dict[str, Any]) -> list[str]:
        state = "disabled" if u["disabled"] else "active"
        return [u["username"], u["role"], u["org"] or "(root)", state, str(u["created_at"])]

    columns = list(rows[0]) if rows else ["username"]
    emit(rows, columns, format, f"{len(rows)} users", line, ["user", "role", "org", "state", "created"])


@users_app.command("passwd")
def users_passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Set a user's password (signs the user out everywhere)."""
    service().accounts.set_password(username, _password(password_stdin))
    say(f"password of {username} changed")


@users_app.command("disable")
def users_disable(
    username: str, enable: Annotated[bool, typer.Option("--enable", help="Enable instead.")] = False
) -> None:
    """Disable a user (and end the user's sessions), or enable again with --enable."""
    service().accounts.set_disabled(username, not enable)
    say(f"user {username} {'enabled' if enable else 'disabled'}")


@tokens_app.command("create")
def tokens_create(
    name: str, org: Annotated[str, typer.Option(help="Org registry id: agents push its subtree; empty: all.")] = ""
) -> None:
    """Create an enrollment token; it is printed once and only its hash is kept."""
    print(service().accounts.create_token(name, org))


@tokens_app.command("list")
def tokens_list(format: FormatOption = Format.table) -> None:
    """Every enrollment token (never the secret), with its pushes."""
    rows = service().accounts.list_tokens()

    def line(t: dict[str, Any]) -> list[str]:
        state = "revoked" if t["revoked_at"] else "active"
        return [str(t["id"]), t["name"], t["org"] or "(root)", str(t["created_at"]), str(t["pushes"] or 0),
                str(t["last_push"] or ""), state]  # fmt: skip

    headers = ["id", "name", "org", "created", "pushes", "last push", "state"]
    emit(rows, list(rows[0]) if rows else ["id"], format, f"{len(rows)} tokens", line, headers)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token: its agents' pushes are refused from now on."""
    service().accounts.revoke_token(token_id)
    say(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(push)
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
