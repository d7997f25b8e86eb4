"""CycloneDX SBOMs (spec 1.1–1.6), JSON and XML: the product and every component, nested ones too.

Read directly rather than through cyclonedx-python-lib's deserializer, which is
strict about spec versions (the real-world 1.1 XML and cdxgen 1.5 OBOMs carry
fields it refuses) and builds a full object model per component. XML goes
through defusedxml: DTDs and entities (XXE, billion laughs) are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.sbom import (
    MAX_DEPTH,
    Component,
    clip,
    file_stem,
    json_object,
    observation,
    read_document,
)


class CycloneDx:
    name = "cyclonedx"
    description = "CycloneDX SBOM (1.1–1.6), JSON or XML"

    def identify(self, filename: str, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if text.startswith(b"{"):
            return b'"bomFormat"' in head and b"CycloneDX" in head
        return text.startswith(b"<") and b"cyclonedx.org/schema/bom" in head and b"<bom" in head

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        problems: list[Problem] = []
        data = read_document(stream, filename, problems)
        parsed = None
        if data is not None:
            parsed = _from_json(data, problems) if data.lstrip().startswith(b"{") else _from_xml(data, problems)
        yield from problems
        if parsed is not None:
            product, components, created = parsed
            yield observation(product, components, hints, file_stem(filename), created)


Parsed = tuple[Component | None, list[Component], str]


def _from_json(data: bytes, problems: list[Problem]) -> Parsed | None:
    doc = json_object(data, problems, "a CycloneDX document")
    if doc is None:
        return None
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    top = meta.get("component")
    product = _json_component(top) if isinstance(top, dict) else None
    components: list[Component] = []
    if isinstance(top, dict):
        _walk_json(top.get("components"), components, problems, 1)  # a product's own sub-components
    _walk_json(doc.get("components"), components, problems, 0)
    return product, components, clip(meta.get("timestamp"))


def _walk_json(nodes: object, out: list[Component], problems: list[Problem], depth: int) -> None:
    stack = [(nodes, depth)]
    while stack:
        current, level = stack.pop()
        if not isinstance(current, list):
            continue
        if level > MAX_DEPTH:
            problems.append(Problem(0, f"components nested deeper than {MAX_DEPTH} levels; the deeper ones skipped"))
            continue
        for node in current:
            if isinstance(node, dict):
                out.append(_json_component(node))
                stack.append((node.get("components"), level + 1))


def _json_component(node: dict[str, Any]) -> Component:
    makers = [_named(node.get(key)) for key in ("supplier", "manufacturer", "manufacture")]
    makers += [clip(node.get("publisher")), clip(node.get("author"))]
    authors = node.get("authors")
    if isinstance(authors, list):
        makers += [_named(a) for a in authors]
    props = {p.get("name"): p.get("value") for p in node.get("properties") or [] if isinstance(p, dict)}
    hashes = node.get("hashes") if isinstance(node.get("hashes"), list) else []
    sha = next((h.get("content") for h in hashes if isinstance(h, dict) and h.get("alg") == "SHA-256"), "")
    return Component(
        name=clip(node.get("name")),
        version=clip(node.get("version")),
        makers=[m for m in makers if m],
        purl=clip(node.get("purl")),
        cpe=clip(node.get("cpe")),
        group=clip(node.get("group")),
        sha256=clip(sha),
        category=clip(props.get("cdx:osquery:category")),
        path=clip(props.get("path") or props.get("install_location")),
    )


def _named(value: object) -> str:
    return clip(value.get("name")) if isinstance(value, dict) else ""


def _from_xml(data: bytes, problems: list[Problem]) -> Parsed | None:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        problems.append(Problem(0, f"refused: the XML declares a DTD or entities ({type(exc).__name__})"))
        return None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        problems.append(Problem(line, f"not well-formed XML ({exc})"))
        return None
    if _local(root.tag) != "bom":
        problems.append(Problem(0, "not a CycloneDX document (root element is not <bom>)"))
        return None
    meta = _child(root, "metadata")
    top = _child(meta, "component") if meta is not None else None
    product = _xml_component(top) if top is not None else None
    components: list[Component] = []
    if top is not None:
        _walk_xml(_child(top, "components"), components, problems, 1)
    _walk_xml(_child(root, "components"), components, problems, 0)
    return product, components, _text(meta, "timestamp") if meta is not None else ""


def _walk_xml(nodes: Element | None, out: list[Component], problems: list[Problem], depth: int) -> None:
    stack = [(nodes, depth)]
    while stack:
        current, level = stack.pop()
        if current is None:
            continue
        if level > MAX_DEPTH:
            problems.append(Problem(0, f"components nested deeper than {MAX_DEPTH} levels; the deeper ones skipped"))
            continue
        for node in current:
            if _local(node.tag) == "component":
                out.append(_xml_component(node))
                stack.append((_child(node, "components"), level + 1))


def _xml_component(node: Element) -> Component:
    makers = [_text(_child(node, key), "name") for key in ("supplier", "manufacturer", "manufacture")]
    makers += [_text(node, "publisher"), _text(node, "author")]
    authors = _child(node, "authors")
    if authors is not None:
        makers += [_text(a, "name") for a in authors]
    props_node = _child(node, "properties")
    props = {p.get("name"): (p.text or "") for p in props_node} if props_node is not None else {}
    hashes = _child(node, "hashes")
    sha = next((h.text or "" for h in hashes if h.get("alg") == "SHA-256"), "") if hashes is not None else ""
    return Component(
        name=_text(node, "name"),
        version=_text(node, "version"),
        makers=[m for m in makers if m],
        purl=_text(node, "purl"),
        cpe=_text(node, "cpe"),
        group=_text(node, "group"),
        sha256=clip(sha),
        category=clip(props.get("cdx:osquery:category")),
        path=clip(props.get("path") or props.get("install_location")),
    )


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: Element | None, name: str) -> str:
    found = _child(node, name)
    return clip(found.text) if found is not None else ""


FORMAT = CycloneDx()
