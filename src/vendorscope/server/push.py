"""Agent pushes: a bundle received over HTTP goes through the ingest pipeline, checked against the token's scope.

A push is queued (``receive``: checked cheaply, written to the intake, answered 202 with a receipt) and applied
by the applier in groups (``apply_queued``: one transaction per group, a savepoint per bundle, the scope checked
again, outcomes on the receipts, the pushed hosts' findings refreshed); or, asked for synchronously, applied at
once (``push``).

A synchronous push is one transaction (artifact, records, verdicts, host ownership, the push record, and their custody
links as pending: server/linker.py chains them) and idempotent by the content's SHA-256, so an agent retrying
after a lost answer changes nothing. Concurrent pushes share one cache of committed host and title ids; a push
that collides with another writer (same host at once, a deadlock) is rolled back whole and retried.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import ChainMap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, OperationalError

from vendorscope.errors import RefusedError, StoreError, TooLargeError, VendorscopeError
from vendorscope.findings.update import refresh_pushed_in
from vendorscope.ingest import (
    FileResult,
    Unpacked,
    check_received,
    ingest_bytes,
    ingest_received,
    received_titles,
    start_writing,
    unpack_received,
    write_unpacked,
)
from vendorscope.match.matcher import Matcher
from vendorscope.orgs.ownership import NAMED, Owner, owner_of, owner_rules, owners_now_and_before
from vendorscope.orgs.scope import ROOT, Scope
from vendorscope.server import intake
from vendorscope.server.accounts import Principal
from vendorscope.server.applier import Applier
from vendorscope.server.audit import now, record
from vendorscope.server.intake import Outcome, Queued, Receipt
from vendorscope.server.linker import Linker
from vendorscope.sources.base import Hints
from vendorscope.sources.limits import push_limits
from vendorscope.store import custody
from vendorscope.store.dialect import InputSavepoint, insert_arrays
from vendorscope.store.held_hosts import HeldHosts
from vendorscope.store.store import Store
from vendorscope.store.tables import (
    AgentPush,
    Artifact,
    Examination,
    Host,
    HostOrg,
    HostOwner,
    HostRule,
    HostTitles,
    Installation,
)
from vendorscope.store.writer import Caches, host_key

ATTEMPTS = 5
MAX_PUSH_BYTES = 64 * 1024 * 1024
GROUP_BUNDLES = 64  # queued bundles applied in one transaction, at most
GROUP_SECONDS = 1.0  # and for about this long (SQLite's intake waits for the group's write lock meanwhile)
GROUP_BYTES = 16 * 1024 * 1024  # received bytes of a group's bundles held at once, at most (the first always)
GROUP_ITEMS = 50_000  # items of a group read ahead, at most: the bundle that reaches it is the group's last
log = logging.getLogger(__name__)


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
        self.applier = Applier(self.apply_queued)  # applies the bundles the intake queued
        self._lane = os.getpid() % intake.LANES  # the lane this process's applier tries first
        self.most_queued = intake.MAX_QUEUED
        self.most_queued_bytes = intake.MAX_QUEUED_BYTES

    def close(self) -> None:
        self.applier.close()
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

    # -- queued pushes: intake, receipts, the applier ---------------------------------------

    def receive(self, agent: Principal, agent_name: str, data: bytes, filename: str = "", addr: str = "") -> Receipt:
        """Queue one bundle (answered 202): checked cheaply first — size, a readable head in a format an agent
        may push — then written to the intake. Raises RefusedError (a registry file; audited), Backlogged (the
        queue is full); an unreadable or unrecognized bundle is answered at once, as failed (422), not queued."""
        if len(data) > MAX_PUSH_BYTES:
            raise VendorscopeError(f"bundle larger than {MAX_PUSH_BYTES // (1024 * 1024)} MiB; refused")
        digest = hashlib.sha256(data).hexdigest()
        name = f"push:{agent.name}/{agent_name}/{filename or 'bundle'}"
        try:
            host = check_received(data, name, Hints(org=agent.org, limits=push_limits()), digest)
        except RefusedError as exc:
            self._log(agent, agent_name, data, "refused", addr, str(exc))
            raise
        if isinstance(host, FileResult):
            self._log(agent, agent_name, data, "failed", addr, "; ".join(host.messages()[:3]))
            return Receipt("", "failed", digest, 422, problems=host.messages())
        if host:
            try:
                with self.store.engine.connect() as conn:
                    _check_host(conn, agent, host)
            except RefusedError as exc:
                self._log(agent, agent_name, data, "refused", addr, str(exc))
                raise
        receipt = intake.enqueue(
            self.store, agent, agent_name, data, digest, filename, addr,
            most=self.most_queued, most_bytes=self.most_queued_bytes,
        )  # fmt: skip
        if receipt.status == "queued":
            self.applier.poke()
        return receipt

    def receipt(self, agent: Principal, receipt: str) -> Receipt | None:
        """What became of a queued push, for the token that pushed it (None for any other)."""
        return intake.find(self.store, agent, receipt)

    def start(self) -> None:
        """At the server's start: apply what a stopped server left queued."""
        self.applier.poke()

    def apply_queued(self) -> int | None:
        """Apply one group of queued bundles in one transaction; how many (None: another process is at it).

        Each bundle in the order received, in a savepoint of its own, checked against its token's scope as it is
        now (a revoked token's bundles are refused); each outcome recorded on its receipt; the software (and
        network) findings of the group's hosts refreshed; the group's custody links appended once — one commit. A
        bundle that conflicts with a concurrent writer ends the group before it: it is applied next round.

        The group is written as one (``_apply_together``): its bundles read ahead, their new titles inserted
        once, their hosts held and their scope read once, their rows written once at the end. When that end
        fails (a concurrent writer got in the way), the transaction keeps nothing and the group is applied again
        a bundle at a time (``_apply_singly``: each written and checked in its savepoint as it comes).
        """
        with self.store.engine.connect() as conn:  # a read first: an idle round takes no write lock (on SQLite)
            if not intake.queued(conn, 1):
                return 0
        try:
            return self._apply_group(together=True)
        except (IntegrityError, OperationalError, StoreError) as exc:
            log.info("push applier: the group's write failed (%s); applying it again a bundle at a time", exc)
            return self._apply_group(together=False)

    def _apply_group(self, together: bool) -> int | None:
        caches = self._caches()
        with self.store.engine.connect() as conn:
            conn.begin()
            try:
                start_writing(conn)
                lane = intake.take_turn(conn, self._lane)
                most_bytes = GROUP_BYTES if together else 0
                ids = intake.waiting(conn, GROUP_BUNDLES, lane, most_bytes) if lane is not None else []
                if not ids:
                    conn.rollback()
                    return None if lane is None and intake.backlog(conn) else 0
                caches.load(conn)
                apply = self._apply_together if together else self._apply_singly
                outcomes, links, hosts = apply(conn, caches, ids)
                if hosts:
                    refresh_pushed_in(conn, self.matcher, hosts)
                if links:
                    custody.append(conn, links)
                intake.record(conn, outcomes)
                if len(ids) < GROUP_BUNDLES:  # the queue ran dry: a good time to forget old receipts
                    intake.prune(conn)
                conn.commit()
            except BaseException:
                conn.rollback()
                caches.forget()
                raise
        caches.commit()
        return len(outcomes)

    def _apply_singly(self, conn: Connection, caches: _OverlayCaches, ids: list[int]) -> _Applied:
        """The group's bundles one at a time: each loaded, written, checked and recorded in its own savepoint."""
        saves = InputSavepoint(conn)  # the bundles' savepoints, one at a time

        def each() -> Iterator[_One | None]:
            for rid in ids:
                queued = intake.load(conn, rid)
                if queued is not None:
                    yield self._apply_one(saves, caches, queued)

        return _gather(each())

    def _apply_together(self, conn: Connection, caches: _OverlayCaches, ids: list[int]) -> _Applied:
        """The group's bundles written as one: read ahead (up to ``GROUP_ITEMS``), new titles in one short
        transaction first, those already in the store said so from one query, the known hosts held and their
        owners read once; then each bundle in the order received, in its savepoint (established with its first
        statement: a bundle that needs none has none — what it changed is held in memory and undone there),
        checked against its scope on what the group holds; at the end the hosts, claims and push records in one
        statement per table. One bad bundle fails or is refused alone."""
        group: list[tuple[Queued, Unpacked | None]] = []
        items = 0
        for queued in intake.load_many(conn, ids):
            if queued.revoked:
                group.append((queued, None))
                continue
            agent = Principal(queued.token_id, queued.token_name, "agent", queued.token_org)
            name = f"push:{agent.name}/{queued.agent}/{queued.filename or 'bundle'}"
            hints = Hints(org=agent.org, limits=push_limits())
            unpacked = unpack_received(queued.data, name, hints, self.matcher, queued.received_at, GROUP_ITEMS - items)
            group.append((queued, unpacked))
            items += unpacked.items
            if items >= GROUP_ITEMS:
                break  # the rest next round: memory stays the group's bound
        readable = [u for _, u in group if u is not None and u.plan is not None]
        known = _known_identities(conn, [u.identity for u in readable])
        if conn.dialect.name == "postgresql":  # SQLite: one writer anyway, the titles go in with the bundles
            received_titles(self.store, caches, self.matcher, [u for u in readable if u.identity not in known])
        held = HeldHosts()
        claims = _Claims(held)
        keys = {key for u in readable if u.identity not in known for key in u.hosts}
        ids_known = sorted({caches.hosts[key] for key in keys if key in caches.hosts})
        held.hold(conn, ids_known)
        claims.read(conn, ids_known)
        saves = InputSavepoint(conn, defer=True)
        applied = _gather(self._apply_unpacked(saves, caches, held, claims, q, u, known) for q, u in group)
        saves.flush()  # artifact rows still deferred go before the rows that name them
        held.write(conn)
        claims.write(conn)
        return applied

    def _apply_unpacked(
        self,
        saves: InputSavepoint,
        caches: _OverlayCaches,
        held: HeldHosts,
        claims: _Claims,
        queued: Queued,
        unpacked: Unpacked | None,
        known: dict[str, int],
    ) -> _One | None:
        """One bundle of a group written as one (``_apply_one``'s outcomes): None when it is to be retried."""
        conn = saves.conn
        agent = Principal(queued.token_id, queued.token_name, "agent", queued.token_org)
        at = queued.received_at
        args = (agent, queued.agent, queued.sha256, queued.remote_addr, at)
        if queued.revoked or unpacked is None:
            why = f"token {agent.name!r} was revoked before its bundle was applied"
            link = claims.logged(conn, *args, "refused", why)
            return Outcome(queued.id, "refused", 403, problems=[why]), [link], set()
        if unpacked.identity in known:  # in the store already: nothing to write, as its artifact's insert would say
            return Outcome(queued.id, "duplicate", 200), [claims.logged(conn, *args, "duplicate", "")], set()
        claim = partial(claims.claim, agent=agent, agent_name=queued.agent, addr=queued.remote_addr, at=at)
        try:
            result = write_unpacked(saves, caches, self.matcher, unpacked, held, claim)
        except RefusedError as exc:
            claims.drop()
            link = claims.logged(conn, *args, "refused", str(exc))
            return Outcome(queued.id, "refused", 403, problems=[str(exc)]), [link], set()
        except Exception as exc:  # a bundle that breaks the reader: failed alone, never blocking the queue
            claims.drop()
            log.exception("push applier: bundle %s could not be applied", queued.receipt)
            why = f"could not be applied ({type(exc).__name__})"
            return Outcome(queued.id, "failed", 500, problems=[why]), [claims.logged(conn, *args, "failed", why)], set()
        if result.status != "ingested":
            claims.drop()
        if result.retryable:
            return None
        messages = result.messages()
        if result.too_large:
            link = claims.logged(conn, *args, "refused", messages[0])
            return Outcome(queued.id, "refused", 413, problems=messages[:20]), [link], set()
        if result.status == "ingested":
            claims.keep()
            outcome = Outcome(queued.id, "ingested", 201, result.items, len(result.host_ids), messages[:20])
            return outcome, result.links, set(result.host_ids)
        link = claims.logged(conn, *args, result.status, "; ".join(messages[:3]))
        code = 200 if result.status == "duplicate" else 422
        return Outcome(queued.id, result.status, code, problems=messages[:20]), [link], set()

    def _apply_one(self, saves: InputSavepoint, caches: _OverlayCaches, queued: Queued) -> _One | None:
        """One queued bundle in the group's transaction: its outcome, custody links and hosts (None: retry it)."""
        conn = saves.conn
        agent = Principal(queued.token_id, queued.token_name, "agent", queued.token_org)
        at = queued.received_at
        args = (agent, queued.agent, queued.sha256, queued.remote_addr, at)
        if queued.revoked:
            why = f"token {agent.name!r} was revoked before its bundle was applied"
            return Outcome(queued.id, "refused", 403, problems=[why]), [_logged(conn, *args, "refused", why)], set()
        name = f"push:{agent.name}/{queued.agent}/{queued.filename or 'bundle'}"
        claim = partial(_claim, agent=agent, agent_name=queued.agent, addr=queued.remote_addr, at=at)
        hints = Hints(org=agent.org, limits=push_limits())
        titles_from = self.store if conn.dialect.name == "postgresql" else None  # SQLite: one writer anyway
        try:
            result = ingest_received(
                saves, caches, self.matcher, queued.data, name, hints, claim, observed=at, titles_from=titles_from
            )
        except RefusedError as exc:
            link = _logged(conn, *args, "refused", str(exc))
            return Outcome(queued.id, "refused", 403, problems=[str(exc)]), [link], set()
        except Exception as exc:  # a bundle that breaks the reader: failed alone, never blocking the queue
            log.exception("push applier: bundle %s could not be applied", queued.receipt)
            why = f"could not be applied ({type(exc).__name__})"
            return Outcome(queued.id, "failed", 500, problems=[why]), [_logged(conn, *args, "failed", why)], set()
        if result.retryable:
            return None
        messages = result.messages()
        if result.too_large:
            link = _logged(conn, *args, "refused", messages[0])
            return Outcome(queued.id, "refused", 413, problems=messages[:20]), [link], set()
        if result.status == "ingested":
            outcome = Outcome(queued.id, "ingested", 201, result.items, len(result.host_ids), messages[:20])
            return outcome, result.links, set(result.host_ids)
        link = _logged(conn, *args, result.status, "; ".join(messages[:3]))
        code = 200 if result.status == "duplicate" else 422
        return Outcome(queued.id, result.status, code, problems=messages[:20]), [link], set()

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
            digest = hashlib.sha256(data).hexdigest()
            custody.defer(conn, [_logged(conn, agent, agent_name, digest, addr, now(), status, why)])
        self.linker.poke()


