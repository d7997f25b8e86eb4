"""Administration: users, agent enrollment tokens, and the audit log (admins only; every change audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vendorscope.errors import VendorscopeError
from vendorscope.orgs.scope import Scope
from vendorscope.server import audit
from vendorscope.server.accounts import ROLES, Principal
from vendorscope.service import Service
from vendorscope.web.deps import Admin, CsrfForm, RowId, ServiceDep
from vendorscope.web.paging import wanted
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Admin", "/admin/users", "manage", order=90)]


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, service: ServiceDep, user: Admin, error: str = "") -> HTMLResponse:
    users = service.accounts.list_users(_scope(service, user))
    return _org_form_page(request, service, "admin_users.html", user, users=users, error=error)


@router.post("/users")
def add_user(request: Request, service: ServiceDep, user: Admin, form: CsrfForm) -> Response:
    try:
        service.accounts.add_user(
            str(form.get("username", "")),
            str(form.get("password", "")),
            str(form.get("role", "")),
            str(form.get("org", "")),
            actor=user.name,
            scope=_scope(service, user),
        )
    except VendorscopeError as exc:
        users = service.accounts.list_users(_scope(service, user))
        return _org_form_page(request, service, "admin_users.html", user, exc.http_status, users=users, error=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{username}/disable")
def disable_user(username: str, service: ServiceDep, user: Admin, form: CsrfForm) -> Response:
    service.accounts.set_disabled(username, form.get("enable") != "1", actor=user.name, scope=_scope(service, user))
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, service: ServiceDep, user: Admin) -> HTMLResponse:
    tokens = service.accounts.list_tokens(_scope(service, user))
    return _org_form_page(request, service, "admin_tokens.html", user, tokens=tokens, new_token="", error="")


@router.post("/tokens")
def create_token(request: Request, service: ServiceDep, user: Admin, form: CsrfForm) -> Response:
    scope = _scope(service, user)
    status = 200
    try:
        token = service.accounts.create_token(str(form.get("name", "")), str(form.get("org", "")), user.name, scope)
        error = ""
    except VendorscopeError as exc:
        token, error, status = "", str(exc), exc.http_status
    return _org_form_page(
        request,
        service,
        "admin_tokens.html",
        user,
        status,
        tokens=service.accounts.list_tokens(scope),
        new_token=token,
        error=error,
    )


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, service: ServiceDep, user: Admin, _form: CsrfForm) -> Response:
    service.accounts.revoke_token(token_id, actor=user.name, scope=_scope(service, user))
    return RedirectResponse("/admin/tokens", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    service: ServiceDep,
    user: Admin,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=128)] = "",
) -> HTMLResponse:
    """The log, paged and sorted by its query (it only grows); the filters stay in every paging link."""
    state = wanted(request, audit.SORTABLE, "at", "desc")
    scope = _scope(service, user)

    def fetch(offset: int) -> tuple[list[dict[str, Any]], int]:
        paging = {"offset": offset, "sort": state.sort, "ascending": state.order == "asc", "actor": actor}
        return service.audit_events(state.per, action, scope, **paging)

    events, total = fetch(state.offset)
    if not events and total:  # past the last page: show the last one
        events, total = fetch((max(1, -(-total // state.per)) - 1) * state.per)
    listing = state.page(events, total)
    return page(request, "admin_audit.html", user, listing=listing, action=action, actor=actor)


def _scope(service: Service, user: Principal) -> Scope:
    """The admin's subtree: every admin action stays within it; only a root admin acts at the root."""
    return service.scope(user.org)


def _org_form_page(
    request: Request, service: Service, template: str, user: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page with a form that asks for an org: the registry's ids are offered as choices."""
    scope = _scope(service, user)
    orgs = [(o["org"], o["name"]) for o in service.orgs() if scope.allows(o["org"])]
    return page(request, template, user, status_code=status, roles=ROLES, orgs=orgs, **context)
