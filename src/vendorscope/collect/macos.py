"""macOS sources, live or from a mounted volume: apps (Info.plist), package receipts, launchd jobs,
system extensions. plistlib reads both XML and binary property lists."""

from __future__ import annotations

import plistlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from vendorscope.collect.fs import entries, inside, read_bytes
from vendorscope.collect.model import Collection, Unavailable
from vendorscope.sources.base import Item

APP_DIRS = ("Applications", "Applications/Utilities", "System/Applications")
LAUNCHD_DIRS = ("Library/LaunchDaemons", "Library/LaunchAgents", "System/Library/LaunchDaemons")
MAX_PLIST = 8 * 1024 * 1024


def load_plist(path: Path) -> dict[str, Any]:
    """A property list as a dict; ValueError for one that is damaged or not a dict."""
    try:
        data = plistlib.loads(read_bytes(path, MAX_PLIST))
    except (plistlib.InvalidFileException, ExpatError, ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"not a readable property list ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError("property list is not a dictionary")
    return data


def _text(data: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()[:4096]
    return ""


def _plists(collection: Collection, paths: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in paths:
        try:
            yield path, load_plist(path)
        except (ValueError, OSError) as exc:
            collection.problem(str(path), str(exc))


def app_bundles(root: Path) -> list[Path]:
    users = [u / "Applications" for u in entries(inside(root, "Users"))]
    return [a for d in [*(inside(root, p) for p in APP_DIRS), *users] for a in entries(d) if a.suffix == ".app"]


def apps(collection: Collection, root: Path) -> Iterator[Item]:
    bundles = app_bundles(root)
    for path, info in _plists(collection, [b / "Contents" / "Info.plist" for b in bundles]):
        bundle = path.parent.parent
        yield Item(
            name=_text(info, "CFBundleDisplayName", "CFBundleName") or bundle.stem,
            version=_text(info, "CFBundleShortVersionString", "CFBundleVersion"),
            identifier=_text(info, "CFBundleIdentifier"),
            path="/" + str(bundle.relative_to(root)),
            source="apps",
        )


def receipts(collection: Collection, root: Path) -> Iterator[Item]:
    folder = inside(root, "var/db/receipts")
    if not folder.is_dir():
        folder = inside(root, "private/var/db/receipts")
    if not folder.is_dir():
        raise Unavailable("no package receipts folder (var/db/receipts)")
    for _, data in _plists(collection, [p for p in entries(folder) if p.suffix == ".plist"]):
        identifier = _text(data, "PackageIdentifier")
        if identifier:
            yield Item(
                name=identifier,
                version=_text(data, "PackageVersion"),
                identifier=identifier,
                path=_text(data, "InstallPrefixPath"),
                source="package_receipts",
            )


def launchd(collection: Collection, root: Path) -> Iterator[Item]:
    folders = [inside(root, d) for d in LAUNCHD_DIRS]
    folders += [u / "Library" / "LaunchAgents" for u in entries(inside(root, "Users"))]
    files = [p for folder in folders for p in entries(folder) if p.suffix == ".plist"]
    for path, job in _plists(collection, files):
        arguments = job.get("ProgramArguments")
        program = _text(job, "Program") or (str(arguments[0]) if isinstance(arguments, list) and arguments else "")
        label = _text(job, "Label") or path.stem
        yield Item(name=label, identifier=label, path=program, source="launchd")


def system_extensions(collection: Collection, root: Path) -> Iterator[Item]:
    db = inside(root, "Library/SystemExtensions/db.plist")
    if db.is_file():
        for _, data in _plists(collection, [db]):
            for ext in data.get("extensions", []) if isinstance(data.get("extensions"), list) else []:
                if isinstance(ext, dict):
                    yield _extension(ext)
    kexts = [k / "Contents" / "Info.plist" for k in entries(inside(root, "Library/Extensions")) if k.suffix == ".kext"]
    for path, info in _plists(collection, kexts):
        yield Item(
            name=_text(info, "CFBundleName") or path.parent.parent.stem,
            version=_text(info, "CFBundleShortVersionString", "CFBundleVersion"),
            identifier=_text(info, "CFBundleIdentifier"),
            path="/" + str(path.parent.parent.relative_to(root)),
            source="system_extensions",
        )


def _extension(ext: dict[str, Any]) -> Item:
    bundle = ext.get("bundleVersion") if isinstance(ext.get("bundleVersion"), dict) else {}
    return Item(
        name=_text(ext, "identifier"),
        version=_text(bundle or {}, "CFBundleShortVersionString", "CFBundleVersion"),
        identifier=_text(ext, "identifier"),
        team_id=_text(ext, "teamID"),
        path=_text(ext, "originPath"),
        source="system_extensions",
    )


def is_macos(root: Path) -> bool:
    return inside(root, "System/Library/CoreServices/SystemVersion.plist").is_file()


def facts(root: Path) -> dict[str, str]:
    try:
        version = load_plist(inside(root, "System/Library/CoreServices/SystemVersion.plist"))
    except (OSError, ValueError):
        version = {}
    return {"os": _text(version, "ProductName") or "macOS", "os_version": _text(version, "ProductVersion")}


def collect(collection: Collection, root: Path) -> None:
    for name, reader in (
        ("apps", apps),
        ("package_receipts", receipts),
        ("launchd", launchd),
        ("system_extensions", system_extensions),
    ):
        collection.run(name, lambda c, r=reader: r(c, root))  # type: ignore[misc]
