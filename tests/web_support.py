"""An agency for the web page tests: the org registry (with a hostile org name), ownership, users of several
orgs and roles, pushed hosts, and a few records (one email with hostile text)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.records_corpus import email_bytes
from tests.server_support import KES, PASSWORD, bundle
from tests.test_requests import GOOD
from vendorscope.server import audit
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


def more_of_everything(service: Service, tmp_path: Path) -> None:
    """60 more organizations, audit events, request packages and production volumes: more than a page of each."""
    orgs = tmp_path / "labs.csv"
    orgs.write_text("id,name,kind,parent\n" + "".join(f"lab-{n:02d},Lab {n:02d},office,dhs-cio\n" for n in range(60)))
    assert service.ingest([orgs]).ok
    for n in range(60):
        audit.log(service.store, f"robot-{n % 2}", "test.event", f"target-{n:02d}")
    for n in range(60):
        folder = service.server_dir / "requests" / f"req-{n:02d}" / "package"
        folder.mkdir(parents=True)
        manifest = {"request": f"REQ-{n:02d}", "requester": "House Committee" if n % 2 else "Senate Committee"}
        manifest |= {"vendor": "kaspersky", "items": ["systems"], "generated_at": f"2026-11-01T10:00:{n:02d}Z"}
        (folder / "manifest.json").write_text(json.dumps(manifest | {"files": []}))
        volume = service.server_dir / "productions" / f"VS-202611{n % 28 + 1:02d}T0000{n:02d}Z"
        volume.mkdir(parents=True)
        (volume / "DATA.dat").write_text("x")
