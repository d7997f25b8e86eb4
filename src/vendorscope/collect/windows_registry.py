"""Installed programs, services and drivers from Windows registry trees (hives or ``.reg`` exports).

Paths are relative to the hive's root (see ``regtree.relative_path``), so one set of lookups serves
SOFTWARE, SYSTEM, NTUSER.DAT and Amcache.hve files as well as exports of the same keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vendorscope.collect.regtree import Key
from vendorscope.sources.base import Item

UNINSTALL = "Microsoft\\Windows\\CurrentVersion\\Uninstall"
PROGRAM_KEYS = (UNINSTALL, f"WOW6432Node\\{UNINSTALL}", f"Software\\{UNINSTALL}", f"Software\\WOW6432Node\\{UNINSTALL}")
DRIVER_TYPES = {1, 2, 8}  # kernel driver, file-system driver, recognizer
MAX_KEYS = 200_000


def text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    if value is None or isinstance(value, bytes | list | dict):
        return ""
    return str(value).strip().strip("\0")[:4096]


def programs(root: Key) -> Iterator[Item]:
    """Uninstall entries (machine, 32-bit view and per-user) that have a display name."""
    for path in PROGRAM_KEYS:
        uninstall = root.child(path)
        for entry in _limited(uninstall.children() if uninstall else iter(())):
            values = entry.values()
            name = text(values, "displayname")
            if not name:
                continue
            yield Item(
                name=name,
                version=text(values, "displayversion"),
                publisher=text(values, "publisher"),
                source="programs",
                path=text(values, "installlocation") or text(values, "displayicon"),
                identifier=entry.name,
            )


def control_set(root: Key) -> Key | None:
    """The control set Windows would boot with (Select\\Current), else the first one present."""
    select = root.child("Select")
    current = select.values().get("current") if select else None
    names = [f"ControlSet{current:03d}"] if isinstance(current, int) else []
    for name in [*names, "CurrentControlSet", "ControlSet001", "ControlSet002"]:
        found = root.child(name)
        if found is not None:
            return found
    return None


def services_and_drivers(root: Key) -> Iterator[Item]:
    """Every service key of the current control set, as a service or a driver by its Type."""
    current = control_set(root)
    services = current.child("Services") if current else None
    for entry in _limited(services.children() if services else iter(())):
        values = entry.values()
        kind = values.get("type")
        if not isinstance(kind, int):
            continue
        display = text(values, "displayname")
        yield Item(
            name=entry.name if not display or display.startswith("@") else display,
            source="drivers" if kind in DRIVER_TYPES else "services",
            path=text(values, "imagepath"),
            identifier=entry.name,
        )


def computer_name(root: Key) -> str:
    current = control_set(root)
    key = current.child("Control\\ComputerName\\ComputerName") if current else None
    return text(key.values(), "computername") if key else ""


def amcache(root: Key) -> Iterator[Item]:
    """Program inventory of Amcache.hve: InventoryApplication (Windows 10) and File entries (8.x)."""
    apps = root.child("Root\\InventoryApplication")
    for entry in _limited(apps.children() if apps else iter(())):
        values = entry.values()
        name = text(values, "name")
        if name:
            yield Item(
                name=name,
                version=text(values, "version"),
                publisher=text(values, "publisher"),
                source="programs",
                path=text(values, "rootdirpath"),
                identifier=text(values, "programid"),
            )
    yield from _amcache_files(root.child("Root\\File"))


def _amcache_files(files: Key | None) -> Iterator[Item]:
    for volume in _limited(files.children() if files else iter(())):
        for entry in _limited(volume.children()):
            values = entry.values()
            path = text(values, "15")
            if path:
                yield Item(
                    name=path.replace("\\", "/").rsplit("/", 1)[-1],
                    version=text(values, "d") or text(values, "5"),
                    publisher=text(values, "1"),
                    source="files",
                    path=path,
                )


def everything(root: Key) -> Iterator[Item]:
    """All items a tree holds, whichever hive (or export) it is."""
    yield from programs(root)
    yield from services_and_drivers(root)
    yield from amcache(root)


def _limited(keys: Iterator[Key]) -> Iterator[Key]:
    for count, key in enumerate(keys):
        if count >= MAX_KEYS:
            return
        yield key
