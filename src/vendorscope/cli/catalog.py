"""``catalog validate`` and ``catalog show``: the vendor catalogs that decide what belongs to a vendor."""

from pathlib import Path
from typing import Annotated, Any

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, console, emit, say, write_json

catalog_app = typer.Typer(help="Inspect and validate vendor catalogs.", no_args_is_help=True)
PRODUCT_COLUMNS = ["vendor", "product", "name", "kind", "category", "platforms", "capabilities", "indicators"]


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")


@catalog_app.command("validate")
def catalog_validate(
    paths: Annotated[list[Path], typer.Argument(help="Catalog YAML files.", exists=True, dir_okay=False)],
) -> None:
    """Check catalog files against the format; one line per file."""
    for path in paths:
        catalog = service().validate_catalog(path)
        say(
            f"{path}: ok — {catalog.vendor.name} catalog {catalog.version}, {len(catalog.entities)} entities, "
            f"{len(catalog.products)} products, {len(catalog.all_indicators())} indicators"
        )


@catalog_app.command("show")
def catalog_show(
    vendor: Annotated[str | None, typer.Option(help="Vendor id (default: all).")] = None,
    format: FormatOption = Format.table,
    algorithm: Annotated[
        bool,
        typer.Option(
            "--algorithm", help="The matcher's algorithm instead: steps, thresholds, weights, fields and kinds."
        ),
    ] = False,
) -> None:
    """The loaded catalogs: products and their indicators, with sources."""
    if algorithm:
        show_algorithm(format)
        return
    catalogs = [service().vendor(vendor)] if vendor else service().catalogs
    if format is Format.json:
        write_json([c.model_dump(mode="json") for c in catalogs])
        return
    if format is Format.csv:
        rows = [
            {
                "vendor": c.vendor.id,
                "product": p.id,
                "name": p.name,
                "kind": p.kind.value,
                "category": p.category,
                "platforms": ", ".join(p.platforms),
                "capabilities": ", ".join(x.value for x in p.capabilities),
                "indicators": len(p.indicators),
            }
            for c in catalogs
            for p in c.products
        ]
        emit(rows, PRODUCT_COLUMNS, format, "products")
        return
    from rich.table import Table
    from rich.text import Text

    for catalog in catalogs:
        table = Table(
            "product",
            "kind",
            "category",
            "platforms",
            "capabilities",
            "indicators",
            title=f"{catalog.vendor.name} — catalog {catalog.version} ({catalog.updated})",
        )
        for p in catalog.products:
            cells = [
                f"{p.name} [{p.id}]",
                p.kind.value,
                p.category,
                ", ".join(p.platforms),
                ", ".join(c.value for c in p.capabilities),
                str(len(p.indicators)),
            ]
            table.add_row(*(Text(c) for c in cells))
        console.print(table)
        say(
            f"{len(catalog.entities)} entities, {len(catalog.indicators)} vendor-level indicators, "
            f"{len(catalog.sources)} sources"
        )


def show_algorithm(format: Format) -> None:
    """How the matcher decides (``match.matcher.describe``, read from the code): as yente's /algorithms."""
    from vendorscope.match.matcher import describe

    algorithm: dict[str, Any] = describe()
    rows = [{**p, "sources": ", ".join(p["sources"])} for p in algorithm["probes"]]
    if format is Format.json:
        write_json(algorithm)
        return
    if format is Format.table:
        say(f"matcher algorithm, version {algorithm['version']}")
        for step in algorithm["steps"]:
            say(f"  {step}")
        weights = ", ".join(f"{k} {v}" for k, v in algorithm["default_weights"].items())
        say(
            f"  decisive weight {algorithm['decisive_weight']}; reported from confidence "
            f"{algorithm['report_threshold']}; foreign owner factor {algorithm['foreign_owner_factor']}; "
            f"default weights by strength: {weights}"
        )
    emit(rows, ["field", "indicator_kind", "sources"], format, "Which item field meets which indicator kind")