_HOST_AT_INTAKE = (  # a host with its first pusher, hosts.csv row, facts, and whether any ownership rule exists
    select(Host.id, Host.key, Host.facts, HostOrg.org.label("pushed"), *NAMED)
    .add_columns(select(HostRule.id).exists().label("rules"))
    .outerjoin(HostOrg, HostOrg.host_id == Host.id)
    .outerjoin(HostOwner, HostOwner.host_id == Host.id)
)
_Applied = tuple[list[Outcome], list[custody.Entry], set[int]]  # a group's outcomes, custody links and hosts
_One = tuple[Outcome, list[custody.Entry], set[int]]  # one bundle's


def _gather(applied_each: Iterator[_One | None]) -> _Applied:
    """The bundles applied in turn (lazily: each when the last is done), until one conflicts with a concurrent
    writer (it and the rest wait for the next round, in order) or the group's time is up."""
    outcomes: list[Outcome] = []
    links: list[custody.Entry] = []
    hosts: set[int] = set()
    started = time.monotonic()
    for applied in applied_each:
        if applied is None:
            break
        outcome, its_links, its_hosts = applied
        outcomes.append(outcome)
        links.extend(its_links)
        hosts |= its_hosts
        if time.monotonic() - started >= GROUP_SECONDS:
            break
    return outcomes, links, hosts


