"""A mounted Windows volume (``collect --windows-root``): its hives, Program Files and drivers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vendorscope.collect import windows_registry
from vendorscope.collect.fs import entries, read_bytes
from vendorscope.collect.model import Collection, Unavailable
from vendorscope.collect.regtree import MAX_HIVE, Key, RegError, open_hive
from vendorscope.sources.base import Item

HIVES = ("Windows/System32/config/SOFTWARE", "Windows/System32/config/SYSTEM")
AMCACHE = "Windows/AppCompat/Programs/Amcache.hve"


def find(root: Path, relative: str) -> Path | None:
    """A path under ``root`` matched case-insensitively, as NTFS names are."""
    current = root
    for part in relative.split("/"):
        match = next((e for e in entries(current) if e.name.lower() == part.lower()), None)
        if match is None:
            return None
        current = match
    return current


def _hive(collection: Collection, path: Path | None) -> Key | None:
    if path is None:
        return None
    try:
        return open_hive(read_bytes(path, MAX_HIVE))
    except (RegError, OSError) as exc:
        collection.problem(str(path), str(exc))
        return None


def user_hives(root: Path) -> list[Path]:
    users = find(root, "Users")
    return [h for u in entries(users) if users and (h := find(u, "NTUSER.DAT")) is not None]


def collect(collection: Collection, root: Path) -> None:
    software, system = (_hive(collection, find(root, h)) for h in HIVES)
    users = [k for k in (_hive(collection, p) for p in user_hives(root)) if k is not None]
    amcache = _hive(collection, find(root, AMCACHE))
    if system is not None:
        collection.host["hostname"] = windows_registry.computer_name(system) or collection.host.get("hostname", "")
    collection.run("services", lambda _c: _of_type(system, "services"))
    collection.run("drivers", lambda _c: [*_of_type(system, "drivers"), *_driver_files(root)])
    trees = [t for t in (software, *users, amcache) if t is not None]
    collection.run("programs", lambda _c: _programs(trees), complete=software is not None)
    collection.run("files", lambda _c: _folders(root))


def _of_type(system: Key | None, source: str) -> list[Item]:
    if system is None:
        raise Unavailable("no readable SYSTEM hive")
    return [i for i in windows_registry.services_and_drivers(system) if i.source == source]


def _programs(trees: list[Key]) -> Iterator[Item]:
    if not trees:
        raise Unavailable("no readable SOFTWARE, NTUSER.DAT or Amcache hive")
    for tree in trees:
        yield from windows_registry.programs(tree)
        yield from windows_registry.amcache(tree)


def _folders(root: Path) -> Iterator[Item]:
    for top in ("Program Files", "Program Files (x86)", "ProgramData"):
        folder = find(root, top)
        for path in entries(folder) if folder else []:
            if path.is_dir() and not path.is_symlink():
                yield Item(name=path.name, path=f"C:\\{top}\\{path.name}", source="files")


def _driver_files(root: Path) -> Iterator[Item]:
    folder = find(root, "Windows/System32/drivers")
    for path in entries(folder) if folder else []:
        if path.suffix.lower() == ".sys":
            yield Item(name=path.name, path=f"C:\\Windows\\System32\\drivers\\{path.name}", source="drivers")
