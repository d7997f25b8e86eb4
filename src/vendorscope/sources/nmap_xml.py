"""nmap XML output (``nmap -sV -O -oX``): hosts with their MAC vendor, service banners and OS guess.

Read per ``<host>`` element (iterparse, each host freed once read), so memory is bounded by one
host, not the scan. What becomes evidence: the MAC (its OUI is looked up in the IEEE registry again:
nmap's own ``vendor`` attribute is kept as a fact only), every open port's ``-sV`` product/extra
info, ``http-title`` / ``http-server-header`` script output, the ``ssl-cert`` subject and issuer,
and the best ``-O`` OS match. XML entity declarations are refused (defusedxml); nmap's own
``<!DOCTYPE nmaprun>`` carries none and is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import device_observation

METHOD = "nmap"


class NmapXml:
    name = "nmap-xml"
    description = "nmap XML output (-oX), with -sV service and -O OS detection"

    def identify(self, filename: str, head: bytes) -> bool:
        return b"<nmaprun" in head[:4096]

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        count = 0
        try:
            for _event, element in iterparse(stream, events=("end",), forbid_dtd=False):
                if element.tag != "host":
                    continue
                count += 1
                record = _host(element, count)
                element.clear()
                if record is not None:
                    yield record
        except DefusedXmlException as exc:
            yield Problem(0, f"XML entity or external reference refused ({type(exc).__name__})")
        except ParseError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else 0
            yield Problem(line, f"not well-formed XML after host {count} ({exc.msg if hasattr(exc, 'msg') else exc})")


def _host(host: Element, number: int) -> Record | None:
    status = host.find("status")
    if status is not None and status.get("state") not in (None, "up"):
        return None
    ip = mac = vendor = ""
    for address in host.findall("address"):
        kind = address.get("addrtype", "")
        if kind in ("ipv4", "ipv6") and not ip:
            ip = address.get("addr", "")
        elif kind == "mac":
            mac, vendor = address.get("addr", ""), address.get("vendor", "")
    names = [h.get("name", "") for h in host.findall("hostnames/hostname") if h.get("name")]
    items = [item for port in host.findall("ports/port") for item in _port(port)]
    items += _os(host)
    facts = {"nmap_mac_vendor": vendor} if vendor else {}
    observation = device_observation(
        method=METHOD,
        line=number,
        mac=mac,
        ip=ip,
        name=names[0] if names else "",
        items=items,
        seen_at=_time(host.get("endtime") or host.get("starttime")),
        facts=facts,
    )
    return observation if observation is not None else Problem(0, f"host {number} has no address")


def _port(port: Element) -> list[Item]:
    state = port.find("state")
    if state is None or state.get("state") != "open":
        return []
    where = f"{port.get('portid', '')}/{port.get('protocol', '')}"
    items: list[Item] = []
    service = port.find("service")
    if service is not None and service.get("product"):
        product = " ".join(v for v in (service.get("product"), service.get("extrainfo")) if v)
        items.append(Item(name=product, version=service.get("version", ""), source="nmap_service", identifier=where))
    for script in port.findall("script"):
        items.extend(_script(script, where))
    return items


def _script(script: Element, where: str) -> list[Item]:
    sid = script.get("id", "")
    if sid == "http-title":
        title = script.findtext("elem[@key='title']") or script.get("output", "")
        return [Item(name=title.strip(), source="http_title", identifier=where)] if title.strip() else []
    if sid == "http-server-header":
        values = [e.text or "" for e in script.findall("elem")] or [script.get("output", "")]
        return [Item(name=v.strip(), source="http_server", identifier=where) for v in values if v.strip()]
    if sid == "ssl-cert":
        subject, issuer = _dn(script.find("table[@key='subject']")), _dn(script.find("table[@key='issuer']"))
        return [Item(name=subject, publisher=issuer, source="tls_certificate", identifier=where)] if subject else []
    return []


_DN_KEYS = (("commonName", "CN"), ("organizationName", "O"), ("organizationalUnitName", "OU"), ("countryName", "C"))


def _dn(table: Element | None) -> str:
    """nmap's ssl-cert subject/issuer table as an RFC 4514-style string: CN=..., O=..., OU=..., C=..."""
    if table is None:
        return ""
    values = {e.get("key", ""): (e.text or "").strip() for e in table.findall("elem")}
    return ", ".join(f"{short}={values[key]}" for key, short in _DN_KEYS if values.get(key))


def _os(host: Element) -> list[Item]:
    match = host.find("os/osmatch")  # nmap lists matches best first
    if match is None or not match.get("name"):
        return []
    osclass = match.find("osclass")
    vendor = osclass.get("vendor", "") if osclass is not None else ""
    return [Item(name=match.get("name", ""), publisher=vendor, source="nmap_os")]


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None) if value else None
    except (ValueError, OverflowError, OSError):
        return None


FORMAT = NmapXml()
