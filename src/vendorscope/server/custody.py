"""The custody record of a source file, for the pages: what was ingested, when, by which version, its hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from vendorscope.store.tables import Artifact


def records(conn: Connection, sha256: str) -> list[dict[str, Any]]:
    """Every ingest of the file with this SHA-256 (the same bytes can arrive with different hints)."""
    rows = conn.execute(
        select(
            Artifact.id,
            Artifact.sha256,
            Artifact.path,
            Artifact.size,
            Artifact.format,
            Artifact.ingested_at,
            Artifact.tool_version,
            Artifact.records,
            Artifact.items,
            Artifact.problems,
            Artifact.context,
        )
        .where(Artifact.sha256 == sha256)
        .order_by(Artifact.ingested_at, Artifact.id)
    ).all()
    return [
        {
            "id": r.id,
            "sha256": r.sha256,
            "path": r.path,
            "size": r.size,
            "format": r.format,
            "ingested_at": r.ingested_at.isoformat(timespec="seconds") if r.ingested_at else "",
            "tool_version": r.tool_version,
            "records": r.records,
            "items": r.items,
            "problems": r.problems,
            "context": r.context,
        }
        for r in rows
    ]
