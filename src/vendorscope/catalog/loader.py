"""Loading and validating catalogs, with errors that name the file and the place."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from vendorscope import safe_yaml
from vendorscope.catalog.schema import Catalog
from vendorscope.errors import CatalogError

BUILTIN = Path(__file__).with_name("data")
# libyaml's loader when PyYAML has it (the wheels do): the same safe subset, ten times faster; every command
# that names a product loads the catalogs.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalog(path: Path) -> Catalog:
    """Read and validate one catalog file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read catalog ({exc})") from exc
    try:
        # the shipped catalogs through libyaml (fast); a user's file through the bounded loader (libyaml composes
        # recursively in C: a hostile nesting would overflow the stack, not raise)
        data = yaml.load(text, Loader=SAFE_LOADER) if path.parent == BUILTIN else safe_yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"{where}: not valid YAML ({problem})") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: a catalog is a YAML mapping with vendor, sources, entities, products")
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(f"{path}: {_first_errors(exc)}") from exc


def _first_errors(exc: ValidationError, limit: int = 3) -> str:
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "catalog"
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def builtin_paths() -> list[Path]:
    return sorted(BUILTIN.glob("*.yaml"))


def load_catalogs(extra: Iterable[Path] = ()) -> list[Catalog]:
    """The built-in catalogs plus the user's; a user catalog replaces a built-in one of the same vendor."""
    by_vendor: dict[str, Catalog] = {}
    for path in [*builtin_paths(), *extra]:
        catalog = load_catalog(path)
        by_vendor[catalog.vendor.id] = catalog
    return list(by_vendor.values())