_HOSTS_NAMED = (
    select(Host.id, Host.key, HostOrg.org.label("pushed"), *NAMED)
    .outerjoin(HostOrg, HostOrg.host_id == Host.id)
    .outerjoin(HostOwner, HostOwner.host_id == Host.id)
)


@dataclass(frozen=True, slots=True)
class _Unnamed:
    """A host this transaction inserted, for ``owner_of``: no hosts.csv row can name it yet."""

    key: str
    org_key: None = None
    role: None = None
    sensitivity: None = None
    location: None = None
    known: bool = False


class _Claims:
    """``_claim`` for a group written as one: the same decisions, on what the group's transaction read once.

    Read once per group (``read``): each held host's first pusher (host_orgs), its hosts.csv row, whether
    evidence of other artifacts knew it before any push, and the registry's rules; the facts are the group's
    held ones (what ``_claim`` reads after a bundle's hosts are written). A host the group did not read (another
    writer added it meanwhile) is read when a bundle names it; a host this transaction inserted has none of
    these rows but what the group's own earlier bundles claimed. A bundle's claims and push record are staged
    (``claim``), kept when it is ingested (``keep``), dropped when not (``drop``), and written for the whole
    group at its end (``write``), with the records of the bundles that wrote no evidence (``logged``).
    """

    def __init__(self, held: HeldHosts) -> None:
        self.held = held
        self.named: dict[int, Any] = {}  # host id → its row of _HOSTS_NAMED
        self.pushed: dict[int, str] = {}  # host id → the org of its first push (host_orgs), with this group's
        self.evidence: set[int] = set()  # hosts known from evidence before any push claimed them
        self.rules: list[Any] | None = None
        self.scopes: dict[str, Scope] = {}
        self.host_orgs: list[dict[str, Any]] = []
        self.pushes: list[dict[str, Any]] = []
        self._staged: tuple[list[dict[str, Any]], dict[str, Any]] | None = None

    def read(self, conn: Connection, host_ids: list[int], artifact_id: int = 0) -> None:
        """Each host's first pusher, hosts.csv row, and whether other artifacts' evidence knew it."""
        missing = sorted(h for h in set(host_ids) if h not in self.named)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for row in conn.execute(_HOSTS_NAMED.where(Host.id.in_(chunk))):
                self.named[row.id] = row
                if row.pushed is not None:
                    self.pushed.setdefault(row.id, row.pushed)
            unowned = [h for h in chunk if h not in self.pushed]
            self.evidence |= _hosts_with_other_evidence(conn, unowned, artifact_id)

    def claim(
        self,
        conn: Connection,
        result: FileResult,
        *,
        agent: Principal,
        agent_name: str,
        addr: str,
        at: datetime | None = None,
    ) -> None:
        """``_claim``, staged: refuses as it does (PushRefused), or stages the bundle's claims and push record."""
        hosts = sorted(result.host_ids)
        held = self.held.hosts
        self.read(conn, [h for h in hosts if h not in self.named and not held[h].ours], result.artifact_id or 0)
        if self.rules is None:
            self.rules = owner_rules(conn)
        current: dict[int, Owner] = {}
        before: dict[int, Owner] = {}
        for h in hosts:
            row = self.named.get(h) or _Unnamed(held[h].key)
            current[h] = owner_of(row, self.rules, held[h].facts)
            if h in result.prior_facts:
                before[h] = owner_of(row, self.rules, result.prior_facts[h])
        pushed = {h: self.pushed[h] for h in hosts if h in self.pushed}
        claimed = _decide_claims(
            conn, agent, hosts, pushed, current, before,
            known_before=lambda unowned: {h for h in unowned if h in self.evidence},
            scope_of=lambda org: self._scope(conn, org),
        )  # fmt: skip
        when = now()
        new = [{"host_id": h, "org": agent.org, "token_id": agent.id, "assigned_at": when} for h in claimed]
        values = _push_values(agent, agent_name, result.sha256, "ingested", result.artifact_id, result.items, addr, at)
        self._staged = (new, values)
        result.links.append(custody.push_entry(values))

    def _scope(self, conn: Connection, org: str) -> Scope:
        if org not in self.scopes:
            self.scopes[org] = Scope.resolve(conn, org)
        return self.scopes[org]

    def keep(self) -> None:
        """The bundle was ingested: its claims and push record are the group's."""
        staged, self._staged = self._staged, None
        if staged is not None:
            new, values = staged
            self.host_orgs.extend(new)
            self.pushed.update({row["host_id"]: row["org"] for row in new})
            self.pushes.append(values)

    def drop(self) -> None:
        self._staged = None

    def logged(
        self, conn: Connection, agent: Principal, agent_name: str, digest: str, addr: str, at: datetime, status: str,
        why: str,
    ) -> custody.Entry:  # fmt: skip
        """``_logged``, its push record staged for the group's write."""
        values = _push_values(agent, agent_name, digest, status, None, 0, addr, at)
        self.pushes.append(values)
        if status == "refused":
            record(conn, f"token:{agent.name}", "agent.push_refused", agent_name, {"reason": why}, addr)
        return custody.push_entry(values)

    def write(self, conn: Connection) -> None:
        """The group's claims and push records, one statement each (in the order the bundles were applied)."""
        for table, rows in ((HostOrg.__table__, self.host_orgs), (AgentPush.__table__, self.pushes)):
            if not rows:
                continue
            if conn.dialect.name == "postgresql":
                columns = tuple(rows[0])
                insert_arrays(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])
            else:
                conn.execute(table.insert(), rows)
        self.host_orgs, self.pushes = [], []


