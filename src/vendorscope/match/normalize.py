"""Normal forms under which evidence is compared with indicators.

Organization names go through rigour (legal forms in any script removed, case
folded), so "Kaspersky Lab ZAO", "AO Kaspersky Lab" and "Kaspersky Lab, Inc."
share one key, while "Kasper Systems" keeps its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rigour.names import normalize_name, remove_org_types

_EMAIL = re.compile(r"<[^>]*>|\([^)]*@[^)]*\)|\S+@\S+")
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_DN_PART = re.compile(r"(?:^|[,/])\s*(CN|O|OU)\s*=\s*(\"[^\"]*\"|[^,/]+)", re.IGNORECASE)
_EXEC = re.compile(r"[^\\/\"']+\.(?:exe|dll|sys|com|scr|msi|bin|app|sh|pl)\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """A comparable key for an organization name; '' when nothing is left."""
    text = _EMAIL.sub(" ", name)
    normalized = normalize_name(text) or ""
    if not normalized:
        return ""
    bare = remove_org_types(normalized)
    bare = _PUNCT.sub(" ", bare)
    return _SPACE.sub(" ", bare).strip()


def text_key(value: str) -> str:
    """Case-folded, space-collapsed text for exact comparisons of names and ids."""
    return _SPACE.sub(" ", value.strip()).casefold()


def dn_names(subject: str) -> list[str]:
    """The CN and O values of a distinguished name, or the whole string when it is not one.

    Signers arrive as ``CN=AO Kaspersky Lab, O=AO Kaspersky Lab, L=Moscow, C=RU``,
    as ``/C=RU/O=.../CN=...``, or as a bare name (osquery's ``authority``).
    """
    parts = [value.strip().strip('"') for key, value in _DN_PART.findall(subject) if key.upper() in ("CN", "O")]
    return parts or [subject.strip()]


def basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip().strip('"')


def executables(path: str, name: str) -> set[str]:
    """File names of executables an item points at: its path (even with arguments) and its name."""
    found = {m.group(0).strip().casefold() for m in _EXEC.finditer(path)}
    base = basename(path).casefold()
    if base:
        found.add(base)
    if _EXEC.fullmatch(name.strip()):
        found.add(name.strip().casefold())
    return found


def strip_extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return stem if dot and ext.lower() in ("sys", "ko", "exe", "service", "plist") else name
