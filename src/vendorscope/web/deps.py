"""Typed dependencies for routes: the service, the signed-in user, permissions, CSRF, the reader's scope.

Pages and API routes declare what they need (``Annotated[Principal, Depends(require("export"))]``) and get
it or an error: a page without a session redirects to the login form, an API call gets 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request

from vendorscope.findings.query import HostFilter
from vendorscope.orgs.scope import Scope
from vendorscope.server.accounts import Principal
from vendorscope.service import Service
from vendorscope.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, same

# A row id in a path: a positive 32-bit integer (PostgreSQL's INTEGER). A larger one once reached the database
# and failed there with a 500 (found by Schemathesis); now it is a 422 like any malformed parameter.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class LoginRequired(Exception):
    """A page needs a session; the app turns this into a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def get_service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[Service, Depends(get_service)]


def optional_user(request: Request, service: ServiceDep) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    return service.accounts.session_user(token) if token else None


def current_user(request: Request, user: Annotated[Principal | None, Depends(optional_user)]) -> Principal:
    if user is not None:
        return user
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "sign in first (session cookie)")
    raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))


UserDep = Annotated[Principal, Depends(current_user)]


def require(permission: str) -> Callable[..., Principal]:
    """A dependency: the signed-in user, who must hold ``permission``; 403 otherwise."""

    def check(user: UserDep) -> Principal:
        if not user.can(permission):
            raise HTTPException(403, f"your role ({user.role}) does not allow this")
        return user

    return check


Reader = Annotated[Principal, Depends(require("read"))]
Admin = Annotated[Principal, Depends(require("manage"))]


async def form_with_csrf(request: Request, user: UserDep) -> dict[str, Any]:
    """The posted form, once its CSRF token (field or header) matches the session's."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not same(str(sent) if sent else None, user.csrf):
        raise HTTPException(403, "missing or stale form token; reload the page and try again")
    return {k: v for k, v in form.items() if k != CSRF_FIELD}


CsrfForm = Annotated[dict[str, Any], Depends(form_with_csrf)]


def user_scope(user: Reader, service: ServiceDep) -> Scope:
    """The reader's org subtree, from the org registry."""
    return service.scope(user.org)


ScopeDep = Annotated[Scope, Depends(user_scope)]


def host_scope(scope: ScopeDep, service: ServiceDep) -> HostFilter:
    """The hosts the reader may see (None: every host)."""
    return service.host_filter(scope)


Hosts = Annotated[HostFilter, Depends(host_scope)]


def agency_reader(user: Reader) -> Principal:
    """A reader of the whole agency: records and request packages are not split by org."""
    if user.org:
        raise HTTPException(403, f"only users of the whole agency may open this; yours is scoped to {user.org!r}")
    return user


AgencyReader = Annotated[Principal, Depends(agency_reader)]
