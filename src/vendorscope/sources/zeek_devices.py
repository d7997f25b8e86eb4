"""Zeek logs that describe devices: x509.log, ssl.log, http.log, software.log, dhcp.log (TSV or JSON lines).

What each log says about which device (the other Zeek logs are read by ``zeek``):

* ``x509.log`` — a certificate's subject and issuer; the device is the certificate's ``san.ip``, else
  its CN when that is an address (Zeek ≥ 5 logs no connection in x509.log);
* ``ssl.log`` — the responder (``id.resp_h``) served a certificate with this ``subject``/``issuer``
  (Zeek ≤ 4.1 default fields, or with the policy script that keeps them);
* ``http.log`` — the responder's ``Server`` header, when a site script logs it (column ``server``);
* ``software.log`` — ``HTTP::SERVER`` banners (the Server header, logged by default) and
  ``SSH::SERVER`` banners of ``host``;
* ``dhcp.log`` — a client's ``mac``, address (``assigned_addr``, else ``client_addr``,
  ``requested_addr``), ``host_name``, and with ``policy/protocols/dhcp/software`` its vendor class
  (``client_software``, DHCP option 60).

Lines are aggregated per device (DeviceBook), so memory is bounded by the devices, not the lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook, canonical_ip
from vendorscope.sources.inventory_row import RowError, parse_time
from vendorscope.sources.netlog import decode, epoch
from vendorscope.sources.reader import first_line
from vendorscope.sources.zeek import ZeekHeader

LOGS = ("x509", "ssl", "http", "software", "dhcp")
_UNSET = {"-", "(empty)", ""}
MAX_LINE = 64 * 1024
# JSON lines are told apart by fields only one of these logs has.
_JSON_MARKS = (
    (b'"certificate.subject"', "x509"),
    (b'"software_type"', "software"),
    (b'"assigned_addr"', "dhcp"),
    (b'"msg_types"', "dhcp"),
    (b'"cert_chain_fps"', "ssl"),
    (b'"cert_chain_fuids"', "ssl"),
    (b'"server_name"', "ssl"),
    (b'"uri"', "http"),
)


class ZeekDevices:
    name = "zeek-devices"
    description = "Zeek x509.log, ssl.log, http.log, software.log, dhcp.log (TSV or JSON lines)"

    def identify(self, filename: str, head: bytes) -> bool:
        line = first_line(head)
        if line.startswith((b"#separator", b"#fields")):
            return any(f"#path\t{log}\n".encode() in head or f"#path\t{log}\r".encode() in head for log in LOGS)
        return line.startswith(b"{") and b'"ts"' in line and _json_log(line) != ""

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook("zeek")
        header = _Header()
        for number, raw in enumerate(stream, start=1):
            raw = raw.rstrip(b"\r\n")
            if len(raw) > MAX_LINE:
                yield Problem(number, f"line longer than {MAX_LINE} bytes; skipped")
            elif raw.startswith(b"#"):
                header.header(raw)
            elif raw.startswith(b"{"):
                problem = _json_row(raw, number, book)
                if problem:
                    yield problem
            elif raw.strip():
                problem = header.row(raw, number, book)
                if problem:
                    yield problem
        yield from book.observations()


class _Header(ZeekHeader):
    """The current TSV header; its rows become device facts."""

    def row(self, raw: bytes, number: int, book: DeviceBook) -> Problem | None:
        cells = self.cells(raw, number)
        if isinstance(cells, Problem):
            return cells
        row = {name: decode(cell) for name, cell in zip(self.fields, cells, strict=True) if decode(cell) not in _UNSET}
        return _record(self.path, row, number, book)


def _json_log(raw: bytes) -> str:
    return next((log for mark, log in _JSON_MARKS if mark in raw), "")


def _json_row(raw: bytes, number: int, book: DeviceBook) -> Problem | None:
    try:
        row: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Problem(number, f"not valid JSON ({exc}); skipped")
    if not isinstance(row, dict):
        return Problem(number, "not a JSON object; skipped")
    flat = {k: ",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in row.items() if v is not None}
    return _record(_json_log(raw), flat, number, book)


def _record(log: str, row: dict[str, str], number: int, book: DeviceBook) -> Problem | None:
    try:
        when = epoch(row["ts"]) if row.get("ts", "").replace(".", "", 1).isdigit() else parse_time(row.get("ts", ""))
    except RowError as exc:
        return Problem(number, f"{exc}; skipped")
    reader = _READERS.get(log)
    if reader is not None:
        reader(row, number, when, book)
    return None


def _x509(row: dict[str, str], number: int, when: Any, book: DeviceBook) -> None:
    subject, issuer = row.get("certificate.subject", ""), row.get("certificate.issuer", "")
    if row.get("client_cert") == "T" or not subject:
        return
    cn = next((p[3:] for p in subject.split(",") if p.strip().upper().startswith("CN=")), "")
    ip = next((a for a in row.get("san.ip", "").split(",") if canonical_ip(a)), "") or cn
    if canonical_ip(ip):
        book.add(number, ip=ip, items=[Item(name=subject, publisher=issuer, source="tls_certificate")], seen_at=when)


def _ssl(row: dict[str, str], number: int, when: Any, book: DeviceBook) -> None:
    subject = row.get("subject", "")
    if subject and row.get("id.resp_h"):
        item = Item(name=subject, publisher=row.get("issuer", ""), source="tls_certificate")
        book.add(number, ip=row["id.resp_h"], items=[item], seen_at=when)


def _http(row: dict[str, str], number: int, when: Any, book: DeviceBook) -> None:
    server = row.get("server", "")
    if server and row.get("id.resp_h"):
        book.add(number, ip=row["id.resp_h"], items=[Item(name=server, source="http_server")], seen_at=when)


def _software(row: dict[str, str], number: int, when: Any, book: DeviceBook) -> None:
    kind, host = row.get("software_type", ""), row.get("host", "")
    banner = row.get("unparsed_version", "") or row.get("name", "")
    if not host or not banner:
        return
    if kind == "HTTP::SERVER":
        book.add(number, ip=host, items=[Item(name=banner, source="http_server")], seen_at=when)
    elif kind == "SSH::SERVER":
        book.add(number, ip=host, items=[Item(name=banner, source="service_banner")], seen_at=when)


def _dhcp(row: dict[str, str], number: int, when: Any, book: DeviceBook) -> None:
    address = row.get("assigned_addr") or row.get("client_addr") or row.get("requested_addr") or ""
    name, vendor_class = row.get("host_name", ""), row.get("client_software", "")
    items = [Item(name=name, identifier=vendor_class, source="dhcp")] if name or vendor_class else []
    book.add(number, mac=row.get("mac", ""), ip=address, name=name, items=items, seen_at=when)


_READERS = {"x509": _x509, "ssl": _ssl, "http": _http, "software": _software, "dhcp": _dhcp}


FORMAT = ZeekDevices()
