"""vendorscope collector bundles (``vendorscope collect``): one host, its facts and every source read.

Each source the collector read completely is the host's whole list for it, so a later bundle without
a product marks it absent. Sources it could not read are kept as a host fact with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import orjson

from vendorscope.collect.bundle_format import SCHEMA, VERSION
from vendorscope.errors import InputError
from vendorscope.sources.base import Hints, Observation, Problem, Record
from vendorscope.sources.inventory_row import RowError, row_to_item
from vendorscope.sources.reader import read_bounded

METHOD = "collector"
_MARK = re.compile(rb'"schema"\s*:\s*"' + SCHEMA.encode() + rb'"')
FACTS = ("os", "os_version", "machine_id", "kernel", "examined_root")


class CollectorBundle:
    name = "collector-bundle"
    description = "vendorscope collector bundle (JSON, usually gzip'd)"

    def identify(self, filename: str, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and _MARK.search(head[:4096]) is not None

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        try:
            doc = orjson.loads(read_bounded(stream, filename))
        except (orjson.JSONDecodeError, InputError) as exc:
            yield Problem(0, f"not a readable bundle ({str(exc)[:200]})")
            return
        if not isinstance(doc, dict) or doc.get("version") != VERSION:
            yield Problem(0, f"unsupported bundle version {doc.get('version') if isinstance(doc, dict) else '?'}")
            return
        host = doc.get("host") if isinstance(doc.get("host"), dict) else {}
        name = str(host.get("hostname") or hints.host)
        if not name:
            yield Problem(0, "bundle names no host: give --host")
            return
        observation = Observation(host=name, method=METHOD, seen_at=_time(doc.get("collected_at")))
        observation.host_facts = _facts(doc, host)
        observation.complete_sources = _complete(doc.get("sources"))
        for number, row in enumerate(doc.get("items") or [], start=1):
            try:
                if not isinstance(row, dict):
                    raise RowError("not an object")
                _, item, _ = row_to_item({k: v for k, v in row.items() if k != "extra"} | {"host": name})
            except RowError as exc:
                yield Problem(0, f"item {number}: {exc}")
                continue
            observation.items.append(item)
        yield observation


def _complete(sources: Any) -> tuple[str, ...]:
    return tuple(
        sorted(
            s["name"]
            for s in sources or []
            if isinstance(s, dict)
            and s.get("status") == "read"
            and s.get("complete")
            and isinstance(s.get("name"), str)
        )
    )


def _facts(doc: dict[str, Any], host: dict[str, Any]) -> dict[str, str]:
    facts = {key: str(host[key]) for key in FACTS if host.get(key)}
    for key in ("ip_addresses", "mac_addresses"):
        if isinstance(host.get(key), list):
            facts[key] = ", ".join(map(str, host[key]))
    unavailable = [
        f"{s.get('name')}: {s.get('reason')}"
        for s in doc.get("sources") or []
        if isinstance(s, dict) and s.get("status") == "unavailable"
    ]
    facts["unavailable_sources"] = "; ".join(unavailable)
    collector = doc.get("collector") if isinstance(doc.get("collector"), dict) else {}
    facts["collector_version"] = str(collector.get("version", ""))
    return facts


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).replace(tzinfo=None) if text else None
    except ValueError:
        return None


FORMAT = CollectorBundle()
