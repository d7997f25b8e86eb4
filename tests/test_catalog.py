"""The catalog format and the shipped Kaspersky catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vendorscope.catalog.loader import builtin_paths, load_catalog
from vendorscope.catalog.schema import Capability, IndicatorKind, ProductKind
from vendorscope.errors import CatalogError


@pytest.fixture(scope="module")
def kaspersky():  # type: ignore[no-untyped-def]
    return load_catalog(next(p for p in builtin_paths() if p.stem == "kaspersky"))


def test_kaspersky_catalog_is_complete(kaspersky) -> None:  # type: ignore[no-untyped-def]
    assert kaspersky.vendor.id == "kaspersky"
    kinds = {i.kind for i in kaspersky.all_indicators()}
    for kind in (
        IndicatorKind.PUBLISHER,
        IndicatorKind.NAME,
        IndicatorKind.PACKAGE,
        IndicatorKind.BUNDLE_ID,
        IndicatorKind.SERVICE,
        IndicatorKind.DRIVER,
        IndicatorKind.EXECUTABLE,
        IndicatorKind.PATH,
        IndicatorKind.SIGNER,
        IndicatorKind.TEAM_ID,
        IndicatorKind.CERTIFICATE,
        IndicatorKind.DOMAIN,
    ):
        assert kind in kinds, f"no {kind} indicator"
    names = " ".join(n for e in kaspersky.entities for n in e.all_names())
    assert "Лаборатория Касперского" in names and "Kaspersky Lab ZAO" in names
    assert {p.kind for p in kaspersky.products} == {ProductKind.BRANDED, ProductKind.EMBEDDED}
    assert any(Capability.KERNEL_DRIVER in p.capabilities for p in kaspersky.products)
    assert all(p.host_product for p in kaspersky.products if p.kind is ProductKind.EMBEDDED)


def test_every_indicator_cites_a_known_source(kaspersky) -> None:  # type: ignore[no-untyped-def]
    for indicator in kaspersky.all_indicators():
        assert indicator.source in kaspersky.sources


def test_abbreviations_are_never_name_indicators(kaspersky) -> None:  # type: ignore[no-untyped-def]
    import re

    for indicator in kaspersky.all_indicators():
        if indicator.kind is IndicatorKind.NAME:
            for decoy in ("KES Systems", "KAV Soft", "KSC Industries", "Casper", "Kasper", "Kasperski"):
                assert not re.search(indicator.value, decoy, re.IGNORECASE), (indicator.value, decoy)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


MINIMAL = {
    "version": "1",
    "updated": "2026-01-01",
    "vendor": {"id": "v", "name": "V"},
    "sources": {"s": {"title": "t"}},
    "entities": [{"id": "e", "name": "V Ltd", "source": "s"}],
    "products": [{"id": "p", "name": "P", "family": "f", "category": "c"}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entities": [{"id": "e", "name": "V Ltd", "source": "nowhere"}]}, "cites unknown source 'nowhere'"),
        (
            {"indicators": [{"kind": "name", "value": "(", "match": "pattern", "source": "s", "strength": "vendor"}]},
            "bad regular expression",
        ),
        ({"indicators": [{"kind": "name", "value": "x", "source": "s", "strength": "sure"}]}, "indicators.0.strength"),
        # every indicator, device indicators and relabelers included, says where it comes from and who says so
        ({"indicators": [{"kind": "name", "value": "x", "source": "s"}]}, "indicators.0.strength: Field required"),
        ({"indicators": [{"kind": "http_title", "value": "x", "strength": "vendor"}]}, "indicators.0.source"),
        (
            {
                "products": [
                    {
                        "id": "p",
                        "name": "P",
                        "family": "f",
                        "category": "c",
                        "device_class": "camera",
                        "indicators": [{"kind": "model", "value": "^X1", "match": "pattern", "source": "s"}],
                    }
                ]
            },
            "products.0.indicators.0.strength: Field required",
        ),
        ({"relabels": [{"brand": "B", "device_classes": ["camera"]}]}, "relabels.0.source: Field required"),
        ({"relabels": [{"brand": "B", "source": "elsewhere"}]}, "relabel B cites unknown source 'elsewhere'"),
        ({"format": 7}, "unsupported catalog format 7"),
        ({"products": [{"id": "p", "name": "P", "family": "f", "category": "c"}] * 2}, "duplicate product id 'p'"),
    ],
)
def test_invalid_catalogs_get_one_line_errors(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(_write(tmp_path, MINIMAL | change))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "c.yaml"))


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nvendor: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_catalog(path)


def test_the_algorithm_is_shown_from_the_code(tmp_path: Path) -> None:
    """`catalog show --algorithm`: the matcher's steps, thresholds and every field/kind pair it compares."""
    import orjson
    from typer.testing import CliRunner

    from vendorscope.cli import app
    from vendorscope.match.matcher import _PROBES, DECISIVE

    result = CliRunner().invoke(app, ["--db", str(tmp_path / "s.db"), "catalog", "show", "--algorithm", "-f", "json"])
    assert result.exit_code == 0, result.output
    shown = orjson.loads(result.stdout)
    assert [s[:2] for s in shown["steps"]] == ["1.", "2.", "3.", "4.", "5."]
    assert shown["decisive_weight"] == DECISIVE and shown["default_weights"]["vendor"] == 0.9
    assert [(p["field"], p["indicator_kind"]) for p in shown["probes"]] == [(f, k.value) for (f, k, _), _ in _PROBES]
    table = CliRunner().invoke(app, ["--db", str(tmp_path / "s.db"), "catalog", "show", "--algorithm"])
    assert "noisy-OR" in table.stdout and "bundle_id" in table.stdout


