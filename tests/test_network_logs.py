"""Network logs: Zeek, BIND, Windows DNS, Squid, CSV → contacts → network findings, managed and unmanaged."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vendorscope import sources
from vendorscope.catalog.loader import load_catalogs
from vendorscope.match.matcher import Matcher
from vendorscope.service import Service
from vendorscope.sources.base import Hints, NetworkContact, Problem
from vendorscope.sources.netlog import candidate_lines
from vendorscope.store.tables import NetworkContactRow

WATCH = Matcher(load_catalogs([])).network_watch
DNS_FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "trans_id",
    "query",
    "qclass",
    "qclass_name",
    "qtype",
]
T0 = 1_790_000_000  # 2026-09-21


def dns_line(ts: float, client: str, query: str) -> str:
    cells = [f"{ts:.6f}", "Cx", client, "53000", "10.0.0.1", "53", "udp", "1", query, "1", "C_INTERNET", "1"]
    return "\t".join(cells)


def zeek_dns(rows: list[tuple[float, str, str]]) -> bytes:
    head = ["#separator \\x09", "#set_separator\t,", "#path\tdns", "#fields\t" + "\t".join(DNS_FIELDS)]
    body = [dns_line(*row) for row in rows]
    return ("\n".join([*head, *body, "#close\t2026-09-21-00-00-00"]) + "\n").encode()


def fleet(service: Service, tmp_path: Path) -> None:
    """One managed host with a known address and the vendor's software on it (a CMDB export through --map)."""
    cmdb = tmp_path / "cmdb.csv"
    cmdb.write_text(
        "Computer,IP,Software,Vendor\nws-1.corp.example,10.0.0.5,Kaspersky Endpoint Security,AO Kaspersky Lab\n"
    )
    hints = Hints(mapping=(("host", "Computer"), ("address", "IP"), ("name", "Software"), ("publisher", "Vendor")))
    assert service.ingest([cmdb], hints).ok


def net_findings(service: Service) -> dict[str, dict[str, object]]:
    return {f["host"]: f for f in service.findings("kaspersky") if f["kind"] == "network"}


def test_dns_log_names_a_managed_and_an_unmanaged_client(service: Service, tmp_path: Path) -> None:
    fleet(service, tmp_path)
    rows = [
        (T0, "10.0.0.5", "dc1.ksn.kaspersky-labs.com"),
        (T0 + 60, "10.0.0.5", "dc1.ksn.kaspersky-labs.com"),
        (T0 + 5, "10.0.0.77", "dnl-07.geo.kaspersky.com"),
        (T0 + 9, "10.0.0.8", "www.example.org"),
        (T0 + 9, "10.0.0.9", "kaspersky.com.evil.example"),
    ]
    log = tmp_path / "dns.log"
    log.write_bytes(zeek_dns(rows))
    report = service.ingest([log])
    assert report.ok and report.files[0].format == "zeek"
    found = net_findings(service)
    assert set(found) == {"ws-1.corp.example", "10.0.0.77"}
    managed = found["ws-1.corp.example"]
    assert managed["evidence"][0]["count"] == 2 and managed["first_seen"] < managed["last_seen"]
    assert "software evidence on the same host" in managed["explanation"]
    assert "unmanaged" in found["10.0.0.77"]["explanation"]
    coverage = {h["host"]: h["coverage"] for h in service.hosts()}
    assert coverage["10.0.0.77"] == "not examined" and "10.0.0.8" not in coverage


