"""Entity screening: names that must and must not match a covered entity (nomenklatura-style cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vendorscope.catalog.loader import load_catalogs
from vendorscope.orgs.screening.lists import covered_entities
from vendorscope.orgs.screening.screener import Query, Screener

KASPERSKY_23 = "far-52.204-23"
SECTION_889 = "far-52.204-25"
FCC = "fcc-covered-list"

# (name as given, entity it must match, a list it must be on)
MUST_MATCH = [
    ("Kapersky Lab Inc", "Kaspersky Lab, Inc.", KASPERSKY_23),  # typo
    ("Kaspersky Lab, Inc.", "Kaspersky Lab, Inc.", KASPERSKY_23),
    ("KASPERSKY LAB INC", "Kaspersky Lab, Inc.", KASPERSKY_23),
    ("AO Kaspersky Lab", "AO Kaspersky Lab", FCC),
    ("JSC Kaspersky Lab", "AO Kaspersky Lab", KASPERSKY_23),
    ("Kaspersky Lab ZAO", "AO Kaspersky Lab", KASPERSKY_23),  # former name, legal form after
    ("АО Лаборатория Касперского", "AO Kaspersky Lab", KASPERSKY_23),  # Cyrillic
    ("«АО Лаборатория Касперского»", "AO Kaspersky Lab", KASPERSKY_23),
    ("ЗАО «Лаборатория Касперского»", "AO Kaspersky Lab", KASPERSKY_23),
    ("Лаборатория Касперскго", "AO Kaspersky Lab", KASPERSKY_23),  # Cyrillic typo
    ("Laboratoriya Kasperskogo", "AO Kaspersky Lab", KASPERSKY_23),  # transliterated
    ("ООО Группа Касперского", "OOO Kaspersky Group", KASPERSKY_23),
    ("Kaspersky Group LLC", "OOO Kaspersky Group", KASPERSKY_23),
    ("Kaspersky Labs Ltd.", "Kaspersky Labs Limited", KASPERSKY_23),
    ("Kaspersky Labs GmbH", "Kaspersky Labs GmbH", KASPERSKY_23),
    ("Kaspersky Lab Switzerland GmbH", "Kaspersky Lab Switzerland GmbH", KASPERSKY_23),
    ("Kasperski", "AO Kaspersky Lab", KASPERSKY_23),
    ("Lab Kaspersky", "AO Kaspersky Lab", KASPERSKY_23),  # word order
    ("Technologies Huawei Co", "Huawei Technologies Co., Ltd.", SECTION_889),
    ("Huawei Technologies Co Ltd", "Huawei Technologies Co., Ltd.", SECTION_889),
    ("Huawai Technologies Company", "Huawei Technologies Co., Ltd.", SECTION_889),
    ("华为技术有限公司", "Huawei Technologies Co., Ltd.", SECTION_889),
    ("Huawei Device USA, Inc.", "Huawei Device USA Inc.", SECTION_889),
    ("Futurewei Technologies Inc", "Futurewei Technologies, Inc.", SECTION_889),
    ("ZTE Corp.", "ZTE Corporation", SECTION_889),
    ("ZTE USA Inc", "ZTE USA Inc.", SECTION_889),  # a subsidiary the ZTE catalog names
    ("ZTE Holdings Inc", "ZTE Corporation", SECTION_889),  # contains the listed name: a possible affiliate
    ("ZTE USA Holdings Inc", "ZTE USA Inc.", SECTION_889),  # the longest listed name it contains
    ("Hytera Communications Corp Ltd", "Hytera Communications Corporation Limited", SECTION_889),
    ("Hikvision", "Hangzhou Hikvision Digital Technology Co., Ltd.", SECTION_889),
    ("Hangzhou Hikvison Digital Technology Co Ltd", "Hangzhou Hikvision Digital Technology Co., Ltd.", SECTION_889),
    ("Hikvision USA Inc.", "Hikvision USA Inc.", FCC),
    ("浙江大华技术股份有限公司", "Zhejiang Dahua Technology Co., Ltd.", SECTION_889),
    ("Dahua Technology USA Inc", "Dahua Technology USA Inc.", SECTION_889),
    ("China Telecom (Americas) Corporation", "China Telecom (Americas) Corp", FCC),
    ("China Mobile International (USA) Inc", "China Mobile International USA Inc.", FCC),
    ("Pacific Network Corp.", "Pacific Network Corp", FCC),
    ("ComNet USA LLC", "ComNet (USA) LLC", FCC),
]

MUST_NOT_MATCH = [
    "Kasper Systems LLC",
    "Casper Sleep Inc.",
    "Sky Labs",
    "Doctor Web",
    "ООО «Доктор Веб»",
    "Kasper",
    "Kaspar Lab Supplies",
    "Lab Corp",
    "Microsoft Corporation",
    "Hua Yang Trading Co",
    "Dahl Technology",
    "ZT Systems",
    "Hyatt Corporation",
    "China Airlines",
    "Pacific Gas and Electric Company",
    "Inc.",
    "",
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(covered_entities(load_catalogs()))


@pytest.mark.parametrize(("name", "entity", "on_list"), MUST_MATCH)
def test_must_match(screener: Screener, name: str, entity: str, on_list: str) -> None:
    result = screener.screen(name)
    assert result.covered, result.explanation
    assert result.entity == entity, result.explanation
    assert on_list in (result.list or "").split(", ")
    assert result.name == name and result.score >= 0.8 and result.explanation


@pytest.mark.parametrize("name", MUST_NOT_MATCH)
def test_must_not_match(screener: Screener, name: str) -> None:
    result = screener.screen(name)
    assert not result.covered, result.explanation
    assert result.entity is None and result.list is None and result.score < 0.8 and result.explanation


def test_output_keeps_the_name_exactly_and_has_the_documented_keys(screener: Screener) -> None:
    name = "  Kapersky Lab Inc\t"
    result = screener.screen(name).as_dict()
    assert list(result) == ["name", "covered", "entity", "list", "score", "explanation", "hit", "relabeler"]
    assert result["name"] == name


def test_identifiers_decide_where_a_list_has_them(tmp_path: Path) -> None:
    listing = tmp_path / "mine.yaml"
    listing.write_text(
        "id: my-list\nname: test list\nupdated: 2026-11-29\n"
        "sources: {s: {title: a test source}}\n"
        "entities:\n  - {id: x, name: Quiet Vendor LLC, identifiers: {uei: QV1234567890, cage: 9Z9Z9}, source: s}\n",
        encoding="utf-8",
    )
    screener = Screener(covered_entities(load_catalogs(), [listing]))
    by_uei = screener.screen(Query("Totally Different Name Inc", ("qv1234567890",)))
    assert by_uei.covered and by_uei.entity == "Quiet Vendor LLC" and by_uei.score == 1.0
    assert "UEI QV1234567890" in by_uei.explanation
    assert screener.screen("9Z9Z9").covered  # a bare CAGE code given as the name
    assert not screener.screen(Query("Totally Different Name Inc", ("AB1234567890",))).covered


def test_a_list_citing_an_unknown_source_is_refused(tmp_path: Path) -> None:
    from vendorscope.errors import CatalogError

    listing = tmp_path / "bad.yaml"
    listing.write_text(
        "id: bad\nname: b\nupdated: 2026-11-29\nsources: {}\nentities:\n  - {id: x, name: X, source: nowhere}\n"
    )
    with pytest.raises(CatalogError, match="entity x cites unknown source 'nowhere'"):
        covered_entities(load_catalogs(), [listing])


def test_kaspersky_entities_are_reused_from_the_catalog() -> None:
    catalogs = load_catalogs()
    listed = {e.id: e for e in covered_entities(catalogs)}
    kaspersky = next(c for c in catalogs if c.vendor.id == "kaspersky")
    for entity in kaspersky.entities:
        assert listed[f"kaspersky:{entity.id}"].names == entity.all_names()
