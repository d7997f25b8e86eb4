"""The catalog browser: vendors, their products, and each product's indicators with sources."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vendorscope.web.deps import Reader, ServiceDep
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Catalog", "/catalog", order=80)]


@router.get("/catalog", response_class=HTMLResponse)
def catalogs_page(request: Request, service: ServiceDep, user: Reader) -> HTMLResponse:
    return page(request, "catalog.html", user, catalogs=service.catalogs)


@router.get("/catalog/{vendor}/{product}", response_class=HTMLResponse)
def product_page(request: Request, vendor: str, product: str, service: ServiceDep, user: Reader) -> HTMLResponse:
    catalog = service.vendor(vendor)
    try:
        item = catalog.product(product)
    except KeyError:
        return page(request, "error.html", user, status_code=404, status=404, message=f"no product {product!r}")
    return page(request, "product.html", user, catalog=catalog, product=item)
