"""Hosts: every known host in the reader's scope, how it was examined (or not), its org and findings.

Paged and sorted on the server; the search and filters stay in every paging and sorting link.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vendorscope.web.deps import Hosts, Reader, ServiceDep
from vendorscope.web.names import Names
from vendorscope.web.paging import paginate
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Hosts", "/hosts", order=30)]
COVERAGE = ("examined", "not examined")


@router.get("/hosts", response_class=HTMLResponse)
def hosts_page(
    request: Request,
    service: ServiceDep,
    user: Reader,
    hosts: Hosts,
    q: Annotated[str, Query(max_length=255)] = "",
    org: Annotated[str, Query(max_length=255)] = "",
    coverage: Annotated[str, Query(max_length=32)] = "",
    with_findings: bool = False,
) -> HTMLResponse:
    names = Names.of(service)
    rows = [r for r in service.scoped_hosts(hosts) if _keeps(r, q, org, coverage, with_findings)]
    keys: dict[str, Any] = {
        "host": lambda r: r["host"],
        "org": lambda r: names.org(r["org"]),
        "coverage": lambda r: r["coverage"],
        "last_examined": lambda r: r["last_examined"],
        "software": lambda r: r["software"],
        "findings": lambda r: len(r["findings"]),
    }
    listing = paginate(request, rows, keys, "host")
    orgs = sorted({r["org"] for r in service.scoped_hosts(hosts)}, key=lambda o: names.org(o).casefold())
    return page(
        request,
        "hosts.html",
        user,
        listing=listing,
        names=names,
        q=q,
        org=org,
        orgs=orgs,
        coverage=coverage,
        coverages=COVERAGE,
        with_findings=with_findings,
    )


def _keeps(row: dict[str, Any], q: str, org: str, coverage: str, with_findings: bool) -> bool:
    return (
        (not q or q.lower() in row["host"].lower())
        and (not org or row["org"] == org)
        and (not coverage or (row["examined"] == (coverage == "examined")))
        and (not with_findings or bool(row["findings"]))
    )
