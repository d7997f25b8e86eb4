"""Users (argon2 password hashes), browser sessions and agent enrollment tokens.

Secrets never reach the store in clear: passwords are argon2 hashes; session and enrollment tokens are 256-bit
random values of which only the SHA-256 is kept (a fast hash is enough for a value nobody can guess).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update

from vendorscope.errors import NotFoundError, RefusedError, VendorscopeError
from vendorscope.orgs.scope import Scope, normalize_org, registry_ids
from vendorscope.server.audit import now, record
from vendorscope.server.roles import ROLES
from vendorscope.store.store import Store
from vendorscope.store.tables import AgentPush, EnrollmentToken, User, WebSession

# What each role may do; pages and routes ask for a permission, never a role.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "export": frozenset({"admin", "analyst", "reviewer"}),
    "remediate": frozenset({"admin", "analyst"}),
    "review": frozenset({"admin", "reviewer"}),
    "privileged": frozenset({"admin", "reviewer"}),
    "manage": frozenset({"admin"}),
}
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the user does not exist, so timing does not tell names apart."""
    return hasher.hash("not a password of anyone")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """A signed-in user, or an agent's token, as the web layer sees it."""

    id: int
    name: str
    role: str
    org: str
    csrf: str = ""

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, frozenset())


class Accounts:
    """User, session and token operations over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- users -----------------------------------------------------------------------------

    # Every operation takes the acting admin's ``scope``: None is the operator at the command line (the whole
    # store); an admin of the web pages acts only within the subtree of their own org, never at the root.

    def add_user(
        self, username: str, password: str, role: str, org: str = "", actor: str = "cli", scope: Scope | None = None
    ) -> None:
        name = _check_username(username)
        _check_role(role)
        _check_password(password)
        with self.store.transaction() as conn:
            org = normalize_org(org, registry_ids(conn))
            _within(scope, org, f"a user of org {org or 'root'!r}")
            if conn.execute(select(User.id).where(User.username == name)).first():
                raise VendorscopeError(f"user {name!r} exists already")
            conn.execute(
                User.__table__.insert().values(
                    username=name,
                    password_hash=_hasher.hash(password),
                    role=role,
                    org=org,
                    disabled=False,
                    created_at=now(),
                )
            )
            record(conn, actor, "config.user_add", name, {"role": role, "org": org})

    def list_users(self, scope: Scope | None = None) -> list[dict[str, Any]]:
        cols = (User.username, User.role, User.org, User.disabled, User.created_at)
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(*cols).order_by(User.username)).mappings().all()
        return [
            dict(r) | {"created_at": r["created_at"].isoformat(timespec="seconds")}
            for r in rows
            if scope is None or scope.allows(r["org"])
        ]

    def set_password(self, username: str, password: str, actor: str = "cli", scope: Scope | None = None) -> None:
        _check_password(password)
        self._update_user(username, {"password_hash": _hasher.hash(password)}, actor, "config.user_passwd", scope)

    def set_disabled(self, username: str, disabled: bool, actor: str = "cli", scope: Scope | None = None) -> None:
        action = "config.user_disable" if disabled else "config.user_enable"
        self._update_user(username, {"disabled": disabled}, actor, action, scope)

    def _update_user(self, username: str, values: dict[str, Any], actor: str, action: str, scope: Scope | None) -> None:
        with self.store.transaction() as conn:
            row = conn.execute(select(User.id, User.org).where(User.username == username)).first()
            if row is None or (scope is not None and not scope.allows(row.org)):
                raise NotFoundError(f"no user {username!r}")  # outside the scope: not even its existence
            user_id = row.id
            conn.execute(update(User.__table__).where(User.__table__.c.id == user_id).values(**values))
            conn.execute(delete(WebSession.__table__).where(WebSession.__table__.c.user_id == user_id))
            record(conn, actor, action, username)

    # -- sign-in and sessions --------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The user when the password is right and the account enabled; None otherwise (same time either way)."""
        cols = (User.id, User.username, User.role, User.org, User.password_hash, User.disabled)
        with self.store.engine.connect() as conn:
            user = conn.execute(select(*cols).where(User.username == username.strip().lower())).first()
        try:
            _hasher.verify(user.password_hash if user else _dummy_hash(_hasher), password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            with self.store.transaction() as conn:
                table = User.__table__
                conn.execute(update(table).where(table.c.id == user.id).values(password_hash=_hasher.hash(password)))
        return Principal(user.id, user.username, user.role, user.org)

    def start_session(self, user: Principal) -> tuple[str, str]:
        """A new session for the user: (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.store.transaction() as conn:
            conn.execute(delete(WebSession.__table__).where(WebSession.__table__.c.expires_at < now()))
            conn.execute(
                WebSession.__table__.insert().values(
                    id=token_digest(token),
                    user_id=user.id,
                    csrf=csrf,
                    created_at=now(),
                    expires_at=now() + SESSION_LIFETIME,
                )
            )
        return token, csrf

    def session_user(self, token: str) -> Principal | None:
        stmt = (
            select(User.id, User.username, User.role, User.org, WebSession.csrf)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.id == token_digest(token), WebSession.expires_at > now(), User.disabled.is_(False))
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return Principal(row[0], row[1], row[2], row[3], row[4]) if row else None

    def end_session(self, token: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(delete(WebSession.__table__).where(WebSession.__table__.c.id == token_digest(token)))

    # -- enrollment tokens -----------------------------------------------------------------

    def create_token(self, name: str, org: str, actor: str = "cli", scope: Scope | None = None) -> str:
        """A new enrollment token for agents of ``org``; the clear value is returned once and never stored."""
        if not name.strip():
            raise VendorscopeError("a token needs a name (e.g. the office or contractor it is for)")
        token = "vst_" + secrets.token_urlsafe(32)
        with self.store.transaction() as conn:
            org = normalize_org(org, registry_ids(conn))
            _within(scope, org, f"a token of org {org or 'root'!r}")
            conn.execute(
                EnrollmentToken.__table__.insert().values(
                    name=name.strip()[:128],
                    org=org,
                    token_hash=token_digest(token),
                    created_by=actor,
                    created_at=now(),
                )
            )
            record(conn, actor, "config.token_create", name.strip(), {"org": org})
        return token

    def list_tokens(self, scope: Scope | None = None) -> list[dict[str, Any]]:
        t = EnrollmentToken
        pushes = (
            select(AgentPush.token_id, func.count().label("pushes"), func.max(AgentPush.received_at).label("last_push"))
            .group_by(AgentPush.token_id)
            .subquery()
        )
        cols = (t.id, t.name, t.org, t.created_by, t.created_at, t.revoked_at, pushes.c.pushes, pushes.c.last_push)
        stmt = select(*cols).outerjoin(pushes, pushes.c.token_id == t.id).order_by(t.id)
        with self.store.engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        return [
            {k: v.isoformat(timespec="seconds") if hasattr(v, "isoformat") else v for k, v in r.items()}
            for r in rows
            if scope is None or scope.allows(r["org"])
        ]

    def revoke_token(self, token_id: int, actor: str = "cli", scope: Scope | None = None) -> None:
        table = EnrollmentToken.__table__
        with self.store.transaction() as conn:
            row = conn.execute(select(table.c.name, table.c.org).where(table.c.id == token_id)).first()
            if row is None or (scope is not None and not scope.allows(row.org)):
                raise NotFoundError(f"no enrollment token {token_id}")
            name = row.name
            conn.execute(update(table).where(table.c.id == token_id).values(revoked_at=now()))
            record(conn, actor, "config.token_revoke", name, {"id": token_id})

    def actors(self, scope: Scope) -> list[str]:
        """The audit log's actor names of the users and tokens within ``scope`` (what a scoped admin may read)."""
        with self.store.engine.connect() as conn:
            users = [n for n, org in conn.execute(select(User.username, User.org)) if scope.allows(org)]
            rows = conn.execute(select(EnrollmentToken.name, EnrollmentToken.org))
            tokens = [n for n, org in rows if scope.allows(org)]
        return sorted(set(users) | {f"token:{n}" for n in tokens})

    def token_principal(self, token: str) -> Principal | None:
        """The agent identity behind a bearer token; None for an unknown or revoked one."""
        t = EnrollmentToken
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(t.id, t.name, t.org).where(t.token_hash == token_digest(token), t.revoked_at.is_(None))
            ).first()
        return Principal(row[0], row[1], "agent", row[2]) if row else None


def _within(scope: Scope | None, org: str, what: str) -> None:
    """Refuse an admin acting outside their subtree (and a scoped admin acting at the root)."""
    if scope is not None and not scope.allows(org):
        raise RefusedError(f"{what} is outside your scope ({scope.org!r} and below)")


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if not name or len(name) > 128 or not all(c.isalnum() or c in "._-@" for c in name):
        raise VendorscopeError(f"invalid user name {username!r}: letters, digits and . _ - @ only")
    return name


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise VendorscopeError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise VendorscopeError(f"password too short: at least {MIN_PASSWORD} characters")
