"""Screening lists: sourced YAML files under ``orgs/lists/``, reusing the catalogs' legal entities.

A list file names its sources and its own entities (the catalog's ``Entity`` model: name, aliases,
former names, country, identifiers, source), and may take in every entity of a vendor catalog
(``catalog_entities``: its legal entities, subsidiaries and affiliates, in every script) or of another
list (``include_lists``) instead of copying them.

The catalogs' relabel maps give a second kind of name (``relabelers``): brands that sell a covered
maker's devices under their own name. A contractor that *is* such a brand is not a covered entity, but
what it sells may be covered equipment; screening reports it as a hit of its own kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from vendorscope import safe_yaml
from vendorscope.catalog.schema import Catalog, Entity, SourceRef
from vendorscope.errors import CatalogError

BUILTIN = Path(__file__).resolve().parents[1] / "lists"


class ScreeningList(BaseModel):
    """One list file as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = 1
    id: str
    name: str
    updated: date
    sources: dict[str, SourceRef]
    catalog_entities: tuple[str, ...] = ()  # vendor ids whose catalog entities are all on this list
    include_lists: tuple[str, ...] = ()  # ids of lists whose entities are all on this list
    entities: tuple[Entity, ...] = ()

    @model_validator(mode="after")
    def _sources_known(self) -> ScreeningList:
        unknown = [
            f"entity {e.id} cites unknown source {e.source!r}" for e in self.entities if e.source not in self.sources
        ]
        if unknown:
            raise ValueError("; ".join(unknown))
        return self


ENTITY = "covered entity"
RELABELER = "relabeler"
RELABEL_MAP = "relabel map"


@dataclass
class Listed:
    """A covered entity (or a relabeler brand) as screening sees it: its names, identifiers and every list it is on.

    ``maker``: for a catalog's entity or a relabeler, the covered maker(s) it belongs to or relabels;
    ``relation``: how a catalog's entity stands to its maker (subsidiary, former-subsidiary…), with ``note``.
    """

    id: str
    name: str
    names: tuple[str, ...]
    identifiers: dict[str, str]
    country: str
    source: str  # title of the record that names it
    lists: list[str] = field(default_factory=list)
    kind: str = ENTITY
    maker: str = ""
    relation: str = ""
    note: str = ""


def load_list(path: Path) -> ScreeningList:
    try:
        data = safe_yaml.safe_load(path.read_text(encoding="utf-8"))
        return ScreeningList.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read screening list ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "list"
        raise CatalogError(f"{path}: {where}: {first['msg'].removeprefix('Value error, ')}") from exc


def builtin_paths() -> list[Path]:
    return sorted(BUILTIN.glob("*.yaml"))


def covered_entities(catalogs: list[Catalog], extra: list[Path] | None = None) -> list[Listed]:
    """Every covered entity of the built-in lists (and extra list files), each once, with its lists."""
    lists = {lst.id: lst for lst in (load_list(p) for p in [*builtin_paths(), *(extra or [])])}
    by_vendor = {c.vendor.id: c for c in catalogs}
    found: dict[str, Listed] = {}
    for lst in lists.values():
        for key, listed in _members(lst, lists, by_vendor, set()):
            entry = found.setdefault(key, listed)
            if lst.id not in entry.lists:
                entry.lists.append(lst.id)
    return list(found.values())


def _members(
    lst: ScreeningList, lists: dict[str, ScreeningList], catalogs: dict[str, Catalog], seen: set[str]
) -> list[tuple[str, Listed]]:
    if lst.id in seen:
        raise CatalogError(f"screening list {lst.id!r} includes itself")
    seen = seen | {lst.id}
    out = [(f"{lst.id}:{e.id}", _listed(f"{lst.id}:{e.id}", e, lst.sources[e.source].title)) for e in lst.entities]
    for vendor in lst.catalog_entities:
        catalog = catalogs.get(vendor)
        if catalog is None:
            raise CatalogError(f"screening list {lst.id!r} takes entities from unknown catalog {vendor!r}")
        out += [
            (
                f"{vendor}:{e.id}",
                _listed(f"{vendor}:{e.id}", e, catalog.sources[e.source].title, catalog.vendor.name),
            )
            for e in catalog.entities
        ]
    for other in lst.include_lists:
        if other not in lists:
            raise CatalogError(f"screening list {lst.id!r} includes unknown list {other!r}")
        out += _members(lists[other], lists, catalogs, seen)
    return out


def _listed(key: str, entity: Entity, source: str, maker: str = "") -> Listed:
    ids = {k.lower(): v.strip().upper() for k, v in entity.identifiers.items() if v.strip()}
    relation = entity.relation.value if maker else ""
    note = " ".join((entity.note or "").split())
    names, country = entity.all_names(), entity.country or ""
    return Listed(key, entity.name, names, ids, country, source, [], ENTITY, maker, relation, note)


def relabelers(catalogs: list[Catalog]) -> list[Listed]:
    """Every brand of the catalogs' relabel maps, once per brand, with every maker it relabels (sorted)."""
    found: dict[str, Listed] = {}
    for catalog in sorted(catalogs, key=lambda c: c.vendor.name):
        for relabel in catalog.relabels:
            key = f"relabel:{relabel.brand.casefold()}"
            source = catalog.sources[relabel.source].title
            entry = found.get(key)
            if entry is None:
                names, maker = (relabel.brand, *relabel.aliases), catalog.vendor.name
                found[key] = Listed(key, relabel.brand, names, {}, "", source, [RELABEL_MAP], RELABELER, maker)
                continue
            entry.names = tuple(dict.fromkeys((*entry.names, *relabel.aliases)))
            if catalog.vendor.name not in entry.maker.split(" and "):
                entry.maker = f"{entry.maker} and {catalog.vendor.name}"
                entry.source = f"{entry.source}; {source}"
    return [found[k] for k in sorted(found)]
