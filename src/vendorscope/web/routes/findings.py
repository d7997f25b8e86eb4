"""Findings: the filterable list, one finding's evidence, and the CSV export (audited)."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from vendorscope.findings.status import SETTABLE, STATUSES
from vendorscope.findings.words import describe_finding, evidence_rows
from vendorscope.respond.cells import csv_text
from vendorscope.safe_csv import write_rows
from vendorscope.server.accounts import Principal
from vendorscope.server.views import FindingFilter
from vendorscope.web.deps import Hosts, Reader, RowId, ServiceDep, require
from vendorscope.web.names import Names
from vendorscope.web.paging import paginate
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Findings", "/findings", order=20)]
REMEDIATION_STATUSES = SETTABLE
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
    names = Names.of(service)
    rows = service.scoped_findings(hosts, flt)
    products = sorted(((c.vendor.id, p.id, p.name) for c in service.catalogs for p in c.products), key=lambda t: t[2])
    keys: dict[str, Any] = {
        "host": lambda r: r["host"],
        "org": lambda r: names.org(r["org"]),
        "product": lambda r: names.product(r["vendor"], r["product"]),
        "kind": lambda r: r["kind"],
        "confidence": lambda r: r["confidence"],
        "status": lambda r: r["status"],
        "last_seen": lambda r: r["last_seen"],
    }
    orgs = sorted({r["org"] for r in service.scoped_hosts(hosts)}, key=lambda o: names.org(o).casefold())
    return page(
        request,
        "findings.html",
        user,
        listing=paginate(request, rows, keys, "host"),
        names=names,
        flt=flt,
        orgs=orgs,
        products=products,
        statuses=STATUSES,  # every word of the life cycle (findings/status.py)
        vendors=[c.vendor for c in service.catalogs],
    )


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: RowId, service: ServiceDep, user: Reader, hosts: Hosts) -> HTMLResponse:
    row = service.scoped_finding(hosts, finding_id)
    names = Names.of(service)
    product = names.product(row["vendor"], row["product"])
    return page(
        request,
        "finding.html",
        user,
        f=row,
        names=names,
        product=product,
        why=describe_finding(product, row["kind"], row["confidence"], row["evidence"]),
        clues=evidence_rows(row["evidence"]),
        work=service.finding_work(row["id"]),
        history=service.finding_history(row["id"]),
        statuses=REMEDIATION_STATUSES,
        saved=request.query_params.get("saved", ""),
    )


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
    buffer.write("\ufeff")  # UTF-8 byte-order mark: Excel reads names in any script right only with it
    write_rows(buffer, CSV_COLUMNS, ({c: csv_text(c, row.get(c)) for c in CSV_COLUMNS} for row in rows))
    service.audit(
        user.name,
        "export.findings_csv",
        "findings",
        {"rows": len(rows), "scope": user.org},
        client_addr(request),
    )
    return Response(
        buffer.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=findings.csv"},
    )
