"""Mobile app lists: Android ``pm list packages -f`` / ``dumpsys package`` text, MDM exports (CSV/JSON).

MDM products name their columns differently; the usual names are known, and ``--map
field=Column,...`` names any others (fields: host, name, identifier, version, publisher, platform).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vendorscope.sources.base import Item

_PM_LINE = re.compile(r"^package:(?P<path>.*)=(?P<package>[A-Za-z][\w.]*)\s*$")
_DUMPSYS_PACKAGE = re.compile(r"^\s*Package \[(?P<package>[\w.]+)\]")
_DUMPSYS_FIELD = re.compile(r"^\s*(?P<key>versionName|installerPackageName|codePath)=(?P<value>\S*)")

ALIASES: dict[str, tuple[str, ...]] = {
    "host": ("device name", "device", "devicename", "computer name", "mobile device name", "friendly name",
             "device_name", "serial number", "serial"),
    "name": ("app name", "application name", "app", "application", "app_name", "display name", "name"),
    "identifier": ("bundle id", "bundle identifier", "app id", "application identifier", "package", "package name",
                   "identifier", "bundle_id", "app identifier", "package_name"),
    "version": ("app version", "version", "application version", "short version", "app_version"),
    "publisher": ("publisher", "vendor", "developer"),
    "platform": ("platform", "os", "operating system", "device platform"),
}  # fmt: skip


def is_android_list(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace").lstrip()
    return text.startswith("package:") or bool(re.search(r"^\s*Package \[[\w.]+\] \(", text, re.MULTILINE))


def android_items(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, Item | str]]:
    """(line, item) for each package, (line, message) for a line that should have been one."""
    current: dict[str, str] | None = None
    started = 0
    for number, line in lines:
        if pm := _PM_LINE.match(line):
            yield number, _android(pm["package"], "", pm["path"])
        elif line.startswith("package:"):
            yield number, "not a 'package:PATH=NAME' line"
        elif dump := _DUMPSYS_PACKAGE.match(line):
            if current:
                yield started, _from_dumpsys(current)
            current, started = {"package": dump["package"]}, number
        elif current is not None and (field := _DUMPSYS_FIELD.match(line)):
            current.setdefault(field["key"], field["value"])
    if current:
        yield started, _from_dumpsys(current)


def _from_dumpsys(fields: dict[str, str]) -> Item:
    return _android(fields["package"], fields.get("versionName", ""), fields.get("codePath", ""))


def _android(package: str, version: str, path: str) -> Item:
    return Item(name=package, identifier=package, version=version, path=path, source="android_packages")


def resolve_columns(header: list[str], mapping: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """field → column of the header: the user's mapping first, then the usual names."""
    lowered = {h.strip().lower(): h for h in header}
    columns = {field: column for field, column in mapping if column in header or column.lower() in lowered}
    columns = {f: lowered.get(c.lower(), c) for f, c in columns.items()}
    for field, names in ALIASES.items():
        if field not in columns:
            found = next((lowered[n] for n in names if n in lowered), None)
            if found:
                columns[field] = found
    return columns


def looks_like_mdm(header: list[str]) -> bool:
    columns = resolve_columns(header, ())
    has_app = "identifier" in columns or ("name" in columns and columns["name"].lower() != "name")
    return "host" in columns and has_app and columns.get("host", "").lower() != "host"


def mdm_item(row: dict[str, str], columns: dict[str, str]) -> tuple[str, Item] | str:
    """(host, item) of one exported row, or the reason it is unusable."""
    value = {f: str(row.get(c) or "").strip()[:4096] for f, c in columns.items()}
    if not value.get("host"):
        return f"no device in column {columns.get('host', 'host')!r}"
    if not value.get("name") and not value.get("identifier"):
        return "no app name or identifier"
    platform = value.get("platform", "").lower()
    source = "apps"
    if "android" in platform:
        source = "android_packages"
    elif "ios" in platform or "ipad" in platform:
        source = "ios_apps"
    return value["host"], Item(
        name=value.get("name") or value.get("identifier", ""),
        identifier=value.get("identifier", ""),
        version=value.get("version", ""),
        publisher=value.get("publisher", ""),
        source=source,
    )
