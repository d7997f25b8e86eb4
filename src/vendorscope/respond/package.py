"""Write the response package: CSVs, the documents production, report.html/.pdf/.xlsx and manifest.json.

The package is built in a hidden folder next to DIR and renamed into place at the end, so an
interrupted build leaves no half-written package. CSV and HTML are byte-for-byte deterministic for the
same store and generation time; the XLSX and PDF carry their libraries' timestamps, their contents
are deterministic.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from vendorscope import __version__
from vendorscope.errors import VendorscopeError
from vendorscope.respond import certification, charts, plain, seal
from vendorscope.respond.answer import (
    CONTRACTORS_COLUMNS,
    COVERAGE_COLUMNS,
    PURCHASES_COLUMNS,
    SYSTEMS_COLUMNS,
    Answer,
)
from vendorscope.respond.cells import csv_text
from vendorscope.respond.changes import CHANGES, Changes, Explain, compare
from vendorscope.respond.keys import SigningKey
from vendorscope.respond.providers import DocumentProvider, ProductionSummary
from vendorscope.respond.summary import COUNT_LABELS
from vendorscope.safe_csv import SafeWriter

MANIFEST = "manifest.json"
MAX_LISTED_NOT_EXAMINED = 50
MAX_SYSTEMS_IN_REPORT = 500  # rows in the HTML/PDF table; systems.csv and report.xlsx have them all


class PackageError(VendorscopeError):
    """The output folder cannot be used."""


@dataclass(frozen=True)
class PackageMeta:
    generated_at: datetime
    catalog_versions: dict[str, str]
    fingerprint: str
    request_sha256: str = ""
    signing_key: SigningKey | None = None
    store_revision: str = ""  # the schema (Alembic) revision of the store
    built_by: str = ""  # who ran the build (--by, else the login name)
    chain_head: dict[str, Any] | None = None  # the custody chain's head the package was built from
    since: Path | None = None  # an earlier package: the report says what changed since
    explain: Explain | None = None  # how a removal was verified, from the store's history
    csv_bom: bool = True  # CSVs start with a UTF-8 byte-order mark (Excel needs it; `respond --no-bom` omits it)


@dataclass(frozen=True)
class PackageResult:
    folder: Path
    files: list[dict[str, Any]]
    answer: Answer
    production: ProductionSummary | None
    documents_line: str
    signature: dict[str, str] | None = None


def generation_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds: same store, same package bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def write_package(answer: Answer, documents: DocumentProvider, out_dir: Path, meta: PackageMeta) -> PackageResult:
    """Build the whole package in a temporary folder, then move it to ``out_dir``."""
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    work.chmod(0o755)  # mkdtemp makes it private; a package is meant to be shared
    try:
        production, documents_line = _documents(answer, documents, work)
        write_csv(work / "systems.csv", SYSTEMS_COLUMNS, answer.systems, meta.csv_bom)
        write_csv(work / "contractors.csv", CONTRACTORS_COLUMNS, answer.contractors, meta.csv_bom)
        write_csv(work / "purchases.csv", PURCHASES_COLUMNS, answer.purchases, meta.csv_bom)
        write_csv(work / "coverage.csv", COVERAGE_COLUMNS, answer.coverage, meta.csv_bom)
        changes = compare(meta.since, work, meta.explain) if meta.since else None
        if changes is not None:
            (work / CHANGES).write_bytes(orjson.dumps(changes.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        listing = production.listing if production else ()
        html = render_html(answer, meta, documents_line, listing, changes)
        (work / "report.html").write_text(html, encoding="utf-8")
        from vendorscope.respond.render import write_pdf, write_xlsx  # heavy imports, only when building

        write_pdf(html, work / "report.pdf")
        write_xlsx(answer, work / "report.xlsx", meta.generated_at, documents_line, listing)
        files = _seal(work, answer, meta, production, changes)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        work.rename(out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return PackageResult(out_dir, files, answer, production, documents_line, seal.signature_entry(meta.signing_key))


def _seal(
    work: Path, answer: Answer, meta: PackageMeta, production: ProductionSummary | None, changes: Changes | None
) -> list[dict[str, Any]]:
    """README and signer files, the manifest over everything so far, its signature, SHA256SUMS over all."""
    (work / seal.README).write_text(seal.readme_text(answer.request.id, meta.signing_key), encoding="utf-8")
    seal.write_signer_files(work, meta.signing_key)
    files = write_manifest(work, answer, meta, production, changes)
    seal.write_signature(work, meta.signing_key)
    digests = {f["path"]: f["sha256"] for f in files}
    for name in (seal.MANIFEST, seal.SIGNATURE):
        if (work / name).is_file():
            digests[name] = file_digest(work / name)
    text = certification.certification_text(certification_facts(answer, meta), digests[seal.MANIFEST], digests)
    (work / seal.CERTIFICATION).write_text(text, encoding="utf-8")
    digests[seal.CERTIFICATION] = file_digest(work / seal.CERTIFICATION)
    seal.write_sums(work, digests)
    return files


def certification_facts(answer: Answer, meta: PackageMeta) -> certification.Facts:
    public = meta.signing_key.public if meta.signing_key else None
    return certification.Facts(
        request_id=answer.request.id,
        requester=answer.request.requester,
        received=answer.request.received.isoformat(),
        vendor=answer.catalog.vendor.name,
        generated_at=meta.generated_at.isoformat() + "Z",
        built_by=meta.built_by or "unknown",
        tool_version=__version__,
        store_schema=meta.store_revision,
        store_fingerprint=meta.fingerprint,
        catalogs=sorted(meta.catalog_versions.items()),
        chain_head=meta.chain_head,
        signer=public.signer if public else "",
        fingerprint=public.fingerprint if public else "",
    )


def _check_target(out_dir: Path) -> None:
    if out_dir.is_file():
        raise PackageError(f"{out_dir}: is a file; give a folder for the package")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
        raise PackageError(f"{out_dir}: exists and is not a vendorscope package; give an empty or new folder")


def _documents(answer: Answer, documents: DocumentProvider, work: Path) -> tuple[ProductionSummary | None, str]:
    request = answer.request
    if not request.asks("documents"):
        return None, "not asked"
    folder = work / "documents"
    folder.mkdir()
    since = request.documents.since if request.documents else None
    production = documents.produce_documents(folder, answer.catalog.vendor.id, since) if documents.available else None
    if production is None:
        line = documents.describe() if not documents.available else "no document matched the request"
        (folder / "NOT-PRODUCED.txt").write_text(f"No documents were produced: {line}.\n", encoding="utf-8")
        return None, f"No documents were produced: {line}."
    return production, f"{production.documents} documents produced in documents/: {production.description}."


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]], bom: bool = True) -> None:
    """UTF-8 with a byte-order mark unless ``bom`` is False (Excel reads "—" and "Касперского" right only
    with one); times in UTC to the second ("Z"); every cell formula-safe (safe_csv)."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = SafeWriter(handle)
        writer.header(columns)
        for row in rows:
            writer.writerow(csv_text(c, row.get(c)) for c in columns)


