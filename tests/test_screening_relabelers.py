"""Screening against the catalogs' affiliates and relabel maps: a relabeler brand is a hit of its own kind, and a
name that is both a covered entity and a relabeler of the same maker is one result and one finding, counted once."""

from __future__ import annotations

from pathlib import Path

import pytest

from vendorscope.catalog.loader import load_catalogs
from vendorscope.orgs.screening.lists import ENTITY, RELABEL_MAP, RELABELER, covered_entities, relabelers
from vendorscope.orgs.screening.screener import Screener
from vendorscope.service import Service

SECTION_889 = "far-52.204-25"


@pytest.fixture(scope="module")
def screener() -> Screener:
    catalogs = load_catalogs()
    return Screener(covered_entities(catalogs), relabelers(catalogs))


def test_every_entity_of_the_five_makers_catalogs_is_on_the_section_889_list() -> None:
    catalogs = load_catalogs()
    listed = {e.id: e for e in covered_entities(catalogs)}
    for catalog in catalogs:
        if catalog.vendor.id == "kaspersky":
            continue
        for entity in catalog.entities:
            entry = listed[f"{catalog.vendor.id}:{entity.id}"]
            assert SECTION_889 in entry.lists and entry.names == entity.all_names()
            assert entry.maker == catalog.vendor.name and entry.relation == entity.relation.value


# (name as given, entity, words the explanation must hold): subsidiaries, affiliates and Chinese script names
# that only the makers' catalogs name.
AFFILIATES = [
    ("Hangzhou EZVIZ Network Co Ltd", "Hangzhou EZVIZ Network Co., Ltd.", "subsidiary of Hikvision"),
    ("萤石网络", "Hangzhou EZVIZ Network Co., Ltd.", "subsidiary of Hikvision"),
    ("Zhejiang Dahua Vision Technology Co., Ltd.", "Zhejiang Dahua Vision Technology Co., Ltd.", "subsidiary"),
    ("Hytera America Inc", "Hytera America, Inc.", "subsidiary of Hytera"),
    ("海能达通信股份有限公司", "Hytera Communications Corporation Limited", "without legal form"),
    ("ZTE Kangxun Telecommunications Ltd", "ZTE Kangxun Telecommunications Ltd.", "subsidiary of ZTE"),
    ("Skycom Tech Co Ltd", "Skycom Tech Co. Ltd.", "affiliate of Huawei"),
    ("Prama Hikvision India Pvt Ltd", "Prama Hikvision India Private Limited", "joint venture of Hikvision"),
    ("Huawei Device USA, Inc.", "Huawei Device USA Inc.", "subsidiary of Huawei"),
]


@pytest.mark.parametrize(("name", "entity", "words"), AFFILIATES)
def test_catalog_affiliates_are_covered_entities(screener: Screener, name: str, entity: str, words: str) -> None:
    result = screener.screen(name)
    assert result.covered and result.hit == ENTITY, result.explanation
    assert result.entity == entity and SECTION_889 in (result.list or "").split(", ")
    assert words in result.explanation and result.relabeler is None


# (name as given, the brand, the maker(s) it relabels)
RELABELERS = [
    ("Honeywell Security", "Honeywell", "Dahua Technology"),
    ("Honeywell Security Group LLC", "Honeywell", "Dahua Technology"),  # contains the brand's name
    ("LTS Security Inc.", "LTS", "Hikvision"),
    ("Interlogix, Inc.", "Interlogix", "Hikvision"),
    ("Intelbras S.A.", "Intelbras", "Dahua Technology"),
    ("Resideo Capture LLC", "Resideo Capture", "Dahua Technology and Hikvision"),  # two makers: one result
]


@pytest.mark.parametrize(("name", "brand", "makers"), RELABELERS)
def test_a_relabeler_brand_is_a_hit_of_its_own_kind(screener: Screener, name: str, brand: str, makers: str) -> None:
    result = screener.screen(name)
    assert not result.covered and result.entity is None, result.explanation  # not a covered entity itself
    assert result.hit == RELABELER and result.list == RELABEL_MAP and result.score >= 0.8
    assert result.relabeler == f"{brand} (relabels {makers})"
    assert f"selling devices made by {makers} under its own name" in result.explanation
    assert "not a covered entity itself" in result.explanation


@pytest.mark.parametrize("name", ["Honey Well Farms", "Lorexa Inc", "Capture Technologies", "Interlogic Systems Inc"])
def test_names_near_a_brand_are_not_relabelers(screener: Screener, name: str) -> None:
    result = screener.screen(name)
    assert not result.covered and result.hit == "" and result.relabeler is None, result.explanation


def test_an_entity_that_is_also_a_relabeler_of_the_same_maker_is_one_result_with_both_reasons(
    screener: Screener,
) -> None:
    result = screener.screen("Lorex Technology Inc.")
    assert result.covered and result.hit == f"{ENTITY} and {RELABELER}"
    assert result.entity == "Lorex Technology Inc." and result.relabeler == "Lorex (relabels Dahua Technology)"
    assert result.list is not None and result.list.split(", ")[-1] == RELABEL_MAP
    assert "former subsidiary of Dahua Technology" in result.explanation  # the entity's reason
    assert "a relabeler, selling devices made by Dahua Technology" in result.explanation  # and the brand's
    assert result.explanation.count("Lorex") >= 2 and result.as_dict()["hit"] == result.hit


REGISTRY = (
    "id,name,kind,parent,contract,uei,cage,country\n"
    "agency,Department of Examples,agency,,,,,US\n"
    "prime,Acme Federal Systems LLC,contractor,agency,C-1,,,US\n"
    "lorex,Lorex Technology Inc.,subcontractor,prime,,,,CA\n"
    "honeywell,Honeywell Security Group LLC,subcontractor,prime,,,,US\n"
    "ezviz,Hangzhou EZVIZ Network Co Ltd,subcontractor,prime,,,,CN\n"
    "beta,Beta Widgets Inc,subcontractor,prime,,,,US\n"
)


def test_registry_screening_one_finding_per_contractor_and_no_doubled_count(
    sqlite_service: Service, tmp_path: Path
) -> None:
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    assert sqlite_service.ingest([path]).ok
    findings = sqlite_service.org_findings()
    assert sorted((f["org_key"], f["kind"]) for f in findings) == [
        ("ezviz", "supplier"),
        ("honeywell", "relabeler"),
        ("lorex", "supplier"),  # covered entity and relabeler: one finding, not two
    ]
    lorex = next(f for f in findings if f["org_key"] == "lorex")
    assert "is a covered entity" in lorex["explanation"] and "a relabeler, selling devices" in lorex["explanation"]
    honeywell = next(f for f in findings if f["org_key"] == "honeywell")
    assert "is a relabeler brand" in honeywell["explanation"] and "not a covered entity" in honeywell["explanation"]
    rows = {r["org"]: r for r in sqlite_service.exposure("org")}
    assert rows["prime"]["covered_suppliers"] == 2  # lorex and ezviz, each once; the relabeler is not one
    screened = {r["org"]: r for r in sqlite_service.screen_registry()}
    assert [screened[k]["hit"] for k in ("lorex", "honeywell", "ezviz", "beta")] == [
        f"{ENTITY} and {RELABELER}",
        RELABELER,
        ENTITY,
        "",
    ]
    assert len(screened) == 6  # one row per organization, whatever matched
