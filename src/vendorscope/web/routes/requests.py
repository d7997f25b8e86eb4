"""Requests: write a request in a form (download its YAML) or upload one; build its response package on the
server and download it as a zip.

A package answers for the whole store, so only analysts, reviewers and admins of the whole agency use this
page. Builds and downloads are in the audit log (a download as an export).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from vendorscope.errors import VendorscopeError
from vendorscope.respond.request import ITEM_NAMES, Problem, check_request, request_data, request_yaml
from vendorscope.respond.request import Request as Request_
from vendorscope.server.accounts import Principal
from vendorscope.service import Service
from vendorscope.web.deps import CsrfForm, ServiceDep, require
from vendorscope.web.names import Names
from vendorscope.web.paging import paginate
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Requests", "/requests", "export", order=55, agency_only=True)]
MAX_UPLOAD = 1 << 20
FORM_FIELDS = ("id", "requester", "received", "due", "vendor", "since")


def agency_exporter(user: Annotated[Principal, Depends(require("export"))]) -> Principal:
    if user.org:
        raise HTTPException(403, f"a package answers for the whole agency; your account is scoped to {user.org!r}")
    return user


Exporter = Annotated[Principal, Depends(agency_exporter)]


PACKAGE_KEYS: dict[str, Any] = {
    "request": lambda r: r["request"],
    "requester": lambda r: r["requester"],
    "vendor": lambda r: r["vendor"],
    "built": lambda r: r["generated_at"],
    "files": lambda r: r["files"],
}


@router.get("/requests", response_class=HTMLResponse)
def requests_page(
    request: Request, service: ServiceDep, user: Exporter, q: Annotated[str, Query(max_length=255)] = ""
) -> HTMLResponse:
    return _page(request, service, user, q=q)


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


@router.post("/requests/new", response_model=None)
def write_request(request: Request, service: ServiceDep, user: Exporter, form: CsrfForm) -> Response:
    """The request form: every problem at once beside its field; then the YAML to download, or the package."""
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str) and k in FORM_FIELDS}
    items = [name for name in ITEM_NAMES if form.get(f"item_{name}")]
    data = request_data(fields, items)
    problems = check_request(data, [c.vendor.id for c in service.catalogs])
    if problems:
        return _page(request, service, user, status=400, form=fields, items=items, problems=problems)
    checked = Request_.model_validate(data)
    text = request_yaml(checked)
    if form.get("action") == "download":
        service.audit(user.name, "request.write", checked.id, {"vendor": checked.vendor}, client_addr(request))
        return Response(
            text,
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{checked.id}.yaml"'},
        )
    try:
        built = service.build_request_package(text.encode(), f"{checked.id}.yaml")
    except VendorscopeError as exc:
        return _page(request, service, user, error=str(exc).splitlines()[0], status=400, form=fields, items=items)
    detail = {"request": built["request"], "vendor": built["vendor"], "files": built["files"], "from": "form"}
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
    form: dict[str, str] | None = None,
    items: list[str] | None = None,
    problems: list[Problem] | None = None,
    q: str = "",
) -> HTMLResponse:
    text = q.casefold()
    packages = [p for p in service.request_packages() if text in f"{p['request']}\n{p['requester']}".casefold()]
    return page(
        request,
        "requests.html",
        user,
        status_code=status,
        listing=paginate(request, packages, PACKAGE_KEYS, "built", "desc"),
        q=q,
        names=Names.of(service),
        built=built,
        error=error,
        form=form or {},
        items=ITEM_NAMES if items is None else items,
        item_names=ITEM_NAMES,
        problems={_field_of(p): p.message for p in problems or []},
        vendors=[c.vendor for c in service.catalogs],
    )


def _field_of(problem: Problem) -> str:
    """Which form field a problem belongs to (items[2].documents.since → since)."""
    if problem.field.endswith(".since"):
        return "since"
    return problem.field.split("[", 1)[0].split(".", 1)[0] or "form"
