"""Coverage per vendor question: a device seen only on the network is "not examined" for installed software
(Kaspersky), a host known only from its software inventory is "not examined" for covered equipment, and each
answer names what saw the host but could not answer, and why."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_jsonl
from vendorscope import sources
from vendorscope.demo.cameras import generate_devices
from vendorscope.findings.coverage import DEVICE, SOFTWARE, examination_question
from vendorscope.respond.build import ad_hoc_request
from vendorscope.respond.request import ITEM_NAMES
from vendorscope.service import Service
from vendorscope.sources.base import Hints, Observation
from vendorscope.sources.device_record import DEVICE_METHODS
from vendorscope.sources.reader import read_head

FORMATS = Path(__file__).parent / "data" / "formats"


def _coverage(service: Service, vendor: str) -> dict[str, dict[str, str]]:
    answer = service.answer(ad_hoc_request(vendor, ITEM_NAMES))
    return {row["host"]: row for row in answer.coverage}


def test_a_camera_seen_by_nmap_is_not_examined_for_kaspersky(sqlite_service: Service, tmp_path: Path) -> None:
    generate_devices(tmp_path / "devices")
    inventory = write_jsonl(
        tmp_path / "inventory.jsonl",
        [{"host": "ws-1", "name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab"}],
    )
    report = sqlite_service.ingest([tmp_path / "devices" / "nmap-branch.xml", inventory])
    assert report.ok, [m for f in report.files for m in f.messages()]

    kaspersky = _coverage(sqlite_service, "kaspersky")
    camera = next(row for host, row in kaspersky.items() if host.startswith("cam-lobby-01"))
    assert camera["examined_by"] == "not examined"
    assert camera["cannot_examine"] == "nmap: identifies the device on the network; cannot see its installed software"
    assert camera["sources"] == "" and camera["last_examined"] == ""
    assert kaspersky["ws-1"]["examined_by"] == "inventory" and kaspersky["ws-1"]["cannot_examine"] == ""
    counts = sqlite_service.answer_summary("kaspersky").counts
    assert (counts.hosts_examined, counts.hosts_not_examined) == (1, counts.hosts_known - 1)

    hikvision = _coverage(sqlite_service, "hikvision")
    assert next(row for host, row in hikvision.items() if host.startswith("cam-lobby-01"))["examined_by"] == "nmap"
    assert hikvision["ws-1"]["examined_by"] == "not examined"
    cannot = "inventory: lists installed software; does not identify the device's maker"
    assert hikvision["ws-1"]["cannot_examine"] == cannot
    assert sqlite_service.answer_summary("hikvision").counts.hosts_examined == counts.hosts_known - 1

    # The host list without a question keeps every examination (hosts, exposure): the camera was looked at.
    listed = {h["host"]: h for h in sqlite_service.hosts()}
    assert next(h for n, h in listed.items() if n.startswith("cam-lobby-01"))["coverage"] == "nmap"


def test_an_examination_answers_by_its_method_or_its_evidence() -> None:
    assert examination_question("nmap", ()) == DEVICE  # nmap saw only a MAC nobody registered: still a device look
    assert examination_question("inventory", ("mac_oui", "http_title")) == DEVICE
    assert examination_question("collector", ("programs", "services")) == SOFTWARE
    assert examination_question("kaspersky-security-center", ("programs",)) == SOFTWARE
    assert examination_question("inventory", ()) == SOFTWARE


def test_every_device_format_reports_a_device_method() -> None:
    """A device importer's method must be in DEVICE_METHODS, or coverage would count its devices as examined
    for installed software. Every format's sample is read; device observations are those marked kind: device."""
    seen: set[str] = set()
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir()):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            fmt = sources.detect(path.name, read_head(path))
            if fmt is None:
                continue
            with path.open("rb") as stream:
                for record in fmt.parse(stream, path.name, Hints()):
                    if isinstance(record, Observation) and record.host_facts.get("kind") == "device":
                        assert record.method in DEVICE_METHODS, (
                            f"{path.name}: device method {record.method!r} is not in "
                            "sources/device_record.DEVICE_METHODS: add it there"
                        )
                        seen.add(record.method)
    assert seen >= {"nmap", "switch-table", "dhcp", "snmpwalk", "zeek", "runzero"}
