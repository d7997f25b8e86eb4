"""The agents' endpoints: ``POST /api/v1/agents/bundles`` with an enrollment token, a gzip (or plain) body,
answered 202 with a receipt once the bundle is durably queued (``?wait=1``: applied first, answered 201, 200,
403 or 422 as the outcome); ``GET /api/v1/agents/receipts/{receipt}``: what became of a queued bundle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from vendorscope.server.accounts import Principal
from vendorscope.server.intake import RETRY_AFTER, Backlogged
from vendorscope.server.push import MAX_PUSH_BYTES
from vendorscope.web.deps import ServiceDep
from vendorscope.web.security import client_addr

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])
STATUS_CODES = {"ingested": 201, "duplicate": 200, "failed": 422}
RECEIPTS = "/api/v1/agents/receipts/"


class PushOut(BaseModel):
    status: str  # queued | ingested | duplicate | failed
    sha256: str
    items: int
    hosts: int
    problems: list[str]
    receipt: str = ""  # of a queued bundle: GET /api/v1/agents/receipts/{receipt} tells its outcome


class ReceiptOut(BaseModel):
    receipt: str
    status: str  # queued | ingested | duplicate | failed | refused
    code: int  # what a synchronous push answers for this outcome: 201, 200, 403, 413, 422; 202 while queued
    sha256: str
    items: int
    hosts: int
    problems: list[str]
    received_at: str | None
    applied_at: str | None


async def _body(request: Request) -> bytes:
    """The request body, refused as soon as it passes the size bound."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_PUSH_BYTES:
        raise HTTPException(413, "bundle too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_PUSH_BYTES:
            raise HTTPException(413, "bundle too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _agent(service: ServiceDep, authorization: str | None) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    agent = service.accounts.token_principal(token.strip()) if scheme.lower() == "bearer" and token else None
    if agent is None:
        raise HTTPException(
            401, "an enrollment token is needed (Authorization: Bearer …)", {"WWW-Authenticate": "Bearer"}
        )
    return agent


@router.post(
    "/bundles",
    response_model=PushOut,
    status_code=202,
    responses={
        200: {"description": "already received (same SHA-256); or, with wait=1, applied before as a duplicate"},
        201: {"description": "with wait=1: ingested"},
        202: {"description": "durably queued: the receipt's Location tells the outcome once applied"},
        401: {"description": "unknown or revoked token"},
        403: {"description": "a registry file; with wait=1, also a host outside the token's org scope"},
        413: {"description": "too large"},
        422: {"description": "unreadable bundle, format not recognized"},
        503: {"description": "the intake is full: push again after Retry-After seconds"},
    },
)
async def push_bundle(
    request: Request,
    service: ServiceDep,
    authorization: Annotated[str | None, Header()] = None,
    x_vendorscope_agent: Annotated[str | None, Header(max_length=255)] = None,
    x_vendorscope_filename: Annotated[str | None, Header(max_length=255)] = None,
    wait: Annotated[bool, Query(description="apply before answering (201/200/403/422), not just queue (202)")] = False,
) -> JSONResponse:
    """Receive one bundle from an agent: queued durably and answered 202 with a receipt (applied once, idempotent
    by SHA-256, checked against the token's scope when queued and when applied); with ``wait=1`` applied first."""
    agent = await run_in_threadpool(_agent, service, authorization)
    data = await _body(request)
    name = x_vendorscope_agent or agent.name
    filename, addr = x_vendorscope_filename or "", client_addr(request)
    if wait:
        result = await run_in_threadpool(service.agents.push, agent, name, data, filename, addr)
        body = PushOut(
            status=result.status,
            sha256=result.sha256,
            items=result.items,
            hosts=result.hosts,
            problems=result.problems[:20],
        )
        return JSONResponse(body.model_dump(), status_code=STATUS_CODES[result.status])
    try:
        receipt = await run_in_threadpool(service.agents.receive, agent, name, data, filename, addr)
    except Backlogged as exc:
        raise HTTPException(503, str(exc), {"Retry-After": str(RETRY_AFTER)}) from exc
    queued = PushOut(
        status=receipt.status,
        sha256=receipt.sha256,
        items=0,
        hosts=0,
        problems=receipt.problems[:20],
        receipt=receipt.receipt,
    )
    headers = {"Location": RECEIPTS + receipt.receipt} if receipt.receipt else None
    return JSONResponse(queued.model_dump(), status_code=receipt.code, headers=headers)


@router.get(
    "/receipts/{receipt}",
    response_model=ReceiptOut,
    responses={401: {"description": "unknown or revoked token"}, 404: {"description": "no such receipt of this token"}},
)
async def push_receipt(
    receipt: str, service: ServiceDep, authorization: Annotated[str | None, Header()] = None
) -> ReceiptOut:
    """What became of a queued bundle: ``queued`` until applied, then its outcome with the counts or the reason.
    Only the token that pushed it can read it."""
    agent = await run_in_threadpool(_agent, service, authorization)
    found = await run_in_threadpool(service.agents.receipt, agent, receipt)
    if found is None:
        raise HTTPException(404, "no such receipt")
    return ReceiptOut(**found.as_dict())
