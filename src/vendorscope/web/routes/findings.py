"""Findings: the filterable list, one finding's evidence, and the CSV export (audited)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from vendorscope.findings.status import STATUSES
from vendorscope.safe_csv import write_rows
from vendorscope.server.accounts import Principal
from vendorscope.server.views import FindingFilter
from vendorscope.web.deps import Hosts, Reader, RowId, ServiceDep, require
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Findings", "/findings", order=20)]
PAGE_ROWS = 500
CSV_COLUMNS = (
    "host",
    "org",
    "vendor",
    "product",
    "kind",
    "confidence",
    "present",
    "status",
    "first_seen",
    "last_seen",
    "explanation",
)


def finding_filter(
    vendor: Annotated[str, Query(max_length=64)] = "",
    product: Annotated[str, Query(max_length=128)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    org: Annotated[str, Query(max_length=255)] = "",
    host: Annotated[str, Query(max_length=255)] = "",
    min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0,
    include_absent: bool = False,
) -> FindingFilter:
    return FindingFilter(vendor, product, status, org, host, min_confidence, include_absent)


Filter = Annotated[FindingFilter, Depends(finding_filter)]


@router.get("/findings", response_class=HTMLResponse)
def findings_page(request: Request, service: ServiceDep, user: Reader, hosts: Hosts, flt: Filter) -> HTMLResponse:
    rows = service.scoped_findings(hosts, flt)
    products = sorted((c.vendor.id, p.id, p.name) for c in service.catalogs for p in c.products)
    return page(
        request,
        "findings.html",
        user,
        rows=rows[:PAGE_ROWS],
        total=len(rows),
        flt=flt,
        products=products,
        statuses=STATUSES,  # every word of the life cycle (findings/status.py)
        product_name=service.product_name,
        vendors=[c.vendor for c in service.catalogs],
    )


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: RowId, service: ServiceDep, user: Reader, hosts: Hosts) -> HTMLResponse:
    row = service.scoped_finding(hosts, finding_id)
    return page(request, "finding.html", user, f=row, product=service.product_name(row["vendor"], row["product"]))


@router.get("/export/findings.csv")
def export_csv(
    request: Request,
    service: ServiceDep,
    user: Annotated[Principal, Depends(require("export"))],
    hosts: Hosts,
    flt: Filter,
) -> Response:
    rows = service.scoped_findings(hosts, flt)
    buffer = io.StringIO()
    write_rows(buffer, CSV_COLUMNS, rows)
    service.audit(
        user.name,
        "export.findings_csv",
        "findings",
        {"rows": len(rows), "scope": user.org},
        client_addr(request),
    )
    return Response(
        buffer.getvalue(), media_type="text/csv", headers={"Content-Disposition": "attachment; filename=findings.csv"}
    )
