"""One refresh and one overdue rule: an agent's push brings its hosts' software findings and the network findings
up to date (organization findings read nothing a push writes), reading a page writes nothing, and the dashboard,
`remediation --overdue` and the answer's `overdue` count agree whatever the policy and the per-finding due dates
say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.server_support import KES, app_client, bundle, push, setup_accounts
from tests.test_network_logs import T0, zeek_dns
from tests.test_procurement import LINES, purchases
from vendorscope.findings.lifecycle import Change, Policy
from vendorscope.findings.status import EXCEPTION, NETWORK
from vendorscope.ingest import ingest_paths
from vendorscope.service import Service
from vendorscope.store.tables import OrgFinding

REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"


def org_findings(service: Service) -> int:
    with service.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OrgFinding)).scalar_one())


def network_hosts(service: Service) -> set[str]:
    return {f["host"] for f in service.findings("kaspersky") if f["kind"] == NETWORK}


def stale_store(service: Service, tmp_path: Path) -> None:
    """Evidence written without a refresh (as by a process that stopped before it): no derived findings yet."""
    dns = tmp_path / "dns.log"
    dns.write_bytes(zeek_dns([(T0, "10.9.9.9", "ksn-file-geo.kaspersky-labs.com")]))
    report = ingest_paths(service.store, service.matcher, [REGISTRY, purchases(tmp_path, LINES), dns])
    assert report.ok, [m for f in report.files for m in f.messages()]
    assert org_findings(service) == 0 and network_hosts(service) == set()


def test_an_agent_push_refreshes_its_hosts_and_network_findings(db_url: str, tmp_path: Path) -> None:
    """Through the server: an agent's bundle arrives over HTTP after evidence that no refresh has seen yet.

    A push refreshes the software findings of the hosts it pushed and, as contacts are stored, the network
    findings; never the organization findings: a push cannot carry registry or purchase records (they are
    refreshed by the ingest that brings those, and by the server's start).
    """
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        stale_store(service, tmp_path)  # after the server's start, which refreshes everything
        assert push(client, tokens.root, bundle("ws-1", KES)).status_code == 201
        assert {f["host"] for f in service.findings("kaspersky") if f["kind"] == "branded"} == {"ws-1"}
        assert network_hosts(service) == {"10.9.9.9"}  # the unmanaged client of the DNS log
        assert org_findings(service) == 0
        service.prepare_server()  # what a server's start does
        flagged = service.org_findings("procurement")
        assert {f["evidence"][0]["purchase"]["line"] for f in flagged} == {2, 4, 6, 7}
        assert {f["org_key"] for f in service.org_findings("supplier")} == {"sub"}


def test_ingest_bytes_and_server_start_refresh_every_kind(sqlite_service: Service, tmp_path: Path) -> None:
    stale_store(sqlite_service, tmp_path)
    sqlite_service.prepare_server()
    assert network_hosts(sqlite_service) == {"10.9.9.9"} and org_findings(sqlite_service) > 0


def test_reading_the_screening_writes_nothing(sqlite_service: Service, tmp_path: Path) -> None:
    stale_store(sqlite_service, tmp_path)
    screened = sqlite_service.screen_registry()
    assert any(r["covered"] for r in screened)  # the covered subcontractor is found by the read…
    assert org_findings(sqlite_service) == 0  # …and nothing is written by it


def overdue_everywhere(service: Service, today: date | None = None) -> tuple[int, int, int]:
    """Overdue as `remediation --overdue`, the dashboard's list, and the answer's count."""
    board = service.dashboard(None)
    listed = len(service.remediation("kaspersky", today=today, overdue=True))
    return listed, len(board.overdue), board.summary.counts.overdue


def test_overdue_is_one_rule_everywhere(sqlite_service: Service, tmp_path: Path) -> None:
    inventory = tmp_path / "inv.jsonl"
    inventory.write_text(
        "".join(
            f'{{"host": "ws-{n}", "name": "{KES["name"]}", "publisher": "{KES["publisher"]}"}}\n' for n in range(3)
        ),
        encoding="utf-8",
    )
    assert sqlite_service.ingest([inventory]).ok
    ids = sorted(f["id"] for f in sqlite_service.findings("kaspersky"))
    # The default policy (BOD 17-01: removal by 2017-12-12) makes every open finding overdue, whatever its
    # first sighting: the dashboard once said 0 here (first seen + 90 days) while the CLI said 3.
    assert overdue_everywhere(sqlite_service) == (3, 3, 3)
    sqlite_service.set_remediation([ids[0]], Change(due=date(2999, 1, 1), actor="t"))  # a date set by hand wins
    sqlite_service.set_remediation([ids[1]], Change(status=EXCEPTION, note="isolated rig", actor="t"))  # closed
    assert overdue_everywhere(sqlite_service) == (1, 1, 1)
    sqlite_service.set_policy(Policy(name="30 days from discovery", start=None, milestones={"remove": 30}))
    assert overdue_everywhere(sqlite_service) == (0, 0, 0)  # found today: due in 30 days
    counts = sqlite_service.answer_summary("kaspersky").counts
    assert (counts.findings_open, counts.findings_closed) == (2, 1)
