"""Schemathesis against the OpenAPI schema, as every kind of caller: no generated request gets a 500.

The API's operations (``/api/openapi.json``) are driven with generated path, query, header and body values
for each role's credentials (a session cookie or an enrollment token), on SQLite and PostgreSQL. The budget is
small in ``make test`` (``API_FUZZ_EXAMPLES``, default 8 per operation and role).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server_support import KES, PASSWORD, app_client, bundle, login
from vendorscope.web.security import SESSION_COOKIE

REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
USERS = {
    "root-admin": ("admin", ""),
    "scoped-admin": ("admin", "prime"),
    "analyst": ("analyst", ""),
    "reviewer": ("reviewer", ""),
    "viewer": ("viewer", ""),
    "contractor-viewer": ("viewer", "sub"),
}
TOKENS = {"agent-agency": "", "agent-sub": "sub", "revoked-token": ""}


def test_no_generated_request_gets_a_500(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        assert service.ingest([REGISTRY]).ok
        for name, (role, org) in USERS.items():
            service.accounts.add_user(name, PASSWORD, role, org)
        tokens = {name: service.accounts.create_token(name, org) for name, org in TOKENS.items()}
        service.accounts.revoke_token(
            next(t["id"] for t in service.accounts.list_tokens() if t["name"] == "revoked-token")
        )
        agency = service.accounts.token_principal(tokens["agent-agency"])
        assert agency is not None and service.agents.push(agency, "a", bundle("hq-ws", KES)).status == "ingested"
        credentials: dict[str, dict[str, dict[str, str]]] = {"anonymous": {}}
        for name in USERS:
            client.cookies.clear()
            assert login(client, name).status_code == 303
            credentials[name] = {"cookies": {SESSION_COOKIE: client.cookies.get(SESSION_COOKIE) or ""}}
        client.cookies.clear()
        for name, token in tokens.items():
            credentials[name] = {"headers": {"Authorization": f"Bearer {token}"}}
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
        failures: list[str] = []
        for result in schema.get_all_operations():
            operation = result.ok()
            for role, extra in credentials.items():
                _drive(operation, role, extra, failures)
        assert failures == [], failures[:10]


def _drive(operation: Any, role: str, extra: dict[str, dict[str, str]], failures: list[str]) -> None:
    """Generated requests to one operation as one role; a 5xx answer is noted in ``failures``."""

    @given(operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        response = case.call(**extra)
        if response.status_code >= 500:
            failures.append(f"{role} {case.method} {case.formatted_path} {case.query}: {response.status_code}")

    check()
