"""Hosts: every known host in the reader's scope, how it was examined (or not), its org and findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vendorscope.web.deps import Hosts, Reader, ServiceDep
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Hosts", "/hosts", order=30)]


@router.get("/hosts", response_class=HTMLResponse)
def hosts_page(request: Request, service: ServiceDep, user: Reader, hosts: Hosts, q: str = "") -> HTMLResponse:
    rows = service.scoped_hosts(hosts)
    if q:
        rows = [r for r in rows if q.lower() in r["host"].lower()]
    return page(request, "hosts.html", user, rows=rows[:1000], total=len(rows), q=q)
