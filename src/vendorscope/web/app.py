"""The app factory: ``create_app(service)`` or ``create_app(db=..., secure_cookies=...)``.

Everything the routes need hangs off ``app.state``: the service (store, catalogs, accounts, agent ingest),
whether cookies are Secure, and the navigation assembled from the installed route modules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from vendorscope import __version__
from vendorscope.config import Settings
from vendorscope.errors import VendorscopeError
from vendorscope.service import Service
from vendorscope.web.deps import LoginRequired, optional_user
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry, route_modules
from vendorscope.web.security import SecurityHeaders

STATIC = Path(__file__).with_name("static")


def create_app(
    service: Service | None = None, *, db: str | None = None, secure_cookies: bool = True, threads: int | None = None
) -> FastAPI:
    """A FastAPI app over ``service`` (or a new one on ``db``); the service is prepared at startup.

    ``threads`` bounds the requests (hence database connections) worked on at once.
    """
    svc = service or Service(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if threads:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        await run_in_threadpool(svc.prepare_server)
        svc.agents.start()  # applies what a stopped server left queued
        yield
        if service is None:
            svc.close()

    app = FastAPI(
        title="vendorscope",
        version=__version__,
        description="Evidence of a vendor of concern across an agency's systems: findings, hosts, catalogs, "
        "and the agents' push endpoint.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.service = svc
    app.state.secure_cookies = secure_cookies
    nav: list[NavEntry] = []
    for module in route_modules():
        app.include_router(module.router)
        nav.extend(getattr(module, "NAV", []))
    app.state.nav = sorted(nav, key=lambda e: e.order)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    _errors(app)
    return app


def _errors(app: FastAPI) -> None:
    """Our errors as one line: JSON for the API and agents, a page for people."""

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(VendorscopeError)
    async def _ours(request: Request, exc: VendorscopeError) -> Response:
        return _error(request, exc.http_status, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), exc.headers)


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    try:
        user = optional_user(request, request.app.state.service)
    except VendorscopeError:
        user = None
    response = page(request, "error.html", user, status_code=status, status=status, message=message)
    if headers:
        response.headers.update(headers)
    return response


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory`` and multi-process serving: settings from VENDORSCOPE_* environment variables."""
    settings = Settings.load()
    return create_app(Service(settings=settings), secure_cookies=settings.secure_cookies, threads=settings.threads)
