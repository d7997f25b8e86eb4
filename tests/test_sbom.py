"""SBOMs: CycloneDX (JSON, XML, nested), SPDX (2.x JSON, tag-value, 3.0 JSON-LD); embedded vs branded; hostile XML."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from vendorscope import sources
from vendorscope.match.normalize import package_refs
from vendorscope.service import Service
from vendorscope.sources.base import Hints, Observation, Problem

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-samples"
ENGINE = {
    "type": "library",
    "name": "antivirus-engine",
    "version": "8.1",
    "supplier": {"name": "AO Kaspersky Lab"},
    "purl": "pkg:generic/kaspersky/antivirus-engine@8.1",
}


def appliance_bom(engine: dict[str, object] | None = None, supplier: str = "Acme Networks Inc.") -> dict[str, object]:
    """A firewall appliance whose scanning module nests the vendor's engine two levels down."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {
            "timestamp": "2026-10-01T12:00:00Z",
            "component": {
                "type": "device",
                "name": "Acme SecureGate",
                "version": "5.2",
                "supplier": {"name": supplier},
            },
        },
        "components": [
            {"type": "library", "name": "openssl", "version": "3.0.13", "purl": "pkg:generic/openssl@3.0.13"},
            {
                "type": "application",
                "name": "scan-module",
                "version": "2",
                "components": [{"type": "library", "name": "av-core", "components": [engine or ENGINE]}],
            },
        ],
    }


def ingest_bytes(service: Service, path: Path, data: bytes, hints: Hints | None = None) -> list[str]:
    path.write_bytes(data)
    report = service.ingest([path], hints)
    return [m for f in report.files for m in f.messages()]


def parse(name: str, data: bytes, hints: Hints | None = None) -> list[object]:
    fmt = sources.detect(name, data[:65536])
    assert fmt is not None, name
    return list(fmt.parse(io.BytesIO(data), name, hints or Hints()))


def test_appliance_sbom_gives_an_embedded_finding(service: Service, tmp_path: Path) -> None:
    problems = ingest_bytes(service, tmp_path / "gate.cdx.json", orjson.dumps(appliance_bom()))
    assert problems == []
    [finding] = service.findings("kaspersky")
    assert finding["host"] == "Acme SecureGate 5.2"
    assert finding["kind"] == "embedded"
    assert finding["evidence"][0]["title"] == "antivirus-engine"
    [host] = [h for h in service.hosts() if h["host"] == "Acme SecureGate 5.2"]
    assert host["coverage"] == "sbom" and host["facts"]["org"] == "Acme Networks Inc."


def test_vendor_own_product_sbom_stays_branded(sqlite_service: Service, tmp_path: Path) -> None:
    ingest_bytes(sqlite_service, tmp_path / "kl.cdx.json", orjson.dumps(appliance_bom(supplier="AO Kaspersky Lab")))
    kinds = {f["kind"] for f in sqlite_service.findings("kaspersky")}
    assert kinds == {"branded"}


def test_host_and_org_hints_name_the_system(sqlite_service: Service, tmp_path: Path) -> None:
    hints = Hints(host="fw-dmz-01", org="Contractor LLC")
    ingest_bytes(sqlite_service, tmp_path / "gate.json", orjson.dumps(appliance_bom()), hints)
    [finding] = sqlite_service.findings("kaspersky")
    assert finding["host"] == "fw-dmz-01" and finding["kind"] == "embedded"
    [host] = sqlite_service.hosts()
    assert host["facts"]["org"] == "Contractor LLC"


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ({"name": "engine", "manufacturer": {"name": "Kaspersky Lab ZAO"}}, "publisher"),
        ({"name": "engine", "publisher": "АО «Лаборатория Касперского»"}, "publisher"),
        ({"name": "engine", "authors": [{"name": "Kaspersky Labs Limited"}]}, "publisher"),
        ({"name": "engine", "group": "com.kaspersky.sdk"}, "package"),
        ({"name": "engine", "purl": "pkg:maven/com.kaspersky.components/engine@1"}, "package"),
        ({"name": "engine", "purl": "pkg:npm/%40kaspersky/engine@1"}, "package"),
        ({"name": "engine", "cpe": "cpe:2.3:a:kaspersky:anti-virus_engine:8:*:*:*:*:*:*:*"}, "package"),
        ({"name": "engine", "cpe": "cpe:/a:kaspersky_lab:engine:8"}, "package"),
    ],
)
def test_component_attribution_fields(sqlite_service: Service, tmp_path: Path, component: dict, field: str) -> None:
    ingest_bytes(sqlite_service, tmp_path / "b.cdx.json", orjson.dumps(appliance_bom(component)))
    [finding] = sqlite_service.findings("kaspersky")
    assert finding["kind"] == "embedded"
    assert field in {e["field"] for e in finding["evidence"]}