def render_html(
    answer: Answer,
    meta: PackageMeta,
    documents_line: str,
    listing: Sequence[dict[str, str]] = (),
    changes: Changes | None = None,
) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape  # only a package renders HTML

    env = Environment(
        loader=PackageLoader("vendorscope.respond", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    context = report_context(answer, meta, documents_line, listing)
    return env.get_template("report.html.j2").render(**context, changes=changes.as_dict() if changes else None)


def plain_answers(answer: Answer) -> list[plain.Answered]:
    """One paragraph per question of the request, in the order asked, from the answer's counts (respond/plain.py)."""
    vendor, counts = answer.catalog.vendor.name, answer.summary.counts
    not_examined = [r["host"] for r in answer.coverage if r["examined_by"] == "not examined"]
    products = [(p.product, p.hosts) for p in answer.summary.products]
    paragraphs = {
        "systems": plain.systems_paragraph(vendor, counts, products, not_examined),
        "contractors": plain.contractors_paragraph(
            vendor, answer.contractors, counts.purchases_flagged, "; ".join(answer.notes)
        ),
        "documents": plain.documents_paragraph(
            vendor, counts, answer.request.documents.since if answer.request.documents else None
        ),
    }
    return [
        plain.Answered(item, plain.QUESTIONS[item].format(vendor=vendor), paragraphs[item])
        for item in answer.request.items
    ]


def report_context(
    answer: Answer, meta: PackageMeta, documents_line: str, listing: Sequence[dict[str, str]] = ()
) -> dict[str, Any]:
    vendor = answer.catalog.vendor.name
    summary = answer.summary
    by_product = [(p.product, p.hosts) for p in summary.products]
    by_org = answer.hosts_by("org_path")
    by_contractor = [(r["name"], r["hosts_with_vendor"]) for r in answer.contractors if r["hosts_with_vendor"]]
    not_examined = [r["host"] for r in answer.coverage if r["examined_by"] == "not examined"]
    return {
        "request": answer.request,
        "vendor": vendor,
        "catalog_version": answer.catalog.version,
        "tool_version": __version__,
        "generated_at": meta.generated_at.isoformat() + "Z",
        "fingerprint": meta.fingerprint,
        "counts": summary.counts,
        "count_rows": [(name, label, getattr(summary.counts, name)) for name, label in COUNT_LABELS.items()],
        "affected": summary.counts.hosts_affected,
        "known": summary.counts.hosts_known,
        "not_examined": summary.counts.hosts_not_examined,
        "purchases": answer.purchases,
        "not_examined_hosts": not_examined[:MAX_LISTED_NOT_EXAMINED],
        "systems": answer.systems[:MAX_SYSTEMS_IN_REPORT],
        "systems_count": len(answer.systems),
        "contractors": answer.contractors,
        "contractor_count": len(answer.contractors),
        "by_product": by_product,
        "by_org": by_org,
        "charts": {
            "product": _chart(f"{vendor} software: hosts by product", by_product),
            "org": _chart("Hosts by organization", by_org),
            "contractor": _chart("Hosts by contractor", by_contractor),
        },
        "methods": answer.methods(),
        "product_risks": answer.product_risks,
        "exceptions": answer.exceptions,
        "notes": answer.notes,
        "orgs_available": not answer.notes,
        "orgs_note": "; ".join(answer.notes),
        "documents_line": documents_line,
        "answers": plain_answers(answer),
        "methods_text": plain.methods_paragraph(answer.methods(), answer.summary.counts),
        "rules": plain.evidence_rules(answer.catalog, [name for name, _ in by_product]),
        "documents_listing": list(listing),
        "signature": seal.signature_entry(meta.signing_key),
        "built_by": meta.built_by,
        "store_revision": meta.store_revision,
        "chain_head": meta.chain_head,
        "certification": {
            "title": certification.TITLE,
            "rules": certification.RULES,
            "process": certification.process(certification_facts(answer, meta)),
            "declaration": certification.declaration(),
            "signature_block": [line for line in certification.SIGNATURE_BLOCK if line],
        },
        "catalog_versions": sorted(meta.catalog_versions.items()),
    }


def _chart(title: str, counts: list[tuple[str, int]]) -> str:
    png = charts.bar_chart(title, counts)
    return charts.data_uri(png) if png else ""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(
    folder: Path,
    answer: Answer,
    meta: PackageMeta,
    production: ProductionSummary | None,
    changes: Changes | None = None,
) -> list[dict[str, Any]]:
    """manifest.json: every other file with its SHA-256 and size, and what the package was built from."""
    files = [
        {"path": p.relative_to(folder).as_posix(), "sha256": file_digest(p), "size": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in seal.OUTSIDE_MANIFEST
    ]
    manifest = {
        "request": answer.request.id,
        "request_sha256": meta.request_sha256,
        "requester": answer.request.requester,
        "vendor": answer.catalog.vendor.id,
        "items": list(answer.request.items),
        "counts": answer.summary.counts.as_dict(),
        "products": answer.summary.as_dict()["products"],
        "generated_at": meta.generated_at.isoformat() + "Z",
        "tool": {"name": "vendorscope", "version": __version__},
        "catalogs": meta.catalog_versions,
        "store_fingerprint": meta.fingerprint,
        "store_schema": meta.store_revision,
        "custody_chain_head": meta.chain_head,
        "built_by": meta.built_by,
        "documents": production.documents if production else None,
        "notes": answer.notes,
        "signature": seal.signature_entry(meta.signing_key),
        "since_package": changes.since | {"counts": changes.counts()} if changes else None,
        "files": files,
    }
    (folder / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return files
