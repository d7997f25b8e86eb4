"""Acting on one finding: set its remediation (status, owner, due date, note) and read its source's custody.

Every write is a POST with the session's CSRF token, needs the ``remediate`` permission, is refused (404, as
if absent) for a finding outside the caller's org subtree, and is written to the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from vendorscope.server.accounts import Principal
from vendorscope.web.deps import CsrfForm, Hosts, Reader, RowId, ServiceDep, require
from vendorscope.web.render import page
from vendorscope.web.security import client_addr

router = APIRouter(tags=["pages"], include_in_schema=False)
MAX_OWNER = 200
MAX_NOTE = 2000

Remediator = Annotated[Principal, Depends(require("remediate"))]


@router.post("/findings/{finding_id}/remediation")
def set_remediation(
    request: Request, finding_id: RowId, service: ServiceDep, user: Remediator, hosts: Hosts, form: CsrfForm
) -> RedirectResponse:
    status = str(form.get("status") or "").strip() or None
    owner = str(form.get("owner") or "").strip()
    note = str(form.get("note") or "").strip()
    if len(owner) > MAX_OWNER or len(note) > MAX_NOTE:
        raise HTTPException(400, f"owner: at most {MAX_OWNER} characters; note: at most {MAX_NOTE}")
    due = _date(str(form.get("due") or "").strip())
    changed = service.remediate(
        user.name, hosts, finding_id, status=status, owner=owner or None, due=due, note=note, addr=client_addr(request)
    )
    saved = f"{changed} change{'s' if changed != 1 else ''}"
    return RedirectResponse(f"/findings/{finding_id}?saved={quote(saved)}", status_code=303)


@router.get("/findings/{finding_id}/source/{sha256}", response_class=HTMLResponse)
def source_custody(
    request: Request, finding_id: RowId, sha256: str, service: ServiceDep, user: Reader, hosts: Hosts
) -> HTMLResponse:
    finding, rows = service.finding_source(hosts, finding_id, sha256)
    return page(request, "custody.html", user, f=finding, rows=rows, sha256=sha256)


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"due: not a date: {text!r} (YYYY-MM-DD)") from None
