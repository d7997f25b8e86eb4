"""Records: search (words, or a vendor's terms), a document with its family, and review tagging.

Records are the agency's, not an org's: only users of the whole agency open them. Families with a privileged
document are shown to reviewers and admins only; tagging is for reviewers and admins, and each decision is
in the audit log. The review form is plain buttons with access keys, in reading order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from vendorscope.errors import VendorscopeError
from vendorscope.records.review import TAGS
from vendorscope.records.search import Filters
from vendorscope.server.accounts import Principal
from vendorscope.service import Service
from vendorscope.web.deps import AgencyReader, CsrfForm, RowId, ServiceDep, require
from vendorscope.web.paging import paginate
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Records", "/records", order=50, agency_only=True)]
ACCESS_KEYS = {"responsive": "r", "non-responsive": "n", "privileged": "p", "needs-review": "u"}


def _date(value: str, name: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        raise HTTPException(400, f"{name}: not a date (YYYY-MM-DD)") from None


@router.get("/records", response_class=HTMLResponse)
def records_page(
    request: Request,
    service: ServiceDep,
    user: AgencyReader,
    q: Annotated[str, Query(max_length=500)] = "",
    vendor: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=32)] = "",
    until: Annotated[str, Query(max_length=32)] = "",
    custodian: Annotated[str, Query(max_length=256)] = "",
) -> HTMLResponse:
    filters = Filters(_date(since, "since"), _date(until, "until"), custodian or None, 0)
    searched = bool(q.strip() or vendor)
    if vendor:
        service.vendor(vendor)
    results = service.records_page(q, vendor, filters, user.can("privileged")) if searched else []
    form = {"q": q, "vendor": vendor, "since": since, "until": until, "custodian": custodian}
    vendors = [c.vendor for c in service.catalogs]
    keys: dict[str, Any] = {
        "score": lambda r: r["score"],
        "date": lambda r: r["date"],
        "document": lambda r: r["subject"] or r["path"],
        "tag": lambda r: r["tag"],
    }
    listing = paginate(request, results, keys, "score", "desc")
    return page(request, "records.html", user, listing=listing, searched=searched, form=form, vendors=vendors)


@router.post("/records/produce", response_class=HTMLResponse)
def produce_documents(
    request: Request,
    service: ServiceDep,
    user: Annotated[Principal, Depends(require("review"))],
    form: CsrfForm,
) -> HTMLResponse:
    """A production volume of the documents tagged responsive (privileged ones logged), audited."""
    if user.org:
        raise HTTPException(403, "only reviewers of the whole agency produce records")
    prefix = str(form.get("prefix", "")).strip()[:32]
    try:
        name, report = service.web_production(prefix, user.name, client_addr(request))
    except VendorscopeError as exc:
        return _productions_page(request, service, user, error=str(exc), status=400)
    return _productions_page(request, service, user, made=(name, report))


@router.get("/records/productions", response_class=HTMLResponse)
def productions_page(
    request: Request, service: ServiceDep, user: AgencyReader, q: Annotated[str, Query(max_length=255)] = ""
) -> HTMLResponse:
    return _productions_page(request, service, user, q=q)


@router.get("/records/productions/{name}.zip")
def download_production(
    request: Request, name: str, service: ServiceDep, user: Annotated[Principal, Depends(require("export"))]
) -> Response:
    if user.org:
        raise HTTPException(403, "productions are the agency's")
    path = service.web_production_zip(name)
    service.audit(user.name, "export.production", name, {"bytes": path.stat().st_size}, client_addr(request))
    return FileResponse(path, media_type="application/zip", filename=path.name)


def _productions_page(
    request: Request,
    service: Service,
    user: Principal,
    made: tuple[str, Any] | None = None,
    error: str = "",
    status: int = 200,
    q: str = "",
) -> HTMLResponse:
    """The volumes, paged and sorted on the server (newest first), the name search kept in every link."""
    volumes = [
        p | {"made": _made(p["name"])} for p in service.web_productions() if q.casefold() in p["name"].casefold()
    ]
    keys: dict[str, Any] = {"made": lambda r: r["made"], "name": lambda r: r["name"], "files": lambda r: r["files"]}
    listing = paginate(request, volumes, keys, "made", "desc")
    return page(request, "productions.html", user, status_code=status, listing=listing, q=q, made=made, error=error)


def _made(name: str) -> str:
    """A volume's name ends with the time it was made: PREFIX-20261202T150405Z → 2026-12-02 15:04:05."""
    stamp = name.rsplit("-", 1)[-1]
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""


@router.get("/records/{doc_id}", response_class=HTMLResponse)
def document_page(
    request: Request, doc_id: RowId, service: ServiceDep, user: AgencyReader, tagged: str = ""
) -> HTMLResponse:
    doc = service.records_document(doc_id, user.can("privileged"))
    return page(request, "record.html", user, doc=doc, tags=TAGS, keys=ACCESS_KEYS, tagged=tagged)


@router.post("/records/{doc_id}/review")
def review_document(
    request: Request,
    doc_id: RowId,
    service: ServiceDep,
    user: Annotated[Principal, Depends(require("review"))],
    form: CsrfForm,
) -> Response:
    """One decision for the document (or its whole family), audited; back to the document."""
    if user.org:
        raise HTTPException(403, "only reviewers of the whole agency review records")
    tag = str(form.get("tag", ""))
    try:
        service.records_review(
            doc_id,
            tag,
            user.name,
            client_addr(request),
            basis=str(form.get("basis", "")).strip()[:500] or None,
            note=str(form.get("note", "")).strip()[:2000] or None,
            family=form.get("family") == "1",
        )
    except VendorscopeError as exc:
        if exc.http_status == 404:
            raise
        doc = service.records_document(doc_id, True)
        return page(request, "record.html", user, status_code=400, doc=doc, tags=TAGS, keys=ACCESS_KEYS, error=str(exc))
    return RedirectResponse(f"/records/{doc_id}?tagged={tag}", status_code=303)
