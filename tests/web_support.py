"""An agency for the web page tests: the org registry (with a hostile org name), ownership, users of several
orgs and roles, pushed hosts, and a few records (one email with hostile text)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.records_corpus import email_bytes
from tests.server_support import KES, PASSWORD, bundle
from tests.test_requests import GOOD
from vendorscope.service import Service

REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"  # dhs › dhs-cio › prime › sub, sub2
HOSTILE = "<script>alert('x')</script>"
REQUEST = GOOD  # the committee's request of 2017-07-27: systems, contractors, documents
# (user, role, org)
USERS = (
    ("admin", "admin", ""),
    ("reviewer", "reviewer", ""),
    ("viewer", "viewer", ""),
    ("prime-analyst", "analyst", "prime"),
    ("sub-viewer", "viewer", "sub"),
)


@dataclass
class Agency:
    service: Service
    email_subject: str = "Kaspersky on the help desk"


def build_agency(service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Agency:
    """Everything the pages show, set up through the service as the CLI and agents would."""
    service.settings = replace(service.settings, records_dir=tmp_path / "originals", server_dir=tmp_path / "server")
    files = tmp_path / "agency"
    files.mkdir()
    (files / "hostile-orgs.csv").write_text(
        f'id,name,kind,parent\nevil,"Evil {HOSTILE} Corp",contractor,dhs-cio\n', encoding="utf-8"
    )
    (files / "hosts.csv").write_text("host,org\nprime-ws,prime\nsub-ws,sub\nevil-ws,evil\n", encoding="utf-8")
    report = service.ingest([REGISTRY, files / "hostile-orgs.csv", files / "hosts.csv"])
    assert report.ok, [m for f in report.files for m in f.messages()]
    for name, role, org in USERS:
        service.accounts.add_user(name, PASSWORD, role, org)
    for org, host in (("prime", "prime-ws"), ("sub", "sub-ws"), ("", "hq-ws")):
        agent = service.accounts.token_principal(service.accounts.create_token(f"{org or 'hq'} office", org))
        assert agent is not None
        assert service.agents.push(agent, "a", bundle(host, KES)).status == "ingested"
    mails = tmp_path / "mail"
    mails.mkdir()
    (mails / "helpdesk.eml").write_bytes(
        email_bytes(Agency.email_subject, f"Kaspersky Endpoint Security is on ws-7. {HOSTILE}")
    )
    (mails / "legal.eml").write_bytes(email_bytes("Counsel on Kaspersky", "Advice of counsel about Kaspersky Lab."))
    (mails / "lunch.eml").write_bytes(email_bytes("Lunch", "Tacos on Friday."))
    service.records_ingest([mails], "alice")
    return Agency(service)


def document_ids(service: Service) -> dict[str, int]:
    """Subject → document id, for the records in the agency."""
    from vendorscope.records.search import Filters

    return {r["subject"]: r["id"] for r in service.records_vendor_search("kaspersky", Filters(limit=0))}
