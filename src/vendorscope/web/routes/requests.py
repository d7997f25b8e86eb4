"""Requests: upload a request YAML, build its response package on the server, download it as a zip.

A package answers for the whole store, so only analysts, reviewers and admins of the whole agency use this
page. Builds and downloads are in the audit log (a download as an export).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from vendorscope.errors import VendorscopeError
from vendorscope.server.accounts import Principal
from vendorscope.service import Service
from vendorscope.web.deps import CsrfForm, ServiceDep, require
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Requests", "/requests", "export", order=55, agency_only=True)]
MAX_UPLOAD = 1 << 20


def agency_exporter(user: Annotated[Principal, Depends(require("export"))]) -> Principal:
    if user.org:
        raise HTTPException(403, f"a package answers for the whole agency; your account is scoped to {user.org!r}")
    return user


Exporter = Annotated[Principal, Depends(agency_exporter)]


@router.get("/requests", response_class=HTMLResponse)
def requests_page(request: Request, service: ServiceDep, user: Exporter) -> HTMLResponse:
    return _page(request, service, user)


@router.post("/requests", response_class=HTMLResponse)
def build_package(request: Request, service: ServiceDep, user: Exporter, form: CsrfForm) -> HTMLResponse:
    upload = form.get("request")
    if upload is None or not hasattr(upload, "file"):
        return _page(request, service, user, error="choose a request file (YAML) to upload", status=400)
    data = upload.file.read(MAX_UPLOAD + 1)
    try:
        built = service.build_request_package(data, upload.filename or "request.yaml")
    except VendorscopeError as exc:
        return _page(request, service, user, error=str(exc).splitlines()[0], status=400)
    detail = {"request": built["request"], "vendor": built["vendor"], "files": built["files"]}
    service.audit(user.name, "request.build", built["name"], detail, client_addr(request))
    return _page(request, service, user, built=built)


@router.get("/requests/{name}/download")
def download_package(request: Request, name: str, service: ServiceDep, user: Exporter) -> Response:
    path = service.request_package_zip(name)
    service.audit(user.name, "export.package", name, {"bytes": path.stat().st_size}, client_addr(request))
    return FileResponse(path, media_type="application/zip", filename=path.name)


def _page(
    request: Request,
    service: Service,
    user: Principal,
    built: dict[str, object] | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "requests.html",
        user,
        status_code=status,
        packages=service.request_packages(),
        built=built,
        error=error,
    )
