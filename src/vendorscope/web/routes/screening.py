"""Screening: the registry's organizations against the covered-entity lists, and a form to screen other names.

The registry list is paged and sorted on the server, covered organizations first; the search and the
"covered only" filter stay in every link. The names screened from the form (at most ``MAX_NAMES``) are one
answer to one request, shown whole.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Query as QueryParam
from fastapi.responses import HTMLResponse

from vendorscope.orgs.scope import Scope
from vendorscope.orgs.screening.names import looks_like_identifier
from vendorscope.orgs.screening.screener import Query
from vendorscope.server.accounts import Principal
from vendorscope.service import Service
from vendorscope.web.deps import CsrfForm, Reader, ScopeDep, ServiceDep
from vendorscope.web.paging import paginate
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Screening", "/screening", order=45)]
MAX_NAMES = 200
MAX_NAME_LENGTH = 300


SORT_KEYS: dict[str, Any] = {
    "covered": lambda r: (not r["covered"], -float(r["score"] or 0)),
    "name": lambda r: r["name"],
    "kind": lambda r: r["kind"],
    "entity": lambda r: r["entity"],
    "list": lambda r: r["list"],
    "score": lambda r: float(r["score"] or 0),
}


@router.get("/screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    service: ServiceDep,
    user: Reader,
    scope: ScopeDep,
    q: Annotated[str, QueryParam(max_length=255)] = "",
    covered: bool = False,
) -> HTMLResponse:
    return _page(request, service, user, scope, q=q, covered=covered)


@router.post("/screening", response_class=HTMLResponse)
def screen_names(request: Request, service: ServiceDep, user: Reader, scope: ScopeDep, form: CsrfForm) -> HTMLResponse:
    """Screen the names typed in the form, one per line (a UEI or CAGE code is matched as an identifier)."""
    text = str(form.get("names", ""))
    names = [n.strip()[:MAX_NAME_LENGTH] for n in text.splitlines() if n.strip()]
    if len(names) > MAX_NAMES:
        return _page(request, service, user, scope, text, error=f"at most {MAX_NAMES} names at a time", status=400)
    queries = [Query(n, (n,) if looks_like_identifier(n) else ()) for n in names]
    return _page(request, service, user, scope, text, screened=service.screen(queries) if queries else [])


def _page(
    request: Request,
    service: Service,
    user: Principal,
    scope: Scope,
    names: str = "",
    screened: list[dict[str, object]] | None = None,
    error: str = "",
    status: int = 200,
    q: str = "",
    covered: bool = False,
) -> HTMLResponse:
    in_view = [r for r in service.screen_registry() if scope.allows(str(r["org"]))]
    text = q.casefold()
    rows = [
        r
        for r in in_view
        if (not text or text in str(r["name"]).casefold() or text in str(r["org"]).casefold())
        and (not covered or r["covered"])
    ]
    return page(
        request,
        "screening.html",
        user,
        status_code=status,
        listing=paginate(request, rows, SORT_KEYS, "covered"),
        registry_covered=sum(1 for r in in_view if r["covered"]),
        registry_total=len(in_view),
        q=q,
        covered=covered,
        screened=screened,
        names=names,
        error=error,
    )
