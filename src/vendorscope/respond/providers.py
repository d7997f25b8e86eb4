"""What the response needs from other parts of vendorscope, as small explicit interfaces.

The response package asks three questions that other modules answer:

- **organizations** (:class:`OrgProvider`): which org a host belongs to, how sensitive it is and what
  role it plays, which contractors and subcontractors exist, and which procurement lines name a
  covered supplier;
- **documents** (:class:`DocumentProvider`): write a production of the documents assessing the
  vendor into a folder;
- nothing else: network evidence is read from the findings table (kind ``network``).

Each provider says whether it is ``available`` and, when not, ``describe()`` says why in one line for
the report. The defaults below implement the interfaces with what this build has: no organization
registry (every host "unassigned", no contractors) and no records module. They never invent data.
The service wires the real ones (``Service.providers``): orgs/provider.py and records/provider.py, built from
data and small callables, never from the service itself.
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
    "NoOrgRegistry",
    "NoRecords",
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


class NoOrgRegistry:
    """No organization registry in this build: hosts are unassigned, profiles unknown, no contractors."""

    available = False

    def describe(self) -> str:
        return "no organization registry was ingested: hosts are not assigned to organizations, no contractors known"

    def org_of(self, host: str) -> OrgPath | None:
        return None

    def org(self, org_id: str) -> OrgPath | None:
        return None

    def host_profile(self, host: str) -> HostProfile:
        return HostProfile()

    def contractors(self) -> list[Contractor]:
        return []

    def procurement(self, vendor: str) -> list[ProcurementLine]:
        return []


class NoRecords:
    """No records module in this build: nothing to produce."""

    available = False

    def describe(self) -> str:
        return "the records module is not available: no documents were ingested, none produced"

    def counts(self, vendor: str, since: date | None) -> DocumentCounts:
        return DocumentCounts()

    def produce_documents(self, out_dir: Path, vendor: str, since: date | None) -> ProductionSummary | None:
        return None
