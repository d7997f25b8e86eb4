"""Agent pushes: a bundle received over HTTP goes through the ingest pipeline, checked against the token's scope.

Each push is one transaction (artifact, records, verdicts, host ownership, the push record, and their custody
links as pending: server/linker.py chains them) and idempotent by the content's SHA-256, so an agent retrying
after a lost answer changes nothing. Concurrent pushes share one cache of committed host and title ids; a push
that collides with another writer (same host at once, a deadlock) is rolled back whole and retried.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, OperationalError

from vendorscope.errors import RefusedError, TooLargeError, VendorscopeError
from vendorscope.ingest import FileResult, ingest_bytes
from vendorscope.match.matcher import Matcher
from vendorscope.orgs.ownership import owners_now_and_before
from vendorscope.orgs.scope import ROOT, Scope
from vendorscope.server.accounts import Principal
from vendorscope.server.audit import now, record
from vendorscope.server.linker import Linker
from vendorscope.sources.base import Hints
from vendorscope.sources.limits import push_limits
from vendorscope.store import custody
from vendorscope.store.store import Store
from vendorscope.store.tables import AgentPush, Examination, Host, HostOrg, HostTitles, Installation
from vendorscope.store.writer import Caches

ATTEMPTS = 5
MAX_PUSH_BYTES = 64 * 1024 * 1024


class PushRefused(RefusedError):
    """The bundle names a host that belongs to an org outside the token's scope, or would move a host's owner."""


@dataclass
class PushResult:
    status: str  # ingested | duplicate | failed
    sha256: str
    items: int = 0
    hosts: int = 0
    problems: list[str] = field(default_factory=list)


class _Over(ChainMap):  # type: ignore[type-arg]
    """This push's ids over the shared ones: ChainMap's lookups, without its generic loop over the maps (a
    lookup per item of every push)."""

    def __contains__(self, key: object) -> bool:
        return key in self.maps[1] or key in self.maps[0]

    def __getitem__(self, key: object) -> int:
        local = self.maps[0]
        return local[key] if key in local else self.maps[1][key]  # type: ignore[no-any-return]


class _OverlayCaches(Caches):
    """This push's ids over the shared committed ones; merged into them only once the push commits."""

    def __init__(self, shared: Caches) -> None:
        super().__init__()
        self.shared = shared
        self.hosts = _Over({}, shared.hosts)  # type: ignore[assignment]
        self.titles = _Over({}, shared.titles)  # type: ignore[assignment]
        self.title_source = shared.title_source
        self.expanded = shared.expanded  # a title's verdict is committed with it: shared at once
        self.matched_as = shared.matched_as
        self.loaded = True

    def load(self, conn: Connection) -> None:
        """After a re-match (the catalogs changed) the shared caches load again; this push starts over on them."""
        fingerprint = self.fingerprint(conn)
        if fingerprint != self.shared.matched_as:
            self.shared.reload(conn, fingerprint)
            self.__init__(self.shared)  # type: ignore[misc]

    def forget(self) -> None:
        self.hosts.maps[0].clear()  # type: ignore[attr-defined]
        self.titles.maps[0].clear()  # type: ignore[attr-defined]

    def commit(self) -> None:
        self.shared.hosts.update(self.hosts.maps[0])  # type: ignore[attr-defined]
        self.shared.titles.update(self.titles.maps[0])  # type: ignore[attr-defined]


class AgentIngest:
    """Receives agents' bundles for one store; safe to call from many threads at once."""

    def __init__(self, store: Store, matcher: Matcher, refresh: Callable[[set[int]], object]) -> None:
        """``refresh(host_ids)``: after pushes (findings/update.py ``refresh_pushed``, wired by the service)."""
        self.store = store
        self.matcher = matcher
        self.refresh = refresh
        self._shared = Caches()
        self._lock = threading.Lock()
        self._pending: set[int] = set()  # hosts whose findings await a refresh
        self._pending_lock = threading.Lock()
        self._refreshing = threading.Lock()
        self.linker = Linker(store)  # chains the custody links pushes leave pending

    def close(self) -> None:
        self.linker.close()

    def _caches(self) -> _OverlayCaches:
        with self._lock:
            if not self._shared.loaded:
                with self.store.engine.connect() as conn:
                    self._shared.load(conn)
        return _OverlayCaches(self._shared)

    def push(self, agent: Principal, agent_name: str, data: bytes, filename: str = "", addr: str = "") -> PushResult:
        """Ingest one bundle pushed by an agent holding ``agent``'s token."""
        if len(data) > MAX_PUSH_BYTES:
            raise VendorscopeError(f"bundle larger than {MAX_PUSH_BYTES // (1024 * 1024)} MiB; refused")
        name = f"push:{agent.name}/{agent_name}/{filename or 'bundle'}"
        claim = partial(_claim, agent=agent, agent_name=agent_name, addr=addr)
        for attempt in range(ATTEMPTS):
            caches = self._caches()
            try:
                hints = Hints(org=agent.org, limits=push_limits())
                result = ingest_bytes(
                    self.store, caches, self.matcher, data, name, hints, claim,
                    evidence_only=True, defer_custody=True, titles_first=True,
                )  # fmt: skip
            except RefusedError as exc:
                self._log(agent, agent_name, data, "refused", addr, str(exc))
                raise
            if not result.retryable:
                break
            time.sleep(0.02 * 2**attempt)
        if result.too_large:
            self._log(agent, agent_name, data, "refused", addr, result.messages()[0])
            raise TooLargeError(name, result.messages()[0].removeprefix(f"{name}: "))
        if result.status == "ingested":
            caches.commit()
            self.linker.poke()
            self._refresh_soon(result.host_ids)
        else:
            self._log(agent, agent_name, data, result.status, addr, "; ".join(result.messages()[:3]))
        return PushResult(result.status, result.sha256, result.items, len(result.host_ids), result.messages())

    def _refresh_soon(self, host_ids: set[int]) -> None:
        """Refresh the hosts' findings, batched: one thread at a time refreshes every host pushed meanwhile.

        A push whose hosts another thread is about to refresh returns at once; the evidence is committed
        either way, and the server refreshes every host's findings when it starts.
        """
        with self._pending_lock:
            self._pending |= host_ids
        while self._refreshing.acquire(blocking=False):
            try:
                while True:
                    with self._pending_lock:
                        batch, self._pending = self._pending, set()
                    if not batch:
                        break
                    self._refresh(batch)
            finally:
                self._refreshing.release()
            with self._pending_lock:
                if not self._pending:
                    return

    def _refresh(self, host_ids: set[int]) -> None:
        for attempt in range(ATTEMPTS):
            try:
                self.refresh(host_ids)
                return
            except (IntegrityError, OperationalError):
                time.sleep(0.02 * 2**attempt)  # another push refreshed the same host at once: do it again
        self.refresh(host_ids)

    def _log(self, agent: Principal, agent_name: str, data: bytes, status: str, addr: str, why: str) -> None:
        with self.store.transaction() as conn:
            link = _push_row(conn, agent, agent_name, hashlib.sha256(data).hexdigest(), status, None, 0, addr)
            custody.defer(conn, [link])
            if status == "refused":
                record(conn, f"token:{agent.name}", "agent.push_refused", agent_name, {"reason": why}, addr)
        self.linker.poke()