def test_reingest_adds_nothing_and_overlapping_logs_do_not_double(sqlite_service: Service, tmp_path: Path) -> None:
    rows = [(T0 + i, "10.1.1.1", "ksn-file-geo.kaspersky-labs.com") for i in range(5)]
    log = tmp_path / "dns.log"
    log.write_bytes(zeek_dns(rows))
    sqlite_service.ingest([log])
    assert sqlite_service.ingest([log]).count("duplicate") == 1
    gz = tmp_path / "dns.log.1.gz"
    gz.write_bytes(gzip.compress(zeek_dns([*rows[2:], (T0 + 100, "10.1.1.1", "ksn-file-geo.kaspersky-labs.com")])))
    later = tmp_path / "dns.log.2"
    later.write_bytes(zeek_dns([(T0 + 5000, "10.1.1.1", "ksn-file-geo.kaspersky-labs.com")]))
    assert sqlite_service.ingest([gz, later]).ok
    [finding] = net_findings(sqlite_service).values()
    assert finding["evidence"][0]["count"] == 5 + 1  # the overlap counts as its larger log, the later log adds
    with sqlite_service.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(NetworkContactRow)).scalar_one() == 3


def test_conn_log_ports_alone_do_not_decide(sqlite_service: Service, tmp_path: Path) -> None:
    fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration"]
    lines = ["#separator \\x09", "#path\tconn", "#fields\t" + "\t".join(fields)]
    lines.append("\t".join([str(T0), "C1", "10.2.0.3", "50000", "10.2.0.100", "13000", "tcp", "-", "1.0"]))
    log = tmp_path / "conn.log"
    log.write_text("\n".join(lines) + "\n")
    assert sqlite_service.ingest([log]).ok
    assert net_findings(sqlite_service) == {}
    with sqlite_service.store.engine.connect() as conn:
        assert conn.execute(select(NetworkContactRow.port)).scalars().all() == ["13000/tcp"]


def contacts(name: str, data: bytes, hints: Hints | None = None) -> tuple[str, list[object]]:
    fmt = sources.detect(name, data[:65536])
    assert fmt is not None, name
    return fmt.name, list(fmt.parse(io.BytesIO(data), name, hints or Hints(contacts=WATCH)))


FORMS = {
    "zeek-json": (
        b'{"ts":1790000000.1,"uid":"C","id.orig_h":"10.3.0.4","id.orig_p":5,"id.resp_h":"10.0.0.1",'
        b'"id.resp_p":53,"proto":"udp","query":"ksn-url-geo.kaspersky-labs.com","qtype_name":"A"}\n',
        "zeek",
    ),
    "bind": (
        b"21-Sep-2026 10:00:01.123 queries: info: client @0x7f3a2c 10.3.0.4#53421 (ksn-url-geo.kaspersky-labs.com):"
        b" query: ksn-url-geo.kaspersky-labs.com IN A +E(0)K (10.0.0.1)\n",
        "bind-query",
    ),
    "windows-dns": (
        b"DNS Server log file creation at 9/21/2026 10:00:00 AM\r\n"
        b"9/21/2026 10:00:01 AM 0E4C PACKET  000001D2B5E0A1A0 UDP Rcv 10.3.0.4        a1b2   Q [0001   D   NOERROR] A"
        b"      (11)ksn-url-geo(14)kaspersky-labs(3)com(0)\r\n"
        b"9/21/2026 10:00:01 AM 0E4C PACKET  000001D2B5E0A1A0 UDP Snd 10.3.0.4        a1b2 R Q [8081   DR  NOERROR] A"
        b"      (11)ksn-url-geo(14)kaspersky-labs(3)com(0)\r\n",
        "windows-dns",
    ),
    "squid": (
        b"1790000000.123    150 10.3.0.4 TCP_TUNNEL/200 3900 CONNECT ksn-url-geo.kaspersky-labs.com:443 - "
        b"HIER_DIRECT/1.2.3.4 -\n"
        b"1790000001.123    150 10.3.0.4 TCP_MISS/200 3900 GET http://www.example.com/x - HIER_DIRECT/1.2.3.5 -\n",
        "squid",
    ),
    "csv": (
        b"timestamp,client_ip,domain\n2026-09-21T10:00:01Z,10.3.0.4,ksn-url-geo.kaspersky-labs.com.\n",
        "network-csv",
    ),
}


