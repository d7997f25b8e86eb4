"""FollowTheMoney entities (JSON Lines) as an organization registry.

Read: legal entities (``Company``, ``Organization``, ``PublicBody``, ``LegalEntity``), ``Ownership``
(owner → asset) and ``ContractAward`` (supplier of a ``Contract`` whose ``authority`` is the buyer).
A public body is an agency, or an office when another public body owns it; a supplier to a public
body is a contractor, a supplier to a contractor a subcontractor, and its parent is the buyer.
Identifiers come from ``uniqueEntityId`` (UEI) and ``cageCode``. Schemas are checked with the
``followthemoney`` model; other schemas are read and ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from vendorscope.sources.base import Hints, OrgRecord, Problem, Record
from vendorscope.sources.reader import first_line

MAX_LINE = 1 << 20


@dataclass
class _Org:
    line: int
    name: str
    public: bool
    uei: str = ""
    cage: str = ""
    country: str = ""
    parent: str = ""
    contracts: list[str] = field(default_factory=list)


def _first(props: dict[str, Any], name: str) -> str:
    values = props.get(name) or []
    return str(values[0]).strip() if values else ""


class FtmJson:
    name = "ftm-json"
    description = "FollowTheMoney entities, JSON Lines (organizations, ownership, contract awards)"

    def identify(self, filename: str, head: bytes) -> bool:
        try:
            data = orjson.loads(first_line(head))
        except orjson.JSONDecodeError:
            return False
        return isinstance(data, dict) and "schema" in data and isinstance(data.get("properties"), dict)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        orgs: dict[str, _Org] = {}
        links: list[tuple[int, Any]] = []
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            proxy = _proxy(raw, number)
            if isinstance(proxy, Problem):
                yield proxy
            elif proxy.schema.is_a("Organization") or proxy.schema.name == "LegalEntity":
                props = proxy.to_dict()["properties"]
                orgs[proxy.id] = _Org(
                    line=number,
                    name=_first(props, "name"),
                    public=proxy.schema.is_a("PublicBody"),
                    uei=_first(props, "uniqueEntityId").upper(),
                    cage=_first(props, "cageCode").upper(),
                    country=_first(props, "country").upper(),
                )
            elif proxy.schema.name in ("Ownership", "ContractAward", "Contract"):
                links.append((number, proxy))
        yield from _link(orgs, links)
        yield from _records(orgs)


def _proxy(raw: bytes, number: int) -> Any:
    from followthemoney import model  # here, not at the top: importing it costs seconds (see docs/benchmarks.md)
    from followthemoney.exc import InvalidData

    if len(raw) > MAX_LINE:
        return Problem(number, f"entity longer than {MAX_LINE} bytes")
    try:
        data = orjson.loads(raw)
        if not isinstance(data, dict) or not data.get("id"):
            return Problem(number, "not an entity (a JSON object with id, schema, properties)")
        return model.get_proxy(data, cleaned=False)
    except orjson.JSONDecodeError as exc:
        return Problem(number, f"not valid JSON ({exc})")
    except (InvalidData, TypeError, ValueError, AttributeError) as exc:
        return Problem(number, f"not a FollowTheMoney entity ({exc})")


def _link(orgs: dict[str, _Org], links: list[tuple[int, Any]]) -> Iterator[Problem]:
    """Parents from awards (the buyer) first, then from ownership where no award gave one."""
    contracts = {p.id: p for _, p in links if p.schema.name == "Contract"}
    for number, proxy in links:
        if proxy.schema.name != "ContractAward":
            continue
        supplier, contract = proxy.first("supplier"), contracts.get(proxy.first("contract") or "")
        buyer = contract.first("authority") if contract is not None else None
        if supplier not in orgs or buyer not in orgs:
            yield Problem(number, "contract award without a known supplier, contract and authority")
            continue
        org = orgs[supplier]
        org.parent = org.parent or buyer
        number_ = proxy.first("documentNumber") or (contract.first("procedureNumber") if contract else None)
        if number_:
            org.contracts.append(number_)
    for number, proxy in links:
        if proxy.schema.name == "Ownership":
            owner, asset = proxy.first("owner"), proxy.first("asset")
            if owner not in orgs or asset not in orgs:
                yield Problem(number, "ownership without a known owner and asset")
            elif not orgs[asset].parent:
                orgs[asset].parent = owner


def _records(orgs: dict[str, _Org]) -> Iterator[Record]:
    for key, org in orgs.items():
        if not org.name:
            yield Problem(org.line, f"entity {key!r} has no name")
            continue
        yield OrgRecord(
            key=key,
            name=org.name,
            kind=_kind(orgs, org),
            parent=org.parent,
            contracts=tuple(dict.fromkeys(org.contracts)),
            uei=org.uei,
            cage=org.cage,
            country=org.country,
            line=org.line,
        )


def _kind(orgs: dict[str, _Org], org: _Org) -> str:
    parent = orgs.get(org.parent)
    if org.public:
        return "office" if parent is not None and parent.public else "agency"
    if parent is None or parent.public:
        return "contractor"
    return "subcontractor"


FORMAT = FtmJson()
