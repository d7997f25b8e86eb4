"""The org tree: each organization of the registry with its subtree's counts, and the contractor chains.

Both lists are paged and sorted on the server (the contractors' parameters carry a ``c_`` prefix, so each
list keeps its own page); the search and kind filters stay in every link. Sorted by tree order (the
default), the names are indented by depth; sorted by a column, the list is flat.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vendorscope.web.deps import Reader, ScopeDep, ServiceDep
from vendorscope.web.names import Names
from vendorscope.web.paging import paginate
from vendorscope.web.render import page
from vendorscope.web.routes import NavEntry

router = APIRouter(tags=["pages"], include_in_schema=False)
NAV = [NavEntry("Orgs", "/orgs", order=40)]
CONTRACTORS = "c_"  # the contractor list's parameter prefix


@router.get("/orgs", response_class=HTMLResponse)
def orgs_page(
    request: Request,
    service: ServiceDep,
    user: Reader,
    scope: ScopeDep,
    q: Annotated[str, Query(max_length=255)] = "",
    kind: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """The reader's part of the tree (indented from its own org) and its contractors with their chains."""
    visible = [r | {"position": n} for n, r in enumerate(service.orgs()) if scope.allows(r["org"])]
    top = min((r["depth"] for r in visible), default=0)
    kinds = sorted({r["kind"] for r in visible if r["kind"]})
    rows = [r for r in visible if _keeps(r, q, kind)]
    keys: dict[str, Any] = {
        "tree": lambda r: r["position"],
        "name": lambda r: r["name"],
        "kind": lambda r: r["kind"],
        "hosts": lambda r: r["hosts_known"],
        "examined": lambda r: r["hosts_examined"],
        "with_findings": lambda r: r["hosts_with_findings"],
        "purchases": lambda r: r["procurement_flags"],
        "covered": lambda r: r["covered_suppliers"],
    }
    listing = paginate(request, rows, keys, "tree")
    contractors = [r for r in service.exposure("contractor") if scope.allows(r["org"]) and _keeps(r, q, kind)]
    contractor_keys: dict[str, Any] = {
        "chain": lambda r: r["chain"],
        "kind": lambda r: r["kind"],
        "hosts": lambda r: r["hosts_known"],
        "with_findings": lambda r: r["hosts_with_findings"],
        "covered": lambda r: r["covered_suppliers"],
    }
    chains = paginate(request, contractors, contractor_keys, "chain", prefix=CONTRACTORS)
    return page(
        request,
        "orgs.html",
        user,
        listing=listing,
        chains=chains,
        top=top,
        names=Names.of(service),
        q=q,
        kind=kind,
        kinds=kinds,
    )


def _keeps(row: dict[str, Any], q: str, kind: str) -> bool:
    text = q.casefold()
    return (not text or text in row["name"].casefold() or text in row["org"].casefold()) and (
        not kind or row["kind"] == kind
    )
