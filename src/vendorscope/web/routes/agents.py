"""The agents' endpoint: ``POST /api/v1/agents/bundles`` with an enrollment token, a gzip (or plain) body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from vendorscope.server.accounts import Principal
from vendorscope.server.push import MAX_PUSH_BYTES
from vendorscope.web.deps import ServiceDep
from vendorscope.web.security import client_addr

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])
STATUS_CODES = {"ingested": 201, "duplicate": 200, "failed": 422}


class PushOut(BaseModel):
    status: str
    sha256: str
    items: int
    hosts: int
    problems: list[str]


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
    responses={
        200: {"description": "already received (same SHA-256)"},
        201: {"description": "ingested"},
        401: {"description": "unknown or revoked token"},
        403: {"description": "a host in the bundle belongs to an org outside the token's scope"},
        413: {"description": "too large"},
        422: {"description": "unreadable bundle"},
    },
)
async def push_bundle(
    request: Request,
    service: ServiceDep,
    authorization: Annotated[str | None, Header()] = None,
    x_vendorscope_agent: Annotated[str | None, Header(max_length=255)] = None,
    x_vendorscope_filename: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    """Receive one bundle from an agent: ingested once (idempotent by SHA-256), recorded against the token."""
    agent = await run_in_threadpool(_agent, service, authorization)
    data = await _body(request)
    name = x_vendorscope_agent or agent.name
    result = await run_in_threadpool(
        service.agents.push, agent, name, data, x_vendorscope_filename or "", client_addr(request)
    )
    body = PushOut(
        status=result.status,
        sha256=result.sha256,
        items=result.items,
        hosts=result.hosts,
        problems=result.problems[:20],
    )
    return JSONResponse(body.model_dump(), status_code=STATUS_CODES[result.status])