@pytest.mark.parametrize(
    "component",
    [
        {"name": "engine", "supplier": {"name": "Kasper Systems LLC"}},
        {"name": "engine", "purl": "pkg:maven/com.kasperskyfan/engine@1"},
        {"name": "engine", "cpe": "cpe:2.3:a:kaspersky_fan_club:engine:1:*:*:*:*:*:*:*"},
        {"name": "engine", "purl": "pkg:golang/github.com/kasperskylab-fans/tool@v1"},
    ],
)
def test_lookalike_makers_do_not_match(sqlite_service: Service, tmp_path: Path, component: dict) -> None:
    ingest_bytes(sqlite_service, tmp_path / "b.cdx.json", orjson.dumps(appliance_bom(component)))
    assert sqlite_service.findings("kaspersky") == []


def test_package_refs_read_purl_cpe_and_group() -> None:
    spaces, domains, orgs = package_refs("pkg:maven/com.kaspersky.sdk/e@1 cpe:2.3:a:kaspersky_lab:e:1 group:acme")
    assert spaces == ("com.kaspersky.sdk",) and domains == ("kaspersky.com",)
    assert set(orgs) == {"kaspersky lab", "acme"}
    assert package_refs("pkg:golang/kaspersky.com/x@v1")[1] == ("kaspersky.com",)


CDX_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <metadata><component type="device"><name>Acme Router</name><version>7</version>
    <supplier><name>Acme Networks</name></supplier></component></metadata>
  <components>
    <component type="library"><name>zlib</name><version>1.3</version></component>
    <component type="application"><name>filter</name>
      <components><component type="library"><publisher>Kaspersky Lab</publisher><name>kav-sdk</name>
        <hashes><hash alg="SHA-256">{sha}</hash></hashes></component></components>
    </component>
  </components>