def _known_identities(conn: Connection, identities: list[str]) -> dict[str, int]:
    """Of these artifact identities, those in the store already, with their artifact's id."""
    found: dict[str, int] = {}
    wanted = sorted(set(identities))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(conn.execute(select(Artifact.identity, Artifact.id).where(Artifact.identity.in_(chunk))).all())
    return found


def _push_values(
    agent: Principal,
    agent_name: str,
    digest: str,
    status: str,
    artifact_id: int | None,
    items: int,
    addr: str,
    at: datetime | None,
) -> dict[str, Any]:
    return {"token_id": agent.id, "agent": agent_name[:255], "artifact_id": artifact_id, "sha256": digest,
            "status": status, "items": items, "received_at": at or now(), "remote_addr": addr[:64]}  # fmt: skip


def _logged(
    conn: Connection, agent: Principal, agent_name: str, digest: str, addr: str, at: datetime, status: str, why: str
) -> custody.Entry:
    """A push that wrote no evidence (duplicate, failed, refused): its record, and the audit of a refusal;
    returns the record's custody link for the caller to append or defer."""
    link = _push_row(conn, agent, agent_name, digest, status, None, 0, addr, at)
    if status == "refused":
        record(conn, f"token:{agent.name}", "agent.push_refused", agent_name, {"reason": why}, addr)
    return link


