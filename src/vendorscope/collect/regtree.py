"""One view of a registry tree, whether it comes from a hive file (regipy) or a ``.reg`` text export.

The extraction of programs, services and drivers (``windows_registry.py``) is written once against
:class:`Key`; this module adapts regipy's records and parses ``.reg`` exports (``REGEDIT4`` and
``Windows Registry Editor Version 5.00``, UTF-16 LE with BOM or UTF-8) into the same shape.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from typing import Any, Protocol

MAX_VALUE = 4096
MAX_HIVE = 1024 * 1024 * 1024


class Key(Protocol):
    name: str

    def child(self, path: str) -> Key | None:
        """The subkey at a backslash-separated relative path, case-insensitively."""
        ...

    def children(self) -> Iterator[Key]: ...

    def values(self) -> dict[str, Any]:
        """Values by lower-cased name."""
        ...


class RegError(ValueError):
    """A hive or export that cannot be read; the message says why."""


# -- hive files ----------------------------------------------------------------------------------


class HiveKey:
    """A regipy key record seen through :class:`Key`."""

    def __init__(self, record: Any) -> None:
        self._record = record
        self.name: str = record.name

    def child(self, path: str) -> HiveKey | None:
        record = self._record
        for part in filter(None, path.split("\\")):
            record = record.get_subkey(part, raise_on_missing=False) if record.subkey_count else None
            if record is None:
                return None
        return HiveKey(record)

    def children(self) -> Iterator[HiveKey]:
        for record in self._record.iter_subkeys() or ():
            yield HiveKey(record)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for value in self._record.iter_values(trim_values=True, max_len=MAX_VALUE) or ():
            out[str(value.name).lower()] = value.value
        return out


def open_hive(data: bytes) -> HiveKey:
    """The root key of a hive given as bytes (regipy wants a path, so it goes through a temp file)."""
    from regipy.exceptions import RegipyException
    from regipy.registry import RegistryHive

    if not data.startswith(b"regf"):
        raise RegError("not a registry hive (no regf signature)")
    with tempfile.NamedTemporaryFile(prefix="vendorscope-hive-") as handle:
        handle.write(data)
        handle.flush()
        try:
            hive = RegistryHive(handle.name)
        except (RegipyException, ValueError, EOFError, IndexError, KeyError, OSError) as exc:
            raise RegError(f"corrupt registry hive ({type(exc).__name__}: {str(exc)[:200]})") from exc
        except Exception as exc:  # construct raises its own errors for a damaged header
            raise RegError(f"corrupt registry hive ({type(exc).__name__}: {str(exc)[:200]})") from exc
    hive.root._stream = _InlineAwareStream(hive._stream.getbuffer())
    return HiveKey(hive.root)


class _InlineAwareStream(io.BytesIO):
    """regipy reads ``data_size`` bytes even for inline values, whose size has the top bit set:
    a 2 GiB read that copies the rest of the hive for every small value. Such reads return nothing."""

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size >= 0x80000000:
            return b""
        return super().read(size)


# -- .reg text exports ---------------------------------------------------------------------------


class TextKey:
    """A key parsed from a ``.reg`` export."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._children: dict[str, TextKey] = {}
        self._values: dict[str, Any] = {}

    def child(self, path: str) -> TextKey | None:
        node: TextKey | None = self
        for part in filter(None, path.split("\\")):
            node = node._children.get(part.lower()) if node else None
        return node

    def children(self) -> Iterator[TextKey]:
        yield from self._children.values()

    def values(self) -> dict[str, Any]:
        return self._values

    def make(self, path: list[str]) -> TextKey:
        node = self
        for part in path:
            node = node._children.setdefault(part.lower(), TextKey(part))
        return node


REG_HEADERS = ("Windows Registry Editor Version 5.00", "REGEDIT4")
_ROOTS = {"hkey_local_machine", "hklm", "hkey_current_user", "hkcu", "hkey_users", "hku", "hkey_classes_root"}
_VALUE = re.compile(r'^(@|"(?:[^"\\]|\\.)*")\s*=\s*(.*)$')


def decode_reg(data: bytes) -> str:
    """The text of a ``.reg`` export: UTF-16 LE with its BOM (regedit's default) or UTF-8."""
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", errors="replace")
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def is_reg_export(head: bytes) -> bool:
    text = decode_reg(head[:200]).lstrip()
    return text.startswith(REG_HEADERS)


def relative_path(full: str) -> list[str]:
    """A key path with its hive root removed, so exports and hive files share lookup paths.

    ``HKEY_LOCAL_MACHINE\\SOFTWARE\\X`` → ``X``; ``HKEY_CURRENT_USER\\Software\\X`` → ``Software\\X``
    (as in NTUSER.DAT); ``HKEY_USERS\\S-1-5-21-…\\Software\\X`` → ``Software\\X``.
    """
    parts = [p for p in full.split("\\") if p]
    root = parts.pop(0).lower() if parts and parts[0].lower() in _ROOTS else ""
    machine_hive = root in ("hkey_local_machine", "hklm") and bool(parts) and parts[0].lower() in ("software", "system")
    if parts and (machine_hive or root in ("hkey_users", "hku")):
        parts.pop(0)
    return parts


def parse_reg(text: str) -> tuple[TextKey, list[tuple[int, str]]]:
    """The tree of a ``.reg`` export and its problems as (line, message)."""
    root = TextKey("")
    problems: list[tuple[int, str]] = []
    current: TextKey | None = None
    for number, line in _logical_lines(text):
        if not line or line.startswith(";") or line.startswith(REG_HEADERS):
            continue
        if line.startswith("[") and line.endswith("]"):
            path = line[1:-1]
            current = None if path.startswith("-") else root.make(relative_path(path))
            continue
        match = _VALUE.match(line)
        if match is None:
            problems.append((number, "not a registry key or value line"))
            continue
        if current is not None:
            name = "" if match.group(1) == "@" else _unquote(match.group(1)[1:-1])
            current.values()[name.lower()] = reg_value(match.group(2))
    return root, problems


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines with backslash continuations joined, numbered by their first physical line."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending:
            start = number
        if line.endswith("\\") and not line.startswith("["):
            pending += line[:-1]
            continue
        yield start, pending + line
        pending = ""
    if pending:
        yield start, pending


def _unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def reg_value(text: str) -> Any:
    """A value's data: strings, dwords as int, expandable/multi strings decoded from hex(2)/hex(7)."""
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return _unquote(text[1:-1])[:MAX_VALUE]
    if text.lower().startswith("dword:"):
        try:
            return int(text[6:], 16)
        except ValueError:
            return text
    if text.lower().startswith(("hex(2):", "hex(7):")):
        try:
            raw = bytes(int(b, 16) for b in text.split(":", 1)[1].replace(" ", "").split(",") if b)
        except ValueError:
            return text[:MAX_VALUE]
        decoded = raw.decode("utf-16-le", errors="replace").rstrip("\0")
        return decoded.replace("\0", "; ")[:MAX_VALUE]
    return text[:MAX_VALUE]
