"""The routers the app mounts, and the pages in the navigation.

Each module in this package has a ``router`` (an ``APIRouter``) and may have ``NAV``, a list of ``NavEntry``.
Adding a page is adding its module and its name in ``MODULES`` (see docs/extending.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

MODULES = (
    "auth",
    "dashboard",
    "findings",
    "remediate",
    "hosts",
    "trend",
    "catalog",
    "admin",
    "api",
    "agents",
    "orgs",
    "screening",
    "records",
    "requests",
)


@dataclass(frozen=True)
class NavEntry:
    label: str
    path: str
    permission: str = "read"
    order: int = 50
    agency_only: bool = False  # shown only to users of the whole agency (org "")


def route_modules() -> list[ModuleType]:
    """The route modules, in the order their routes are matched."""
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES]
