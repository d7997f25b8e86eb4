"""From a request file to a package: load, check, answer, write. The service calls this."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from vendorscope.errors import InputError, NotFoundError
from vendorscope.findings.devices import CANDIDATE as DEVICE_CANDIDATE
from vendorscope.respond.answer import Answer, build_answer
from vendorscope.respond.package import PackageMeta, PackageResult, generation_time, write_package
from vendorscope.respond.remediation import EXCEPTION, load_policy, work_items
from vendorscope.respond.request import Request, field_line, load_request
from vendorscope.store.tables import Artifact, Finding, FindingEvent, Remediation

if TYPE_CHECKING:
    from vendorscope.service import Service


def build_response(service: Service, request_path: Path, out_dir: Path) -> PackageResult:
    """The package answering a request about one vendor."""
    request = _checked(service, request_path)
    if len(request.vendor_ids) > 1:
        message = "vendors: a request naming several vendors is answered one package per vendor (vendorscope respond)"
        raise InputError(str(request_path), message, field_line(request_path, "vendors"))
    return _package(service, request, request_path, out_dir)


def build_responses(service: Service, request_path: Path, out_dir: Path) -> list[PackageResult]:
    """One package per vendor the request names: in ``out_dir`` for one vendor, in ``out_dir/VENDOR`` for several."""
    request = _checked(service, request_path)
    if len(request.vendor_ids) == 1:
        return [_package(service, request, request_path, out_dir)]
    return [_package(service, request.for_vendor(v), request_path, out_dir / v) for v in request.vendor_ids]


def _checked(service: Service, request_path: Path) -> Request:
    request = load_request(request_path)
    field = "vendors" if request.vendors else "vendor"
    for index, vendor in enumerate(request.vendor_ids):
        try:
            service.vendor(vendor)
        except NotFoundError as exc:
            where = f"{field}[{index}]" if request.vendors else field
            raise InputError(str(request_path), f"{where}: {exc}", field_line(request_path, field)) from None
    return request


def _package(service: Service, request: Request, request_path: Path, out_dir: Path) -> PackageResult:
    answer = answer_for(service, request)
    meta = PackageMeta(
        generated_at=generation_time(),
        catalog_versions={c.vendor.id: c.version for c in service.catalogs},
        fingerprint=store_fingerprint(service),
        request_sha256=hashlib.sha256(request_path.read_bytes()).hexdigest(),
    )
    return write_package(answer, service.providers.documents, out_dir, meta)


def answer_for(service: Service, request: Request) -> Answer:
    catalog = service.vendor(request.vendor)
    with service.store.engine.connect() as conn:
        work = work_items(conn, load_policy(service.store), date.today(), request.vendor, include_closed=True)
    exceptions = [
        w | {"product_name": service.product_name(w["vendor"], w["product"])} for w in work if w["status"] == EXCEPTION
    ]
    findings = service.findings(request.vendor)
    candidates = sorted(f["host"] for f in findings if f["kind"] == DEVICE_CANDIDATE)
    answer = build_answer(
        request,
        catalog,
        [f for f in findings if f["kind"] != DEVICE_CANDIDATE],
        service.hosts(),
        exceptions,
        service.providers,
    )
    if candidates:  # a MAC prefix alone is a lead, not covered equipment: named, not counted
        answer.notes.append(
            f"{len(candidates)} device(s) only a candidate for {catalog.vendor.name} (one weak clue, e.g. a MAC "
            f"prefix), to confirm before reporting: {', '.join(candidates)}"
        )
    return answer


def ad_hoc_request(vendor: str, items: tuple[str, ...] = ("systems", "contractors")) -> Request:
    """A request built in code, for the directive reports (they answer the same questions)."""
    return Request(id="directive", requester="vendorscope", received=date.today(), vendor=vendor, items=list(items))


def store_fingerprint(service: Service) -> str:
    """SHA-256 over what the answer depends on: artifacts, catalogs, findings and their remediation."""
    digest = hashlib.sha256(service.matcher.fingerprint.encode())
    with service.store.engine.connect() as conn:
        for row in _rows(conn):
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
    return digest.hexdigest()


def _rows(conn: Connection) -> Any:
    yield from conn.execute(select(Artifact.sha256).order_by(Artifact.sha256))
    yield from conn.execute(
        select(
            Finding.id,
            Finding.host_id,
            Finding.vendor,
            Finding.product,
            Finding.kind,
            Finding.status,
            Finding.present,
            Finding.confidence,
            Finding.first_seen,
            Finding.last_seen,
        ).order_by(Finding.id)
    )
    yield from conn.execute(
        select(
            Remediation.finding_id, Remediation.owner, Remediation.due, Remediation.replacement, Remediation.note
        ).order_by(Remediation.finding_id)
    )
    yield from conn.execute(
        select(FindingEvent.id, FindingEvent.finding_id, FindingEvent.new).order_by(FindingEvent.id)
    )
