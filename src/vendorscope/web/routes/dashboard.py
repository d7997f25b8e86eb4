"""The dashboard: the answer's counts and products (the same as the package's), by org, and overdue work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vendorscope.respond.summary import COUNT_LABELS
from vendorscope.web.deps import Hosts, Reader, ScopeDep, ServiceDep
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Dashboard", "/", order=10)]


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    service: ServiceDep,
    user: Reader,
    hosts: Hosts,
    scope: ScopeDep,
    vendor: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    if vendor:
        service.vendor(vendor)  # an unknown vendor is a 404, not an empty dashboard
    board = service.dashboard(hosts, scope, vendor)
    counts = board.summary.counts
    return page(
        request,
        "dashboard.html",
        user,
        board=board,
        counts=counts,
        count_rows=[(name, label, getattr(counts, name)) for name, label in COUNT_LABELS.items()],
        products=[(p.product, p.hosts) for p in board.summary.products],
        orgs=[(org or "(root)", affected) for org, affected, _total in board.by_org],
        policy=service.policy(),
        product_name=service.product_name,
    )
