"""Writes one artifact's network contacts, in bulk, inside its transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from vendorscope.sources.base import NetworkContact
from vendorscope.store.dialect import bulk_insert, time_encoder
from vendorscope.store.tables import NetworkContactRow

_CONTACTS = NetworkContactRow.__table__
_COLUMNS = ("artifact_id", "client", "client_name", "target", "port", "first_seen", "last_seen", "count")
MAX_TEXT = 255


class NetworkWriter:
    """Collects contacts (already aggregated by the parser) and inserts them per batch."""

    def __init__(self, conn: Connection, artifact_id: int, batch: int = 20_000) -> None:
        self.conn = conn
        self.artifact_id = artifact_id
        self.batch = batch
        self.contacts = 0
        self._pending: dict[tuple[str, str, str], tuple[object, ...]] = {}
        self._encode_time = time_encoder(conn)  # SQLite: the text form queries bind, not sqlite3's own

    def add(self, contact: NetworkContact) -> None:
        key = (contact.client[:MAX_TEXT].lower(), contact.target[:MAX_TEXT], contact.port[:16])
        row = (
            self.artifact_id,
            key[0],
            contact.client_name[:MAX_TEXT],
            key[1],
            key[2],
            self._encode_time(contact.first_seen),
            self._encode_time(contact.last_seen),
            contact.count,
        )
        if key in self._pending:  # the same contact twice in one file (clipped names): keep the larger
            row = row if contact.count > self._pending[key][-1] else self._pending[key]  # type: ignore[operator]
        self._pending[key] = row
        self.contacts += 1
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            bulk_insert(self.conn, _CONTACTS, _COLUMNS, list(self._pending.values()))
            self._pending.clear()
            self._encode_time = time_encoder(self.conn)  # its memo of times: bounded by the batch
