"""The JSON API (read side), for a signed-in user's session, within the user's org scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from vendorscope.web.deps import Hosts, Reader, RowId, ScopeDep, ServiceDep
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


class CountsOut(BaseModel):
    """The answer's counts (respond/summary.py): the same names and values as manifest.json's ``counts``."""

    hosts_known: int
    hosts_examined: int
    hosts_not_examined: int
    hosts_affected: int
    hosts_affected_installed: int
    hosts_affected_network_only: int
    findings_open: int
    findings_closed: int
    overdue: int
    purchases_flagged: int
    contractors: int
    documents_searched: int
    documents_found: int
    documents_produced: int
    documents_withheld: int
    documents_unreviewed: int
    documents_not_examined: int


class ProductOut(BaseModel):
    product_id: str
    product: str
    hosts: int


class SummaryOut(BaseModel):
    vendor: str
    counts: CountsOut
    products: list[ProductOut]


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


@router.get("/summary", response_model=SummaryOut)
def summary(
    service: ServiceDep,
    _user: Reader,
    hosts: Hosts,
    scope: ScopeDep,
    vendor: Annotated[str, Query(max_length=64)] = "",
) -> Any:
    """The answer's counts and products for a vendor (default: the committee's), within the caller's scope."""
    return service.answer_summary(vendor or service.default_vendor(), hosts, scope).as_dict()


@router.get("/catalogs")
def catalogs(service: ServiceDep, _user: Reader) -> list[dict[str, Any]]:
    """The loaded catalogs, as their YAML documents."""
    return [c.model_dump(mode="json") for c in service.catalogs]
