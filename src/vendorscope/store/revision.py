"""The schema's newest revision, read from the migration files without SQLAlchemy or Alembic.

Opening a store compares it with the ``alembic_version`` row (store/migrate.py); the read-only listing path
(store/readonly.py) does the same with the standard library's sqlite3, so it lives apart from both.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@cache
def declared_head() -> str | None:
    """The newest revision read from the migration files without Alembic; None unless exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        revision = _literal(values.get("revision", ""))
        if revision is None:
            return None
        revisions.add(revision)
        down = values.get("down_revision", "None")
        if down.startswith(("(", "[")):
            return None  # a merge revision: let Alembic read it
        if (parent := _literal(down)) is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _literal(value: str) -> str | None:
    match = re.fullmatch(r"""(['"])([^'"]+)\1""", value.strip())
    return match.group(2) if match else None
