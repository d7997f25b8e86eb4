"""ONVIF and UPnP discovery dumps: what cameras, recorders and routers say about themselves when asked.

Read from one file, in any mix (a tool's saved replies, ``curl -i`` output, one device or many):

* ONVIF WS-Discovery ``ProbeMatches`` (SOAP, either WS-Discovery namespace): per ``ProbeMatch`` the
  scopes ``onvif://www.onvif.org/name/…`` (what the device calls itself: cameras put their maker there,
  relabeled ones their brand), ``…/hardware/…`` (the model), ``…/manufacturer/…`` and ``…/MAC/…`` where a
  vendor adds them (percent-decoded), and ``XAddrs`` (the device service URLs: the address);
* ONVIF ``GetDeviceInformationResponse``: ``Manufacturer``, ``Model``, ``FirmwareVersion``, ``SerialNumber``;
* UPnP device descriptions (``description.xml``, ``urn:schemas-upnp-org:device-1-0``): the root device's
  ``manufacturer``, ``modelName``, ``modelNumber``, ``friendlyName``, ``serialNumber``, ``UDN``, the address
  from ``presentationURL`` or ``URLBase``;
* SSDP replies and announcements as text (``HTTP/1.1 200 OK`` / ``NOTIFY * HTTP/1.1`` with ``LOCATION``,
  ``SERVER``, ``USN``): the address from ``LOCATION``, the ``SERVER`` header as a service banner.

A reply that names no address (GetDeviceInformation, a description without URLs) belongs to ``--host``,
else to an address in the file name (``10.40.1.21.xml``), else to the one device the file's other
replies name; otherwise it is one problem line. XML is parsed with defusedxml: entity declarations and
external references are refused, as one problem line for the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook, canonical_ip, canonical_mac
from vendorscope.sources.reader import read_bounded

METHOD = "onvif-upnp"
MAX_BYTES = 64 * 1024 * 1024
MAX_VALUE = 1024
MAX_DOCUMENTS = 100_000
_DISCOVERY_NS = (b"schemas.xmlsoap.org/ws/2005/04/discovery", b"docs.oasis-open.org/ws-dd/ns/discovery")
_SSDP_START = re.compile(rb"(?im)^(?:HTTP/1\.[01] 200 OK|NOTIFY \* HTTP/1\.1)\s*$")
_SSDP_HEADER = re.compile(rb"(?im)^(?:USN|LOCATION|ST|NT)\s*:")
# Where each XML document of the dump starts: a SOAP envelope (any prefix) or a UPnP description's <root>.
_DOCUMENT_START = re.compile(
    r"<(?:([\w.-]{1,64}):)?(Envelope)\b|<(root)\b(?=[^>]{0,4096}urn:schemas-upnp-org:device-1-0)"
)

_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)\b", re.IGNORECASE)
_SSDP_BLOCK = re.compile(
    r"^(?:HTTP/1\.[01] 200 OK|NOTIFY \* HTTP/1\.1)[ \t]*\r?\n((?:[!-9;-~]+[ \t]*:.*\r?\n?)*)", re.MULTILINE
)


class DiscoveryDumps:
    name = METHOD
    description = "ONVIF WS-Discovery / GetDeviceInformation replies, UPnP description.xml and SSDP replies"

    def may_claim(self, head: bytes) -> bool:
        """What each kind of dump ``identify`` knows has (an SSDP start line names HTTP/1.x)."""
        window = head[:16384]
        return (
            b"ProbeMatch" in window
            or b"urn:schemas-upnp-org:device-1-0" in window
            or b"GetDeviceInformationResponse" in window
            or b"http/1." in window.lower()
        )

    def identify(self, filename: str, head: bytes) -> bool:
        window = head[:16384]
        onvif = b"ProbeMatch" in window and any(ns in window for ns in _DISCOVERY_NS)
        upnp = b"urn:schemas-upnp-org:device-1-0" in window and b"<root" in window
        ssdp = bool(_SSDP_START.search(window)) and bool(_SSDP_HEADER.search(window))
        return onvif or upnp or ssdp or b"GetDeviceInformationResponse" in window

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        try:
            data = read_bounded(stream, filename, MAX_BYTES)
        except OSError as exc:
            yield Problem(0, f"cannot read ({exc})")
            return
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
        if _DECLARATION.search(text):
            yield Problem(0, "XML entity or document type declaration refused")
            return
        book = DeviceBook(METHOD)
        placed: list[_Reply] = []
        unplaced: list[_Reply] = []
        for count, (start, document) in enumerate(_documents(text), start=1):
            if count > MAX_DOCUMENTS:
                yield Problem(0, f"more than {MAX_DOCUMENTS} XML documents in one file; the rest was not read")
                break
            line = text.count("\n", 0, start) + 1
            if not document:
                yield Problem(line, "XML reply without its end tag; it and the rest of the file were not read")
                break
            try:
                root = fromstring(document)
            except (ParseError, DefusedXmlException) as exc:
                yield Problem(line, f"XML reply not well-formed or refused ({_why(exc)}); skipped")
                continue
            for reply in _replies(root, line):
                if reply.ip or reply.mac:
                    reply.add_to(book)
                    placed.append(reply)
                else:
                    unplaced.append(reply)
        for found in _SSDP_BLOCK.finditer(text):
            reply = _ssdp(found.group(1), text.count("\n", 0, found.start()) + 1)
            reply.add_to(book)
            placed.append(reply)
        yield from _place(unplaced, placed, book, filename, hints)
        yield from book.observations()


@dataclass
class _Reply:
    """What one reply says about one device."""

    line: int
    ip: str = ""
    mac: str = ""
    items: list[Item] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)

    def add_to(self, book: DeviceBook, ip: str = "", mac: str = "", name: str = "") -> None:
        book.add(self.line, mac=self.mac or mac, ip=self.ip or ip, name=name, items=self.items, facts=self.facts)


def _documents(text: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each document; ``""`` for one whose end tag never comes (then no later one is looked for).

    Each end tag is looked for once from its start and the search resumes after it, so a file of unclosed
    start tags costs one pass, not one per tag."""
    position = 0
    while True:
        found = _DOCUMENT_START.search(text, position)
        if found is None:
            return
        prefix, envelope, _root = found.groups()
        closing = f"</{prefix}:Envelope" if prefix else ("</Envelope" if envelope else "</root")
        end = text.find(closing, found.end())
        close = text.find(">", end) if end >= 0 else -1
        if close < 0:
            yield found.start(), ""
            return
        yield found.start(), text[found.start() : close + 1]
        position = close + 1


