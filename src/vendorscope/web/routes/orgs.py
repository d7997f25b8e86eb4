"""The org tree: each organization of the registry with its subtree's counts, and the contractor chains."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vendorscope.web.deps import Reader, ScopeDep, ServiceDep
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Orgs", "/orgs", order=40)]


@router.get("/orgs", response_class=HTMLResponse)
def orgs_page(request: Request, service: ServiceDep, user: Reader, scope: ScopeDep) -> HTMLResponse:
    """The reader's part of the tree (indented from its own org) and its contractors with their chains."""
    rows = [r for r in service.orgs() if scope.allows(r["org"])]
    top = min((r["depth"] for r in rows), default=0)
    contractors = [r for r in service.exposure("contractor") if scope.allows(r["org"])]
    return page(request, "orgs.html", user, rows=rows, top=top, contractors=contractors)
