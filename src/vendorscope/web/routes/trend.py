"""Exposure over time: hosts with the vendor's products on each day evidence was collected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vendorscope.web.deps import Hosts, Reader, ServiceDep
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Trend", "/trend", order=35)]


@router.get("/trend", response_class=HTMLResponse)
def trend_page(
    request: Request,
    service: ServiceDep,
    user: Reader,
    hosts: Hosts,
    vendor: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    vendor_id = service.vendor(vendor).vendor.id if vendor else ""
    points = service.trend(hosts, vendor_id or None)
    return page(
        request,
        "trend.html",
        user,
        points=points,
        vendor=vendor_id,
        vendors=[c.vendor for c in service.catalogs],
        chart=[(p.day.isoformat(), p.affected) for p in points],
    )
