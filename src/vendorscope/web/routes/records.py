"""Records: search (words, or a vendor's terms), a document with its family, and review tagging.

Records are the agency's, not an org's: only users of the whole agency open them. Families with a privileged
document are shown to reviewers and admins only; tagging is for reviewers and admins, and each decision is
in the audit log. The review form is plain buttons with access keys, in reading order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vendorscope.errors import VendorscopeError
from vendorscope.records.review import TAGS
from vendorscope.records.search import Filters
from vendorscope.server.accounts import Principal
from vendorscope.web.deps import AgencyReader, CsrfForm, RowId, ServiceDep, require
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Records", "/records", order=50, agency_only=True)]
ACCESS_KEYS = {"responsive": "r", "non-responsive": "n", "privileged": "p", "needs-review": "u"}
MAX_RESULTS = 200


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
    filters = Filters(_date(since, "since"), _date(until, "until"), custodian or None, MAX_RESULTS)
    searched = bool(q.strip() or vendor)
    if vendor:
        service.vendor(vendor)
    results = service.records_page(q, vendor, filters, user.can("privileged")) if searched else []
    form = {"q": q, "vendor": vendor, "since": since, "until": until, "custodian": custodian}
    vendors = [c.vendor for c in service.catalogs]
    return page(request, "records.html", user, results=results, searched=searched, form=form, vendors=vendors)


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