def _why(exc: Exception) -> str:
    return type(exc).__name__ if isinstance(exc, DefusedXmlException) else str(exc)[:200]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()[:MAX_VALUE]
    return ""


def _replies(root: Element, line: int) -> Iterator[_Reply]:
    if _local(root.tag) == "root":
        yield _upnp(root, line)
        return
    for element in root.iter():
        name = _local(element.tag)
        if name == "ProbeMatch":
            yield _probe_match(element, line)
        elif name == "GetDeviceInformationResponse":
            yield _device_information(element, line)


def _probe_match(match: Element, line: int) -> _Reply:
    scopes: dict[str, str] = {}
    for scope in _child_text(match, "Scopes").split():
        if scope.lower().startswith("onvif://www.onvif.org/"):
            kind, _, value = scope[len("onvif://www.onvif.org/") :].partition("/")
            scopes.setdefault(kind.lower(), unquote(value).strip()[:MAX_VALUE])
    reply = _Reply(line, ip=_address(_child_text(match, "XAddrs").split()), mac=canonical_mac(scopes.get("mac", "")))
    maker = scopes.get("manufacturer") or scopes.get("name", "")
    if maker or scopes.get("hardware"):
        reply.items.append(Item(name=scopes.get("hardware", ""), publisher=maker, source="device_info"))
    endpoint = next((e for e in match.iter() if _local(e.tag) == "Address"), None)
    if endpoint is not None and endpoint.text:
        reply.facts["onvif_endpoint"] = endpoint.text.strip()[:MAX_VALUE]
    if scopes.get("name"):
        reply.facts["onvif_name"] = scopes["name"]
    return reply