def _push_row(
    conn: Connection,
    agent: Principal,
    agent_name: str,
    digest: str,
    status: str,
    artifact_id: int | None,
    items: int,
    addr: str,
    at: datetime | None = None,
) -> custody.Entry:
    """Inserts the push record; returns its custody link, for the caller to append as its transaction's last."""
    values = _push_values(agent, agent_name, digest, status, artifact_id, items, addr, at)
    conn.execute(AgentPush.__table__.insert().values(**values))
    return custody.push_entry(values)


def _claim(
    conn: Connection,
    result: FileResult,
    *,
    agent: Principal,
    agent_name: str,
    addr: str,
    at: datetime | None = None,
) -> None:
    """Inside the push's transaction: refuse hosts outside the token's scope, give new hosts its org.

    A host's org is its registry owner, else its first pusher's; a host known before any push, and not
    assigned by the registry, belongs to the root. What a push says about a host (an address a network rule
    reads) never moves a host the registry had assigned: that is the registry's to change.
    """
    hosts = sorted(result.host_ids)
    rows = conn.execute(select(HostOrg.host_id, HostOrg.org).where(HostOrg.host_id.in_(hosts)))
    pushed: dict[int, str] = {host_id: org for host_id, org in rows}
    current, before = owners_now_and_before(conn, hosts, result.prior_facts)
    new = _decide_claims(
        conn, agent, hosts, pushed, current, before,
        known_before=lambda unowned: _hosts_with_other_evidence(conn, unowned, result.artifact_id or 0),
        scope_of=lambda org: Scope.resolve(conn, org),
    )  # fmt: skip
    if new:
        conn.execute(
            HostOrg.__table__.insert(),
            [{"host_id": h, "org": agent.org, "token_id": agent.id, "assigned_at": now()} for h in new],
        )
    result.links.append(
        _push_row(conn, agent, agent_name, result.sha256, "ingested", result.artifact_id, result.items, addr, at)
    )