@pytest.mark.parametrize("form", FORMS)
def test_each_log_form_yields_the_contact(form: str) -> None:
    data, expected = FORMS[form]
    name, records = contacts(f"{form}.log", data)
    assert name == expected
    assert records == [
        NetworkContact(
            "10.3.0.4",
            "ksn-url-geo.kaspersky-labs.com",
            "",
            records[0].first_seen,  # type: ignore[union-attr]
            records[0].last_seen,  # type: ignore[union-attr]
            1,
            "",
            records[0].line,  # type: ignore[union-attr]
        )
    ]
    assert records[0].first_seen is not None  # type: ignore[union-attr]


def test_bad_lines_are_problems_with_line_numbers() -> None:
    good = dns_line(T0, "10.0.0.5", "dc1.ksn.kaspersky-labs.com")
    truncated = "\t".join(good.split("\t")[:9]).encode()  # cut after the query: still a candidate line
    data = zeek_dns([]).replace(b"#close", b"\n".join([truncated, b"x\t" + good.encode(), b"#close"]))
    _, records = contacts("dns.log", data)
    problems = [r for r in records if isinstance(r, Problem)]
    assert [p.line for p in problems] == [5, 6] and all("columns" in p.message for p in problems)
    json_lines = b'{"id.orig_h":"10.0.0.5","query":"dc1.ksn.kaspersky-labs.com"\n' + b"[" * 5000 + b"kaspersky\n"
    _, records = contacts("dns.json", b'{"ts":1,"id.orig_h":"1.1.1.1","query":"x.example"}\n' + json_lines)
    assert [p.line for p in records if isinstance(p, Problem)] == [2, 3]
    _, records = contacts("s.log", FORMS["squid"][0] + b"1790000002.1 kaspersky truncated\n\xff\xfekaspersky\n")
    assert [p.line for p in records if isinstance(p, Problem)] == [3, 4]


def test_fast_path_finds_exactly_the_lines_that_may_match() -> None:
    lines = [f"{i}\tx.example\n".encode() for i in range(10_000)]
    lines[1234] = b"1234\tupdate.kaspersky.com\n"
    lines[9999] = b"9999\tKASPERSKY-LABS.com"  # last line, no newline, upper case
    stream = io.BytesIO(b"".join(lines))
    found = list(candidate_lines(stream, WATCH.name_needles))
    assert found == [(1235, lines[1234].rstrip()), (10_000, lines[9999])]
    assert WATCH.name_needles == (b"kaspersky",)  # kaspersky-labs, kaspersky.co.uk...: one needle finds all
    assert set(WATCH.address_needles or ()) >= {b"13000", b"14000"}
    assert WATCH.wants("Dnl-01.GEO.kaspersky.com.", "") and not WATCH.wants("kaspersky.com.evil.example", "")


def test_contacts_outside_the_catalog_are_kept_only_without_a_filter() -> None:
    data = zeek_dns([(T0, "10.0.0.8", "www.example.org")])
    assert contacts("dns.log", data)[1] == []
    assert len(contacts("dns.log", data, Hints())[1]) == 1


def test_address_fact_from_mapped_csv_ties_network_evidence(sqlite_service: Service, tmp_path: Path) -> None:
    cmdb = tmp_path / "cmdb.csv"
    cmdb.write_text("Computer,IP,Software,Vendor\nsrv-9,10.4.0.9,Notepad++,Don Ho\n")
    hints = Hints(mapping=(("host", "Computer"), ("address", "IP"), ("name", "Software"), ("publisher", "Vendor")))
    sqlite_service.ingest([cmdb], hints)
    log = tmp_path / "q.csv"
    log.write_bytes(b"ts,src_ip,query\n1790000000,10.4.0.9,activation-v2.kaspersky.com\n")
    assert sqlite_service.ingest([log]).ok
    [finding] = net_findings(sqlite_service).values()
    assert finding["host"] == "srv-9"
    assert "no Kaspersky software found on this host (examined by mapped-csv)" in finding["explanation"]