def _device_information(response: Element, line: int) -> _Reply:
    maker, model = _child_text(response, "Manufacturer"), _child_text(response, "Model")
    reply = _Reply(line)
    if maker or model:
        firmware = _child_text(response, "FirmwareVersion")
        reply.items.append(Item(name=model, publisher=maker, version=firmware, source="device_info"))
    serial = _child_text(response, "SerialNumber")
    if serial:
        reply.facts["serial_number"] = serial
    return reply


def _upnp(root: Element, line: int) -> _Reply:
    device = next((c for c in root if _local(c.tag) == "device"), None)
    reply = _Reply(line)
    if device is None:
        return reply
    urls = [_child_text(device, "presentationURL"), _child_text(root, "URLBase")]
    reply.ip = _address([u for u in urls if u])
    maker = _child_text(device, "manufacturer")
    models = dict.fromkeys(m for m in (_child_text(device, "modelName"), _child_text(device, "modelNumber")) if m)
    named = models or ([""] if maker else [])
    reply.items += [Item(name=model, publisher=maker, source="device_info") for model in named]
    for fact, tag in (("upnp_friendly_name", "friendlyName"), ("serial_number", "serialNumber"), ("upnp_udn", "UDN")):
        value = _child_text(device, tag)
        if value:
            reply.facts[fact] = value
    return reply


def _ssdp(headers: str, line: int) -> _Reply:
    values: dict[str, str] = {}
    for raw in headers.splitlines():
        key, _, value = raw.partition(":")
        values.setdefault(key.strip().upper(), value.strip()[:MAX_VALUE])
    reply = _Reply(line, ip=_address([values.get("LOCATION", "")]))
    if values.get("SERVER"):
        reply.items.append(Item(name=values["SERVER"], source="service_banner"))
    if values.get("USN"):
        reply.facts["ssdp_usn"] = values["USN"]
    return reply


def _address(urls: list[str]) -> str:
    """The first IPv4 host among the URLs, else the first IPv6 one."""
    hosts = []
    for url in urls:
        try:
            hosts.append(canonical_ip(urlsplit(url.strip()).hostname or ""))
        except ValueError:
            continue
    return next((h for h in hosts if h and ":" not in h), next((h for h in hosts if h), ""))


def _place(
    unplaced: list[_Reply], placed: list[_Reply], book: DeviceBook, filename: str, hints: Hints
) -> Iterator[Problem]:
    """Replies that name no address: the device ``--host`` names, the file name's address, or the only device."""
    if not unplaced:
        return
    stem = PurePath(filename).name.removesuffix(".gz")
    for suffix in (".xml", ".txt", ".soap", ".log"):
        stem = stem.removesuffix(suffix)
    ip = canonical_ip(stem)
    ips = {r.ip for r in placed if r.ip}
    macs = {r.mac for r in placed if r.mac}
    one = len(ips) <= 1 and len(macs) <= 1 and bool(ips or macs)  # every other reply names the same device
    for reply in unplaced:
        if not reply.items and not reply.facts:
            continue
        if hints.host:
            reply.add_to(book, name=hints.host)
        elif ip:
            reply.add_to(book, ip=ip)
        elif one:
            reply.add_to(book, ip=next(iter(ips), ""), mac=next(iter(macs), ""))
        else:
            yield Problem(reply.line, "reply names no device address; give --host or name the file by its address")


FORMAT = DiscoveryDumps()
