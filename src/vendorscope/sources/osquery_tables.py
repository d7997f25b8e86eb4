"""osquery software tables → inventory items.

Column names follow osquery's table specs (specs/*.table). A result's table is
taken from the query name when it names one (``pack_inventory_programs``), else
from the columns that only that table has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from vendorscope.sources.base import Item

Row = Mapping[str, object]


def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


# Every table is converted positionally with plain dict lookups: this runs once per row, millions of times.
# Item fields: name, version, publisher, source, path, identifier, signer, team_id, sha256.


def _programs(r: Row) -> Item:
    g = r.get
    return Item(
        g("name") or "",
        g("version") or "",
        g("publisher") or "",
        "programs",
        g("install_location") or "",
        g("identifying_number") or g("package_family_name") or "",
    )


def _deb(r: Row) -> Item:
    g = r.get
    return Item(g("name") or "", g("version") or "", g("maintainer") or "", "deb_packages")


def _rpm(r: Row) -> Item:
    g = r.get
    version, release = g("version") or "", g("release") or ""
    return Item(g("name") or "", f"{version}-{release}" if release else version, g("vendor") or "", "rpm_packages")


def _apps(r: Row) -> Item:
    g = r.get
    return Item(
        g("display_name") or g("bundle_name") or g("name") or "",
        g("bundle_short_version") or g("bundle_version") or "",
        "",
        "apps",
        g("path") or "",
        g("bundle_identifier") or "",
    )


def _services(r: Row) -> Item:
    g = r.get
    return Item(
        g("display_name") or g("name") or "", "", "", "services", g("path") or g("module_path") or "", g("name") or ""
    )


def _drivers(r: Row) -> Item:
    g = r.get
    image = g("image") or ""
    return Item(
        g("description") or g("device_name") or g("service") or _basename(image),
        g("version") or "",
        g("provider") or g("manufacturer") or "",
        "drivers",
        image,
        g("service") or "",
    )


def _kernel_modules(r: Row) -> Item:
    return Item(r.get("name") or "", "", "", "kernel_modules")


def _processes(r: Row) -> Item:
    g = r.get
    path = g("path") or ""
    return Item(g("name") or _basename(path), "", "", "processes", path)


def _systemd(r: Row) -> Item:
    g = r.get
    unit = g("id") or ""
    return Item(unit, "", "", "systemd_units", g("fragment_path") or "", unit)


def _launchd(r: Row) -> Item:
    g = r.get
    return Item(g("label") or g("name") or "", "", "", "launchd", g("program") or g("path") or "", g("label") or "")


def _system_extensions(r: Row) -> Item:
    g = r.get
    ident = g("identifier") or ""
    return Item(
        ident,
        g("version") or "",
        "",
        "system_extensions",
        g("bundle_path") or g("path") or "",
        ident,
        "",
        g("team") or "",
    )


def _receipts(r: Row) -> Item:
    g = r.get
    package = g("package_id") or ""
    return Item(package, g("version") or "", "", "package_receipts", g("location") or g("path") or "", package)


def _signature(r: Row) -> Item:
    g = r.get
    path = g("path") or ""
    return Item(
        _basename(path),
        "",
        "",
        "signature",
        path,
        g("identifier") or "",
        g("authority") or "",
        g("team_identifier") or "",
    )


def _authenticode(r: Row) -> Item:
    g = r.get
    path = g("path") or ""
    return Item(_basename(path), "", "", "authenticode", path, "", g("subject_name") or "")


def _certificates(r: Row) -> Item:
    g = r.get
    return Item(
        g("common_name") or "",
        "",
        "",
        "certificates",
        g("path") or g("store") or "",
        g("sha1") or "",
        g("subject") or "",
    )


def _chrome(r: Row) -> Item:
    g = r.get
    return Item(g("name") or "", g("version") or "", g("author") or "", "chrome_extensions", "", g("identifier") or "")


def _firefox(r: Row) -> Item:
    g = r.get
    return Item(g("name") or "", g("version") or "", g("creator") or "", "firefox_addons", "", g("identifier") or "")


def _package(source: str, publisher: str = "author") -> Callable[[Row], Item]:
    def convert(r: Row) -> Item:
        g = r.get
        return Item(g("name") or "", g("version") or "", g(publisher) or "", source, g("path") or g("directory") or "")

    return convert


def _vscode(r: Row) -> Item:
    g = r.get
    return Item(g("name") or "", g("version") or "", g("publisher") or "", "vscode_extensions", "", g("uuid") or "")


def _files(r: Row) -> Item:
    g = r.get
    path = g("path") or ""
    return Item(g("filename") or _basename(path), "", "", "files", path, "", "", "", g("sha256") or "")


TABLES: dict[str, Callable[[Row], Item]] = {
    "programs": _programs,
    "deb_packages": _deb,
    "rpm_packages": _rpm,
    "apps": _apps,
    "services": _services,
    "drivers": _drivers,
    "kernel_modules": _kernel_modules,
    "processes": _processes,
    "systemd_units": _systemd,
    "launchd": _launchd,
    "system_extensions": _system_extensions,
    "package_receipts": _receipts,
    "signature": _signature,
    "authenticode": _authenticode,
    "certificates": _certificates,
    "chrome_extensions": _chrome,
    "firefox_addons": _firefox,
    "homebrew_packages": _package("homebrew_packages"),
    "chocolatey_packages": _package("chocolatey_packages"),
    "python_packages": _package("python_packages"),
    "npm_packages": _package("npm_packages"),
    "vscode_extensions": _vscode,
    "hash": _files,
    "file": _files,
}

# Columns that only one software table has, checked in order.
SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("programs", frozenset({"identifying_number"})),
    ("programs", frozenset({"install_location", "publisher", "uninstall_string"})),
    ("deb_packages", frozenset({"maintainer", "arch"})),
    ("rpm_packages", frozenset({"package_group"})),
    ("rpm_packages", frozenset({"release", "vendor"})),
    ("apps", frozenset({"bundle_identifier"})),
    ("services", frozenset({"service_type", "start_type"})),
    ("drivers", frozenset({"inf", "image"})),
    ("drivers", frozenset({"device_id", "provider"})),
    ("kernel_modules", frozenset({"used_by", "address"})),
    ("processes", frozenset({"pid", "cmdline"})),
    ("systemd_units", frozenset({"fragment_path", "active_state"})),
    ("launchd", frozenset({"program_arguments", "label"})),
    ("system_extensions", frozenset({"bundle_path", "team"})),
    ("package_receipts", frozenset({"package_filename", "installer_name"})),
    ("signature", frozenset({"team_identifier", "authority"})),
    ("authenticode", frozenset({"subject_name", "issuer_name"})),
    ("certificates", frozenset({"common_name", "self_signed"})),
    ("chrome_extensions", frozenset({"identifier", "permissions"})),
    ("chrome_extensions", frozenset({"browser_type", "identifier"})),
    ("firefox_addons", frozenset({"creator", "identifier"})),
    ("vscode_extensions", frozenset({"uuid", "publisher", "installed_at"})),
    ("chocolatey_packages", frozenset({"summary", "license", "author"})),
    ("hash", frozenset({"sha256", "path"})),
)
_BY_LENGTH = sorted(TABLES, key=len, reverse=True)


def source_of(table: str) -> str:
    """The item source a table's rows carry (file tables are all "files")."""
    return "files" if table in ("hash", "file") else table