def _decide_claims(
    conn: Connection,
    agent: Principal,
    hosts: list[int],
    pushed: dict[int, str],
    current: dict[int, Owner],
    before: dict[int, Owner],
    *,
    known_before: Callable[[list[int]], set[int]],
    scope_of: Callable[[str], Scope],
) -> list[int]:
    """The scope decision of a bundle's hosts, one for both ways a push is applied (alone, or staged in a group):
    refuses (PushRefused) a move between orgs or a host of an org outside the token's scope; returns the hosts that
    become the token's org's (neither pushed before, nor assigned by the registry, nor known from other evidence).

    ``pushed``: the hosts' first pushers' orgs; ``current``/``before``: their registry owners now and before this
    push's facts; ``known_before``: of the unowned, unassigned hosts, those known before any push (the root's).
    """
    assigned = {h: owner.org for h, owner in current.items() if owner.org}
    _refuse_moves(conn, hosts, {h: owner.org for h, owner in before.items() if owner.org}, assigned, agent)
    unowned = [h for h in hosts if h not in pushed]
    known = known_before([h for h in unowned if h not in assigned])
    effective = {h: ROOT for h in known} | pushed | assigned
    others = {h: org for h, org in effective.items() if org != agent.org}  # usually none: skip the registry
    scope = scope_of(agent.org) if others else Scope()
    outside = sorted(h for h, org in others.items() if not scope.allows(org))
    if outside:
        names = list(conn.execute(select(Host.name).where(Host.id.in_(outside[:5]))).scalars())
        raise PushRefused(
            f"token {agent.name!r} (org {agent.org or 'root'}) may not push hosts of another org: " + ", ".join(names)
        )
    return [h for h in unowned if h not in known]


def _check_host(conn: Connection, agent: Principal, name: str) -> None:
    """At intake: refuse a bundle whose first host belongs to an org outside the token's scope (read only; the
    applier checks every host of the bundle again in its transaction, with ``_claim``). A new host passes."""
    found = conn.execute(_HOST_AT_INTAKE.where(Host.key == host_key(name))).first()
    if found is None:
        return
    hid, org = found.id, found.pushed
    assigned = owner_of(found, owner_rules(conn) if found.rules else [], found.facts or {})  # no rules: no query
    if assigned.org:
        org = assigned.org
    elif org is None:
        org = ROOT if _hosts_with_other_evidence(conn, [hid], 0) else agent.org
    if org != agent.org and not Scope.resolve(conn, agent.org).allows(org):
        raise PushRefused(f"token {agent.name!r} (org {agent.org or 'root'}) may not push hosts of another org: {name}")


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