def _push_row(
    conn: Connection,
    agent: Principal,
    agent_name: str,
    digest: str,
    status: str,
    artifact_id: int | None,
    items: int,
    addr: str,
) -> custody.Entry:
    """Inserts the push record; returns its custody link, for the caller to append as its transaction's last."""
    values = {"token_id": agent.id, "agent": agent_name[:255], "artifact_id": artifact_id, "sha256": digest,
              "status": status, "items": items, "received_at": now(), "remote_addr": addr[:64]}  # fmt: skip
    conn.execute(AgentPush.__table__.insert().values(**values))
    return custody.push_entry(values)


def _claim(conn: Connection, result: FileResult, *, agent: Principal, agent_name: str, addr: str) -> None:
    """Inside the push's transaction: refuse hosts outside the token's scope, give new hosts its org.

    A host's org is its registry owner, else its first pusher's; a host known before any push, and not
    assigned by the registry, belongs to the root. What a push says about a host (an address a network rule
    reads) never moves a host the registry had assigned: that is the registry's to change.
    """
    hosts = sorted(result.host_ids)
    rows = conn.execute(select(HostOrg.host_id, HostOrg.org).where(HostOrg.host_id.in_(hosts)))
    pushed: dict[int, str] = {host_id: org for host_id, org in rows}
    current, before = owners_now_and_before(conn, hosts, result.prior_facts)
    assigned = {h: owner.org for h, owner in current.items() if owner.org}
    _refuse_moves(conn, hosts, {h: owner.org for h, owner in before.items() if owner.org}, assigned, agent)
    unowned = [h for h in hosts if h not in pushed]
    known_before = _hosts_with_other_evidence(conn, [h for h in unowned if h not in assigned], result.artifact_id or 0)
    effective = {h: ROOT for h in known_before} | pushed | assigned
    others = {h: org for h, org in effective.items() if org != agent.org}  # usually none: skip the registry
    scope = Scope.resolve(conn, agent.org) if others else Scope()
    outside = sorted(h for h, org in others.items() if not scope.allows(org))
    if outside:
        names = list(conn.execute(select(Host.name).where(Host.id.in_(outside[:5]))).scalars())
        raise PushRefused(
            f"token {agent.name!r} (org {agent.org or 'root'}) may not push hosts of another org: " + ", ".join(names)
        )
    new = [h for h in unowned if h not in known_before]
    if new:
        conn.execute(
            HostOrg.__table__.insert(),
            [{"host_id": h, "org": agent.org, "token_id": agent.id, "assigned_at": now()} for h in new],
        )
    result.links.append(
        _push_row(conn, agent, agent_name, result.sha256, "ingested", result.artifact_id, result.items, addr)
    )


def _refuse_moves(
    conn: Connection, hosts: list[int], before: dict[int, str], assigned: dict[int, str], agent: Principal
) -> None:
    """Refuse a push whose facts change the registry owner a host had before it.

    ``before``: the owners of the hosts whose facts this push changed, computed from the facts it replaced, in
    its own transaction (a second connection to read the committed owners ran the pool dry under load). Only
    facts can change: host names, hosts.csv rows and rules are not a push's to change.
    """
    moved = sorted(h for h, org in before.items() if assigned.get(h) != org)
    if moved:
        names = list(conn.execute(select(Host.name).where(Host.id.in_(moved[:5])).order_by(Host.name)).scalars())
        raise PushRefused(
            f"token {agent.name!r} may not move hosts between orgs by what it pushes (the registry assigns them): "
            + ", ".join(names)
        )


def _hosts_with_other_evidence(conn: Connection, host_ids: list[int], artifact_id: int) -> set[int]:
    if not host_ids:
        return set()
    exams = select(Examination.host_id).where(Examination.host_id.in_(host_ids), Examination.artifact_id != artifact_id)
    installs = select(Installation.host_id).where(
        Installation.host_id.in_(host_ids), Installation.first_artifact_id != artifact_id
    )
    compact = select(HostTitles.host_id).where(
        HostTitles.host_id.in_(host_ids), HostTitles.first_artifact_id != artifact_id
    )
    return set(conn.execute(exams.union(installs, compact)).scalars())