def table_from_name(query_name: str) -> str | None:
    """The table a query name refers to: ``pack_inventory_programs`` → programs."""
    lowered = query_name.lower()
    return next((t for t in _BY_LENGTH if lowered.endswith(t) or f"{t}_" in lowered or f"_{t}" in lowered), None)


def table_from_columns(columns: object) -> str | None:
    keys = set(columns) if not isinstance(columns, set) else columns  # type: ignore[call-overload]
    return next((table for table, needed in SIGNATURES if needed <= keys), None)


def row_converter(query_name: str, sample: Row) -> Callable[[Row], Item] | None:
    table = table_from_name(query_name) or table_from_columns(sample.keys())
    return converter_once(table) if table else None


class _Asked(dict[str, Any]):
    """A row with every column empty that notes the columns asked for: an empty value makes a converter's
    ``or`` chains ask for every fallback, so this finds every column it can read."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.asked:
            self.asked.append(key)
        return default


def columns_read(convert: Callable[[Row], Item]) -> tuple[str, ...]:
    """The columns ``convert`` reads; its item is a function of their values alone."""
    row = _Asked()
    convert(row)
    return tuple(row.asked)


# Items by the values of the columns their table's converter reads, per table, for the whole process: a fleet
# repeats a few thousand titles millions of times, so most rows cost a tuple and one lookup, not a conversion.
_CONVERTED: dict[str, dict[Any, Item]] = {}
MAX_CONVERTED = 200_000  # per table; past it the table's memory starts over (a store of file hashes, say)


def converter_once(table: str) -> Callable[[Row], Item] | None:
    """The table's converter, converting each distinct row (by the columns it reads) once per process.

    Equal values give the very same item (equal to what the converter returns); a row that is not a dict or
    holds a value that cannot be a key (a list) is converted as it is.
    """
    convert = TABLES.get(table)
    if convert is None:
        return None
    columns = columns_read(convert)
    every = itemgetter(*columns) if len(columns) > 1 else None  # the fast key, while rows have every column
    done = _CONVERTED.setdefault(table, {})

    def convert_once(row: Row) -> Item:
        nonlocal every
        if type(row) is not dict:
            return convert(row)
        key = None
        if every is not None:
            try:
                key = every(row)
            except KeyError:  # this table's rows lack a column it may read: from now on, read as it does
                every = None
        if key is None:
            key = tuple(map(row.get, columns))
        try:
            item = done.get(key)
        except TypeError:  # unhashable: a list or object where text belongs
            return convert(row)
        if item is None:
            if len(done) >= MAX_CONVERTED:
                done.clear()
            item = done[key] = convert(row)
        return item

    return convert_once
