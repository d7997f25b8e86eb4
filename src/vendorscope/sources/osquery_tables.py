"""osquery software tables → inventory items.

Column names follow osquery's table specs (specs/*.table). A result's table is
taken from the query name when it names one (``pack_inventory_programs``), else
from the columns that only that table has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from vendorscope.sources.base import Item

Row = Mapping[str, object]


def _s(row: Row, *names: str) -> str:
    """The first non-empty column among ``names``, as a stripped string."""
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


# The hottest tables are converted positionally with plain dict lookups: this runs once per row.


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
    version = _s(r, "version")
    release = _s(r, "release")
    return Item(
        name=_s(r, "name"),
        version=f"{version}-{release}" if release else version,
        publisher=_s(r, "vendor"),
        source="rpm_packages",
    )


def _apps(r: Row) -> Item:
    return Item(
        name=_s(r, "display_name", "bundle_name", "name"),
        version=_s(r, "bundle_short_version", "bundle_version"),
        source="apps",
        path=_s(r, "path"),
        identifier=_s(r, "bundle_identifier"),
    )


def _services(r: Row) -> Item:
    return Item(
        name=_s(r, "display_name", "name"),
        source="services",
        path=_s(r, "path", "module_path"),
        identifier=_s(r, "name"),
    )


def _drivers(r: Row) -> Item:
    image = _s(r, "image")
    return Item(
        name=_s(r, "description", "device_name", "service") or _basename(image),
        version=_s(r, "version"),
        publisher=_s(r, "provider", "manufacturer"),
        source="drivers",
        path=image,
        identifier=_s(r, "service"),
    )


def _kernel_modules(r: Row) -> Item:
    return Item(name=_s(r, "name"), source="kernel_modules")


def _processes(r: Row) -> Item:
    path = _s(r, "path")
    return Item(name=_s(r, "name") or _basename(path), source="processes", path=path)


def _systemd(r: Row) -> Item:
    return Item(name=_s(r, "id"), source="systemd_units", path=_s(r, "fragment_path"), identifier=_s(r, "id"))


def _launchd(r: Row) -> Item:
    return Item(
        name=_s(r, "label", "name"),
        source="launchd",
        path=_s(r, "program", "path"),
        identifier=_s(r, "label"),
    )


def _system_extensions(r: Row) -> Item:
    return Item(
        name=_s(r, "identifier"),
        version=_s(r, "version"),
        source="system_extensions",
        path=_s(r, "bundle_path", "path"),
        identifier=_s(r, "identifier"),
        team_id=_s(r, "team"),
    )


def _receipts(r: Row) -> Item:
    return Item(
        name=_s(r, "package_id"),
        version=_s(r, "version"),
        source="package_receipts",
        path=_s(r, "location", "path"),
        identifier=_s(r, "package_id"),
    )


def _signature(r: Row) -> Item:
    path = _s(r, "path")
    return Item(
        name=_basename(path),
        source="signature",
        path=path,
        identifier=_s(r, "identifier"),
        signer=_s(r, "authority"),
        team_id=_s(r, "team_identifier"),
    )


def _authenticode(r: Row) -> Item:
    path = _s(r, "path")
    return Item(name=_basename(path), source="authenticode", path=path, signer=_s(r, "subject_name"))


def _certificates(r: Row) -> Item:
    return Item(
        name=_s(r, "common_name"),
        source="certificates",
        path=_s(r, "path", "store"),
        identifier=_s(r, "sha1"),
        signer=_s(r, "subject"),
    )


def _chrome(r: Row) -> Item:
    return Item(
        name=_s(r, "name"),
        version=_s(r, "version"),
        publisher=_s(r, "author"),
        source="chrome_extensions",
        identifier=_s(r, "identifier"),
    )


def _firefox(r: Row) -> Item:
    return Item(
        name=_s(r, "name"),
        version=_s(r, "version"),
        publisher=_s(r, "creator"),
        source="firefox_addons",
        identifier=_s(r, "identifier"),
    )


def _package(source: str, publisher: str = "author") -> Callable[[Row], Item]:
    def convert(r: Row) -> Item:
        return Item(
            name=_s(r, "name"),
            version=_s(r, "version"),
            publisher=_s(r, publisher),
            source=source,
            path=_s(r, "path", "directory"),
        )

    return convert


def _vscode(r: Row) -> Item:
    return Item(
        name=_s(r, "name"),
        version=_s(r, "version"),
        publisher=_s(r, "publisher"),
        source="vscode_extensions",
        identifier=_s(r, "uuid"),
    )


def _files(r: Row) -> Item:
    path = _s(r, "path")
    return Item(name=_s(r, "filename") or _basename(path), source="files", path=path, sha256=_s(r, "sha256"))


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
    return TABLES.get(table) if table else None


def to_item(convert: Callable[[Row], Item], row: Row) -> Item | None:
    """One row, or None for a row without a name (osquery leaves some blank)."""
    item = convert(row)
    return item if item.name else None
