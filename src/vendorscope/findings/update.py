"""The one refresh: after evidence arrives, bring every kind of finding up to date, whoever the caller.

CLI ingest, ``Service.ingest_bytes``, an agent's push and the server's start all call :func:`refresh` (through
``Service.refresh``), never the parts below one by one, so no entry point forgets a kind:

1. software findings (findings/refresh.py) for the hosts touched (all hosts when none are named), with
   verified removals (findings/lifecycle.py) in the same transaction;
2. network findings (findings/network.py), from every stored contact: a host's new software changes how its
   traffic is explained, and a contact may name a host that only now has a name;
3. organization findings (flagged purchases and covered contractors, orgs/flags.py), through the callable the
   service passes in: organizations sit above findings, so findings never import them.

An agent's push calls :func:`refresh_pushed` instead: it can carry only host evidence (the server refuses
registry, ownership and purchase files), so it refreshes the software findings of its hosts, the network
findings when the store holds contacts, and never the organization findings, which read nothing it writes.

Nothing that reads (a GET, a report, a summary) refreshes: reads show what the last write left.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Connection, select

from vendorscope.findings.network import refresh_network_findings, refresh_network_in
from vendorscope.findings.refresh import refresh_findings, refresh_findings_in
from vendorscope.match.matcher import Matcher
from vendorscope.store.store import Store
from vendorscope.store.tables import NetworkContactRow

Counts3 = tuple[int, int, int]  # (new, updated, withdrawn)


@dataclass(frozen=True)
class Refreshed:
    """What one refresh changed, per kind of finding: (new, updated, withdrawn) each."""

    software: Counts3 = (0, 0, 0)
    network: Counts3 = (0, 0, 0)
    organizations: Counts3 = (0, 0, 0)

    def total(self) -> Counts3:
        parts = (self.software, self.network, self.organizations)
        return (sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts))


def refresh(
    store: Store,
    matcher: Matcher,
    host_ids: Collection[int] | None = None,
    organizations: Callable[[], Counts3] | None = None,
) -> Refreshed:
    """Software findings of ``host_ids`` (None: every host), then network and organization findings."""
    software = refresh_findings(store, host_ids)
    network = refresh_network_findings(store, matcher)
    orgs = organizations() if organizations is not None else (0, 0, 0)
    return Refreshed(software, network, orgs)


def refresh_pushed(store: Store, matcher: Matcher, host_ids: Collection[int]) -> Refreshed:
    """After agents' pushes: software findings of their hosts; network findings only when any contact is stored."""
    software = refresh_findings(store, host_ids)
    with store.engine.connect() as conn:
        contacts = conn.execute(select(NetworkContactRow.artifact_id).limit(1)).first() is not None
    network = refresh_network_findings(store, matcher) if contacts else (0, 0, 0)
    return Refreshed(software, network)


def refresh_pushed_in(conn: Connection, matcher: Matcher, host_ids: Collection[int]) -> Refreshed:
    """``refresh_pushed`` in the caller's transaction: the push applier's, so that a bundle's evidence, its
    hosts' findings and its receipt's outcome commit together."""
    software = refresh_findings_in(conn, host_ids)
    contacts = conn.execute(select(NetworkContactRow.artifact_id).limit(1)).first() is not None
    network = refresh_network_in(conn, matcher) if contacts else (0, 0, 0)
    return Refreshed(software, network)
