"""Cookies, CSRF and response headers: the browser-facing security rules in one place."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vendorscope.server.accounts import SESSION_LIFETIME

SESSION_COOKIE = "vs_session"
LOGIN_CSRF_COOKIE = "vs_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
# No script at all, nothing from elsewhere, never framed: an injected tag can neither run nor phone home.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def set_cookie(response: Response, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    """HttpOnly, SameSite=Strict, Secure unless the server was told it runs over plain HTTP."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=secure, samesite="strict", path="/")


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    set_cookie(response, SESSION_COOKIE, token, secure, int(SESSION_LIFETIME.total_seconds()))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets, false when either is missing."""
    return bool(a) and bool(b) and secrets.compare_digest(str(a), str(b))


def client_addr(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this server (never //host or a scheme)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class SecurityHeaders:
    """The security headers on every HTTP response, as a plain ASGI middleware.

    Starlette's ``BaseHTTPMiddleware`` ran every request through a task group and memory streams of its own,
    a measurable share of the CPU of an agent's push (docs/benchmarks.md); this one only edits the response's
    start message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(("/api/", "/login", "/admin"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if private or "set-cookie" in headers:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
