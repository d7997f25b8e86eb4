"""SPDX SBOMs: 2.2/2.3 JSON and tag-value, 3.0 JSON-LD. Packages become components.

Read directly (spdx-tools reads 2.x but not 3.0 JSON-LD, and validates more than
we need to attribute a package): the described package (``DESCRIBES``,
``documentDescribes``, 3.0 ``rootElement``/``describes``) is the product, every
other package a component. Makers are the supplier and originator; purl and
CPE come from external references.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.reader import first_line
from vendorscope.sources.sbom import (
    Component,
    clip,
    file_stem,
    json_object,
    observation,
    org_name,
    read_document,
    usable,
)

_CPE_TYPES = ("cpe23Type", "cpe22Type", "cpe23", "cpe22")


class Spdx:
    name = "spdx"
    description = "SPDX SBOM: 2.2/2.3 JSON or tag-value, 3.0 JSON-LD"

    def identify(self, filename: str, head: bytes) -> bool:
        if first_line(head).startswith(b"SPDXVersion:"):
            return True
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and (b'"spdxVersion"' in head or b"spdx.org/rdf/3." in head)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        problems: list[Problem] = []
        body = read_document(stream, filename, problems)
        parsed = None
        if body is not None:
            is_json = body.lstrip().startswith(b"{")
            parsed = _from_json(body, problems) if is_json else _from_tag_value(body, problems)
        yield from problems
        if parsed is not None:
            packages, described, created = parsed
            product = next((packages[i] for i in described if i in packages), None)
            components = [c for i, c in packages.items() if c is not product]
            yield observation(product, components, hints, file_stem(filename), created)


Parsed = tuple[dict[str, Component], list[str], str]


def _from_json(data: bytes, problems: list[Problem]) -> Parsed | None:
    doc = json_object(data, problems, "an SPDX document")
    if doc is None:
        return None
    if isinstance(doc.get("@graph"), list):
        return _from_jsonld(doc["@graph"])
    packages = {
        clip(p.get("SPDXID")) or str(n): _json2_package(p)
        for n, p in enumerate(doc.get("packages") or [])
        if isinstance(p, dict)
    }
    described = [d for d in doc.get("documentDescribes") or [] if isinstance(d, str)]
    for rel in doc.get("relationships") or []:
        if isinstance(rel, dict) and rel.get("relationshipType") == "DESCRIBES":
            described.append(clip(rel.get("relatedSpdxElement")))
    created = doc.get("creationInfo", {}).get("created", "") if isinstance(doc.get("creationInfo"), dict) else ""
    return packages, described, clip(created)


def _json2_package(node: dict[str, Any]) -> Component:
    refs = [r for r in node.get("externalRefs") or [] if isinstance(r, dict)]
    checksums = [c for c in node.get("checksums") or [] if isinstance(c, dict)]
    return Component(
        name=clip(node.get("name")),
        version=clip(node.get("versionInfo")),
        makers=[org_name(clip(node.get(k))) for k in ("supplier", "originator") if usable(clip(node.get(k)))],
        purl=next((clip(r.get("referenceLocator")) for r in refs if r.get("referenceType") == "purl"), ""),
        cpe=next((clip(r.get("referenceLocator")) for r in refs if r.get("referenceType") in _CPE_TYPES), ""),
        sha256=next((clip(c.get("checksumValue")) for c in checksums if c.get("algorithm") == "SHA256"), ""),
    )


# SPDX 3.0 package classes: software, and the AI and Dataset profiles' subclasses of software_Package.
PACKAGE_TYPES = frozenset({"software_Package", "ai_AIPackage", "dataset_DatasetPackage"})


def _from_jsonld(graph: list[Any]) -> Parsed:
    elements = {clip(e.get("spdxId") or e.get("@id")): e for e in graph if isinstance(e, dict)}
    names = {key: clip(e.get("name")) for key, e in elements.items() if e.get("type") in ("Organization", "Person")}
    packages: dict[str, Component] = {}
    described: list[str] = []
    created = ""
    for key, element in elements.items():
        kind = element.get("type")
        if kind in PACKAGE_TYPES:
            packages[key] = _jsonld_package(element, names)
        elif kind in ("SpdxDocument", "software_Sbom"):
            described += [r for r in element.get("rootElement") or [] if isinstance(r, str)]
        elif kind == "Relationship" and element.get("relationshipType") == "describes":
            described += [t for t in element.get("to") or [] if isinstance(t, str)]
        elif kind == "CreationInfo" and not created:
            created = clip(element.get("created"))
    return packages, described, created


def _jsonld_package(node: dict[str, Any], names: dict[str, str]) -> Component:
    makers = [node.get("suppliedBy"), *(node.get("originatedBy") or [])]
    ids = [i for i in node.get("externalIdentifier") or [] if isinstance(i, dict)]
    hashes = [h for h in node.get("verifiedUsing") or [] if isinstance(h, dict)]
    return Component(
        name=clip(node.get("name")),
        version=clip(node.get("software_packageVersion")),
        makers=[names.get(m, "") for m in makers if isinstance(m, str) and usable(names.get(m, ""))],
        purl=clip(node.get("software_packageUrl")),
        cpe=next((clip(i.get("identifier")) for i in ids if i.get("externalIdentifierType") in _CPE_TYPES), ""),
        sha256=next((clip(h.get("hashValue")) for h in hashes if h.get("algorithm") == "sha256"), ""),
    )


def _from_tag_value(data: bytes, problems: list[Problem]) -> Parsed:
    packages: dict[str, Component] = {}
    described: list[str] = []
    created = ""
    current: Component | None = None
    for number, tag, value in _tags(data, problems):
        if tag == "PackageName":
            current = Component(name=value)
            packages[f"line{number}"] = current
        elif tag == "FileName" or tag == "SnippetSPDXID":
            current = None
        elif tag == "SPDXID" and current is not None:
            packages[value] = packages.pop(next(k for k, v in packages.items() if v is current))
        elif tag == "Relationship" and " DESCRIBES " in f" {value} ":
            described.append(value.split()[-1])
        elif tag == "Created":
            created = value
        elif current is not None:
            _package_tag(current, tag, value)
    return packages, described, created


def _package_tag(package: Component, tag: str, value: str) -> None:
    if tag == "PackageVersion":
        package.version = value
    elif tag in ("PackageSupplier", "PackageOriginator") and usable(value):
        package.makers.append(org_name(value))
    elif tag == "ExternalRef":
        parts = value.split()
        if len(parts) >= 3 and parts[1] == "purl":
            package.purl = parts[2]
        elif len(parts) >= 3 and parts[1] in _CPE_TYPES:
            package.cpe = parts[2]
    elif tag == "PackageChecksum" and value.startswith("SHA256:"):
        package.sha256 = value.split(":", 1)[1].strip()


def _tags(data: bytes, problems: list[Problem]) -> Iterator[tuple[int, str, str]]:
    """(line, tag, value) pairs; <text>…</text> values may span lines and are skipped whole."""
    in_text = False
    for number, raw in enumerate(data.splitlines(), start=1):
        line = raw.decode("utf-8", errors="replace")
        if in_text:
            in_text = "</text>" not in line
            continue
        if not line.strip() or line.startswith("#"):
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            problems.append(Problem(number, "not a 'Tag: value' line; skipped"))
            continue
        value = value.strip()
        if value.startswith("<text>") and "</text>" not in value:
            in_text = True
        yield number, tag.strip(), clip(value)


FORMAT = Spdx()
