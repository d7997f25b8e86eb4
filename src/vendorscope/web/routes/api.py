"""The JSON API (read side), for a signed-in user's session, within the user's org scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from vendorscope.web.deps import Hosts, Reader, RowId, ServiceDep
from vendorscope.web.routes.findings import Filter

router = APIRouter(prefix="/api/v1", tags=["api"])


class EvidenceOut(BaseModel):
    source: str
    field: str
    value: str
    rule: str
    model_config = {"extra": "allow"}


class FindingOut(BaseModel):
    id: int
    host: str
    org: str
    vendor: str
    product: str
    kind: str
    confidence: float
    present: bool
    status: str
    first_seen: str | None
    last_seen: str | None
    explanation: str
    evidence: list[EvidenceOut]


class HostOut(BaseModel):
    host: str
    org: str
    examined: bool
    coverage: str
    sources: list[str]
    last_examined: str | None
    software: int
    findings: list[str]


class ExposureOut(BaseModel):
    vendor: str
    product: str
    product_name: str
    kind: str
    hosts: int
    min_confidence: float
    max_confidence: float
    how_found: dict[str, int]


@router.get("/findings", response_model=list[FindingOut])
def list_findings(service: ServiceDep, _user: Reader, hosts: Hosts, flt: Filter) -> Any:
    """Findings in the caller's scope, narrowed by the query parameters."""
    return service.scoped_findings(hosts, flt)


@router.get("/findings/{finding_id}", response_model=FindingOut)
def get_finding(finding_id: RowId, service: ServiceDep, _user: Reader, hosts: Hosts) -> Any:
    """One finding with its evidence; 404 when it is not in the caller's scope."""
    return service.scoped_finding(hosts, finding_id)


@router.get("/hosts", response_model=list[HostOut])
def list_hosts(service: ServiceDep, _user: Reader, hosts: Hosts) -> Any:
    """Every host in scope with its coverage ("not examined" where nothing looked at it)."""
    return service.scoped_hosts(hosts)


@router.get("/summary", response_model=list[ExposureOut])
def summary(service: ServiceDep, _user: Reader, hosts: Hosts) -> Any:
    """Exposure by product within the caller's scope."""
    board = service.dashboard(hosts)
    return [
        {
            "vendor": p.vendor,
            "product": p.product,
            "product_name": service.product_name(p.vendor, p.product),
            "kind": p.kind,
            "hosts": p.hosts,
            "min_confidence": p.min_confidence,
            "max_confidence": p.max_confidence,
            "how_found": dict(p.how_found),
        }
        for p in board.products
    ]


@router.get("/catalogs")
def catalogs(service: ServiceDep, _user: Reader) -> list[dict[str, Any]]:
    """The loaded catalogs, as their YAML documents."""
    return [c.model_dump(mode="json") for c in service.catalogs]
