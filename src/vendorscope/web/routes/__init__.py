"""The routers the app mounts, and the pages in the navigation.

Each module in this package has a ``router`` (an ``APIRouter``) and may have ``NAV``, a list of ``NavEntry``.
Optional modules (records, requests, screening, orgs — issues 4 to 6) are listed but only mounted, and only shown
in the navigation, once their module exists: adding a page is adding its module and, if new, one line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

CORE = ("auth", "dashboard", "findings", "remediate", "hosts", "trend", "catalog", "admin", "api", "agents")
OPTIONAL = ("orgs", "screening", "records", "requests")


@dataclass(frozen=True)
class NavEntry:
    label: str
    path: str
    permission: str = "read"
    order: int = 50
    agency_only: bool = False  # shown only to users of the whole agency (org "")


def route_modules() -> list[ModuleType]:
    """The core route modules, then each optional one that is installed."""
    modules = [importlib.import_module(f"{__name__}.{name}") for name in CORE]
    for name in OPTIONAL:
        try:
            modules.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the module exists but something it imports does not: a real error
    return modules
