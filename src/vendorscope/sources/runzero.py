"""runZero asset exports (JSON array or JSON Lines): each asset is a device with its fingerprints.

Fields read (runZero's Asset object): ``addresses`` (first IPv4/IPv6), ``macs`` (first MAC; the OUI
is looked up again in the IEEE registry, runZero's ``mac_vendors`` is kept as a fact), ``names``
(first name), ``hw`` (runZero's hardware fingerprint, e.g. "Hikvision DS-2CD2143G2-I"), ``os``,
``service_ports_products`` (products seen on its ports), ``type``, ``site_name``, ``last_seen``
(Unix seconds). ``hw`` and the products are compared as service banners and as model strings, ``os``
as an OS guess. A JSON array is read whole, bounded like the SBOMs; JSON Lines are streamed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from vendorscope.sources.base import Hints, Item, Problem, Record
from vendorscope.sources.device_record import DeviceBook
from vendorscope.sources.netlog import epoch
from vendorscope.sources.reader import first_line, peek, read_bounded

MAX_LINE = 1 << 20


class RunZero:
    name = "runzero"
    description = "runZero asset export (JSON array or JSON Lines)"

    def identify(self, filename: str, head: bytes) -> bool:
        line = first_line(head)
        window = head[:8192]
        keys = (b'"macs"', b'"addresses"', b'"mac_vendors"')
        return line.startswith((b"[", b"{")) and all(k in window for k in keys) and (b'"hw"' in window)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        book = DeviceBook("runzero")
        if first_line(peek(stream)).startswith(b"["):
            yield from _array(stream, filename, book)
        else:
            for number, raw in enumerate(stream, start=1):
                if raw.strip():
                    problem = _line(raw, number, book)
                    if problem:
                        yield problem
        yield from book.observations()


def _array(stream: IO[bytes], filename: str, book: DeviceBook) -> Iterator[Problem]:
    try:
        assets = orjson.loads(read_bounded(stream, filename))
    except orjson.JSONDecodeError as exc:
        yield Problem(0, f"not valid JSON ({exc})")
        return
    if not isinstance(assets, list):
        yield Problem(0, "not a JSON array of assets")
        return
    for number, asset in enumerate(assets, start=1):
        if isinstance(asset, dict):
            _asset(asset, number, book)
        else:
            yield Problem(0, f"asset {number} is not a JSON object; skipped")


def _line(raw: bytes, number: int, book: DeviceBook) -> Problem | None:
    if len(raw) > MAX_LINE:
        return Problem(number, f"line longer than {MAX_LINE} bytes; skipped")
    try:
        asset = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Problem(number, f"not valid JSON ({exc}); skipped")
    if not isinstance(asset, dict):
        return Problem(number, "not a JSON object; skipped")
    _asset(asset, number, book)
    return None


def _asset(asset: dict[str, Any], number: int, book: DeviceBook) -> None:
    hw, os_name = _text(asset.get("hw")), _text(asset.get("os"))
    banners = [hw, *(_texts(asset.get("service_ports_products")))]
    items = [Item(name=b, source="service_banner") for b in banners if b]
    items += [Item(name=hw, source="device_info")] if hw else []
    items += [Item(name=os_name, source="nmap_os")] if os_name else []
    named = (("runzero_type", _text(asset.get("type"))), ("site", _text(asset.get("site_name"))))
    facts = {k: v for k, v in named if v}
    vendors = _texts(asset.get("mac_vendors"))
    if vendors:
        facts["runzero_mac_vendor"] = vendors[0]
    when = asset.get("last_seen")
    book.add(
        number,
        mac=next(iter(_texts(asset.get("macs"))), ""),
        ip=next(iter(_texts(asset.get("addresses"))), ""),
        name=next(iter(_texts(asset.get("names"))), ""),
        items=items,
        seen_at=epoch(when) if isinstance(when, int | float) and when > 0 else None,
        facts=facts,
    )


def _text(value: object) -> str:
    return value.strip()[:4096] if isinstance(value, str) else ""


def _texts(value: object) -> list[str]:
    return [v.strip()[:4096] for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


FORMAT = RunZero()