# Every row of Microsoft's allocated filter altitudes table whose company is "Kaspersky Lab" or "Kaspersky"
# (MicrosoftDocs/windows-driver-docs, windows-driver-docs-pr/ifs/allocated-altitudes.md), read row by row.
ALTITUDE_TABLE_KASPERSKY = {
    "klboot.sys": "389510",
    "klfdefsf.sys": "389500",
    "klrsps.sys": "385815",
    "klsnsr.sys": "385810",
    "klifks.sys": "362902",
    "klifaa.sys": "362901",
    "klifsm.sys": "362900",
    "klam.sys": "328650, 320450, 320350",
    "klbg.sys": "320440",
    "kldback.sys": "320430",
    "kldlinf.sys": "320420",
    "kldtool.sys": "320410",
    "klif.sys": "320401, 320400",
    "klcdp.sys": "288900",
    "klshadow.sys": "268300",
    "klsysrec.sys": "221500",
    "klvfs.sys": "148810, 44900",
    "klfle.sys": "148800",
    "klvirt.sys": "138100",
    "klbackupflt.sys": "100800, 44890",
    "klsec.sys": "87200",
}


def test_every_kaspersky_minifilter_of_the_altitude_table_is_a_vendor_indicator(kaspersky) -> None:  # type: ignore[no-untyped-def]
    drivers = {
        i.value.lower(): i for i in kaspersky.all_indicators() if i.kind == "driver" and i.source == "ms-altitudes"
    }
    assert set(drivers) == set(ALTITUDE_TABLE_KASPERSKY)
    assert all(i.strength == "vendor" and i.effective_weight >= 0.9 for i in drivers.values())


def test_kaspersky_password_manager_on_android_is_the_password_manager(kaspersky) -> None:  # type: ignore[no-untyped-def]
    owners = {
        (p.id, i.platforms, i.source)
        for p in kaspersky.products
        for i in p.indicators
        if i.kind == "bundle_id" and i.value == "com.kaspersky.passwordmanager"
    }
    assert owners == {
        ("password-manager", ("android",), "google-play-kpm"),
        ("password-manager", ("ios",), "apple-safari-urla"),
    }
