"""The sign-in rate limit holds under concurrency (issue 11, failure 3) — SQLite and PostgreSQL.

50 concurrent wrong passwords were all checked: the failure count was read before the password check.
Now each attempt takes a slot atomically before its check; at most 5 checks per account per window.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.server_support import PASSWORD, app_client, login
from vendorscope.server import throttle
from vendorscope.web.security import LOGIN_CSRF_COOKIE


def test_fifty_concurrent_wrong_passwords_get_five_checks(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        service.accounts.add_user("victim", PASSWORD, "viewer", "")
        checks: list[str] = []
        lock = threading.Lock()
        real = service.accounts.authenticate

        def counted(username: str, password: str):  # type: ignore[no-untyped-def]
            with lock:
                checks.append(username)
            return real(username, password)

        service.accounts.authenticate = counted  # type: ignore[method-assign]
        client.get("/login")
        csrf = client.cookies.get(LOGIN_CSRF_COOKIE)

        def attempt(i: int) -> int:
            form = {"username": "victim", "password": f"wrong guess {i}", "csrf": csrf, "next": "/"}
            return client.post("/login", data=form, follow_redirects=False).status_code

        with ThreadPoolExecutor(50) as pool:
            codes = Counter(pool.map(attempt, range(50)))
        assert len(checks) == 5, codes
        assert codes == Counter({401: 5, 429: 45})
        # The right password is not checked either, until the window passes.
        assert login(client, "victim").status_code == 429
        assert len(checks) == 5


def test_reservations_are_atomic_across_threads(db_url: str) -> None:
    with app_client(db_url) as (service, _client):
        counters = throttle.keys("someone", "")
        with ThreadPoolExecutor(50) as pool:
            window = timedelta(minutes=15)
            granted = list(pool.map(lambda _: throttle.reserve(service.store, counters, 5, window), range(50)))
        assert granted.count(True) == 5


def test_a_success_gives_its_check_back_and_the_window_lapses(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        service.accounts.add_user("user", PASSWORD, "viewer", "")
        for _ in range(8):
            assert login(client, "user").status_code == 303
        counters = throttle.keys("other", "")
        window = timedelta(seconds=0)
        assert all(throttle.reserve(service.store, counters, 1, window) for _ in range(3))
