"""The dashboard: exposure by product and by org, coverage, and overdue remediation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vendorscope.server.views import REMEDIATION_DAYS
from vendorscope.web.deps import Hosts, Reader, ServiceDep
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Dashboard", "/", order=10)]


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, service: ServiceDep, user: Reader, hosts: Hosts) -> HTMLResponse:
    board = service.dashboard(hosts)
    products = [(service.product_name(p.vendor, p.product), p.hosts) for p in board.products]
    orgs = [(org or "(root)", affected) for org, affected, _total in board.by_org]
    return page(
        request,
        "dashboard.html",
        user,
        board=board,
        products=products,
        orgs=orgs,
        remediation_days=REMEDIATION_DAYS,
        product_name=service.product_name,
    )
