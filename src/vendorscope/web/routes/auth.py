"""Signing in and out: a CSRF-checked login form, rate-limited, every attempt in the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vendorscope.server import audit
from vendorscope.web.deps import CsrfForm, ServiceDep, UserDep
from vendorscope.web.render import page
from vendorscope.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    client_addr,
    new_token,
    safe_next,
    same,
    set_cookie,
    set_session_cookie,
)

router = APIRouter(tags=["pages"], include_in_schema=False)
MAX_FAILURES = 5  # password checks per user name, and per address, ...
FAILURE_WINDOW = timedelta(minutes=15)  # ... within this window (a success gives its check back), then 429


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    token = new_token()
    response = page(request, "login.html", None, login_csrf=token, next=safe_next(next), error="")
    set_cookie(response, LOGIN_CSRF_COOKIE, token, request.app.state.secure_cookies, max_age=3600)
    return response


@router.post("/login")
async def login(
    request: Request,
    service: ServiceDep,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not same(csrf, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "missing or stale form token; reload the login page")
    addr = client_addr(request)
    name = username.strip().lower()
    if not await run_in_threadpool(service.reserve_login, name, addr, MAX_FAILURES, FAILURE_WINDOW):
        await run_in_threadpool(service.audit, name, "login.limited", name, None, addr)
        raise HTTPException(429, "too many failed sign-ins; wait 15 minutes", {"Retry-After": "900"})
    user = await run_in_threadpool(service.accounts.authenticate, name, password)  # only with a slot reserved
    if user is not None:
        await run_in_threadpool(service.release_login, name, addr)
    if user is None:
        await run_in_threadpool(service.audit, name, audit.LOGIN_FAILED, name, None, addr)
        response = page(
            request,
            "login.html",
            None,
            status_code=401,
            login_csrf=csrf,
            next=safe_next(next),
            error="Wrong user name or password.",
        )
        return response
    token, _csrf = await run_in_threadpool(service.accounts.start_session, user)
    await run_in_threadpool(service.audit, user.name, "login", user.name, None, addr)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token, request.app.state.secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, service: ServiceDep, user: UserDep, _form: CsrfForm) -> Response:
    service.accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    service.audit(user.name, "logout", user.name, None, client_addr(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
