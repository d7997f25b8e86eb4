"""What the response needs from other parts of vendorscope, as small explicit interfaces.

The response package asks three questions that other modules answer:

- **organizations** (:class:`OrgProvider`): which org a host belongs to, how sensitive it is and what
  role it plays, which contractors and subcontractors exist, and which procurement lines name a
  covered supplier;
- **documents** (:class:`DocumentProvider`): write a production of the documents assessing the
  vendor into a folder;
- nothing else: network evidence is read from the findings table (kind ``network``).

Each provider says whether it is ``available`` and, when not, ``describe()`` says why in one line for
the report; an unavailable provider answers with nothing (every host "unassigned", no contractors, no
production) and never invents data. The service wires them (``Service.providers``): orgs/provider.py and
records/provider.py, built from data and small callables, never from the service itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from vendorscope.orgs.facts import UNASSIGNED, UNKNOWN, Contractor, HostProfile, OrgPath, ProcurementLine
from vendorscope.records.counts import DocumentCounts, ProductionSummary

__all__ = [
    "UNASSIGNED",
    "UNKNOWN",
    "Contractor",
    "DocumentCounts",
    "DocumentProvider",
    "HostProfile",
    "OrgPath",
    "OrgProvider",
    "ProcurementLine",
    "ProductionSummary",
    "Providers",
]


@runtime_checkable
class OrgProvider(Protocol):
    available: bool

    def describe(self) -> str: ...
    def org_of(self, host: str) -> OrgPath | None: ...
    def org(self, org_id: str) -> OrgPath | None: ...
    def host_profile(self, host: str) -> HostProfile: ...
    def contractors(self) -> list[Contractor]: ...
    def procurement(self, vendor: str) -> list[ProcurementLine]: ...


@runtime_checkable
class DocumentProvider(Protocol):
    available: bool

    def describe(self) -> str: ...
    def counts(self, vendor: str, since: date | None) -> DocumentCounts: ...
    def produce_documents(self, out_dir: Path, vendor: str, since: date | None) -> ProductionSummary | None: ...


@dataclass(frozen=True)
class Providers:
    """The providers one response uses."""

    orgs: OrgProvider
    documents: DocumentProvider
