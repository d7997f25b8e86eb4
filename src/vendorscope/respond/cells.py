"""How the package's tables write times and numbers, the same in every CSV and sheet.

Times in the store are UTC without a zone; readers get them to the second with the zone said: "Z" in CSV
text, "(UTC)" in a spreadsheet header (Excel cells have no zone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

# Columns holding a moment (to the second) or a day.
TIME_COLUMNS = frozenset({"first_seen", "last_seen", "last_examined", "due", "verified_at", "produced_at"})
DATE_COLUMNS = frozenset({"identified", "received", "date", "since"})
NUMBER_COLUMNS = frozenset(
    {"confidence", "risk_score", "software", "hosts", "hosts_with_vendor", "finding_id", "documents", "pages"}
)


def parse_time(text: str) -> datetime | date | None:
    """An ISO date or time as a date, or a naive UTC datetime to the second; None when it is neither."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def utc_text(value: object) -> str:
    """``2026-11-01T15:26:27.123456`` → ``2026-11-01T15:26:27Z``; a date stays a date; other text unchanged."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime | date) else parse_time(str(value))
    if isinstance(moment, datetime):
        if moment.tzinfo:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0).isoformat() + "Z"
    if isinstance(moment, date):
        return moment.isoformat()
    return str(value)


def csv_text(column: str, value: object) -> object:
    """One CSV cell: times in UTC to the second, None as empty, anything else as it is."""
    if value is None:
        return ""
    if column in TIME_COLUMNS:
        return utc_text(value)
    return value