</bom>"""


def test_cyclonedx_xml_nested_components() -> None:
    [obs] = parse("router.xml", CDX_XML.replace("{sha}", "a" * 64).encode())
    assert isinstance(obs, Observation) and obs.host == "Acme Router 7"
    sdk = next(i for i in obs.items if i.name == "kav-sdk")
    assert sdk.publisher == "Kaspersky Lab" and sdk.sha256 == "a" * 64 and sdk.source == "sbom_component"
    assert {i.source for i in obs.items if i.name == "Acme Router"} == {"sbom_product"}


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component><name>&xxe;</name></component>
</components></bom>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component><name>&c;</name>'
    b"</component></components></bom>"
)


@pytest.mark.parametrize("data", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_xml_is_refused_with_one_problem(sqlite_service: Service, tmp_path: Path, data: bytes) -> None:
    problems = ingest_bytes(sqlite_service, tmp_path / "evil.xml", data)
    assert len(problems) == 1 and "refused" in problems[0]
    assert sqlite_service.hosts() == []


def test_truncated_xml_and_deep_json_are_problems_not_crashes() -> None:
    records = parse("cut.xml", CDX_XML.replace("{sha}", "b" * 64).encode()[:300])
    assert [type(r) for r in records] == [Problem] and "not well-formed" in records[0].message  # type: ignore[union-attr]
    deep: dict[str, object] = {"name": "leaf"}
    for _ in range(100):
        deep = {"name": "n", "components": [deep]}
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [deep]}
    records = parse("deep.json", orjson.dumps(bom))
    assert any(isinstance(r, Problem) and "nested deeper" in r.message for r in records)
    assert any(isinstance(r, Observation) for r in records)
    too_deep = b'{"bomFormat": "CycloneDX", "components": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    records = parse("bomb.json", too_deep)
    assert [type(r) for r in records] == [Problem]


SPDX_JSON = {
    "spdxVersion": "SPDX-2.3",
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "acme-mail-gateway",
    "creationInfo": {"created": "2026-09-01T00:00:00Z"},
    "documentDescribes": ["SPDXRef-gw"],
    "packages": [
        {"SPDXID": "SPDXRef-gw", "name": "Acme Mail Gateway", "versionInfo": "3", "supplier": "Organization: Acme"},
        {"SPDXID": "SPDXRef-av", "name": "scan engine", "supplier": "Organization: Kaspersky Lab (sales@example.com)"},
        {
            "SPDXID": "SPDXRef-x",
            "name": "libx",
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:maven/org.x/libx@1",
                }
            ],
        },
    ],
}
SPDX_TV = """SPDXVersion: SPDX-2.2
DataLicense: CC0-1.0
DocumentName: acme-mail-gateway
Created: 2026-09-01T00:00:00Z
PackageName: Acme Mail Gateway
SPDXID: SPDXRef-gw
PackageVersion: 3
PackageSupplier: Organization: Acme
PackageComment: <text>a comment
over lines: with colons</text>
PackageName: scan engine
SPDXID: SPDXRef-av
PackageOriginator: Organization: Kaspersky Lab
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-gw
"""
SPDX3 = {
    "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
    "@graph": [
        {"type": "CreationInfo", "@id": "_:c", "created": "2026-09-01T00:00:00Z"},
        {"type": "Organization", "spdxId": "urn:org:kl", "name": "AO Kaspersky Lab"},
        {"type": "software_Package", "spdxId": "urn:gw", "name": "Acme Mail Gateway", "software_packageVersion": "3"},
        {"type": "software_Package", "spdxId": "urn:av", "name": "scan engine", "suppliedBy": "urn:org:kl"},
        {"type": "SpdxDocument", "spdxId": "urn:doc", "rootElement": ["urn:gw"]},
    ],
}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("gw.spdx.json", orjson.dumps(SPDX_JSON)),
        ("gw.spdx", SPDX_TV.encode()),
        ("gw.spdx3.json", orjson.dumps(SPDX3)),
    ],
    ids=["2.3-json", "2.2-tag-value", "3.0-jsonld"],
)
def test_spdx_forms_give_an_embedded_finding(sqlite_service: Service, tmp_path: Path, name: str, data: bytes) -> None:
    assert ingest_bytes(sqlite_service, tmp_path / name, data) == []
    [finding] = sqlite_service.findings("kaspersky")
    assert finding["host"] == "Acme Mail Gateway 3" and finding["kind"] == "embedded"
    assert finding["evidence"][0]["title"] == "scan engine"


def real_files() -> list[Path]:
    folders = [REAL / "cyclonedx", REAL / "spdx"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.iterdir())


@pytest.mark.skipif(not real_files(), reason="real samples (../shared/real-samples) absent")
def test_real_sboms_ingest_and_find_nothing(sqlite_service: Service) -> None:
    files = real_files()
    report = sqlite_service.ingest(files)
    assert [f.path for f in report.files if f.status != "ingested" or f.problems] == []
    assert {f.format for f in report.files} == {"cyclonedx", "spdx"}
    assert report.items > 1276
    assert sqlite_service.findings() == []


def test_spdx3_ai_and_dataset_packages_are_components(sqlite_service: Service, tmp_path: Path) -> None:
    """SPDX 3.0's AI and Dataset profiles describe packages too (subclasses of software_Package)."""
    graph = [
        {"type": "CreationInfo", "@id": "_:c", "created": "2026-09-01T00:00:00Z"},
        {"type": "Organization", "spdxId": "urn:org:kl", "name": "AO Kaspersky Lab"},
        {"type": "ai_AIPackage", "spdxId": "urn:model", "name": "Acme Triage Model", "software_packageVersion": "2"},
        {"type": "ai_AIPackage", "spdxId": "urn:clf", "name": "malware classifier", "suppliedBy": "urn:org:kl"},
        {"type": "dataset_DatasetPackage", "spdxId": "urn:ds", "name": "training samples", "suppliedBy": "urn:org:kl"},
        {"type": "SpdxDocument", "spdxId": "urn:doc", "rootElement": ["urn:model"]},
    ]
    data = orjson.dumps({"@context": SPDX3["@context"], "@graph": graph})
    assert ingest_bytes(sqlite_service, tmp_path / "model.spdx3.json", data) == []
    [finding] = sqlite_service.findings("kaspersky")
    assert finding["host"] == "Acme Triage Model 2" and finding["kind"] == "embedded"
    assert sorted(e["title"] for e in finding["evidence"]) == ["malware classifier", "training samples"]
