"""Charts as inline SVG, drawn on the server: no script, readable without one, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 22
LABEL_WIDTH = 220
BAR_WIDTH = 300


def bar_chart(rows: Sequence[tuple[str, int]], title: str, unit: str = "hosts") -> Markup:
    """A horizontal bar per (label, value), scaled to the largest value."""
    if not rows:
        return Markup("<p class='empty'>nothing to chart</p>")
    top = max(v for _, v in rows) or 1
    height = BAR_HEIGHT * len(rows) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height}' preserveAspectRatio='xMinYMin meet' "
        f"aria-label='{escape(title)}'><title>{escape(title)}</title>"
    ]
    for i, (label, value) in enumerate(rows):
        y = i * BAR_HEIGHT + 2
        w = max(1, round(BAR_WIDTH * value / top)) if value else 0
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f"<g><title>{escape(label)}: {value} {escape(unit)}</title>"
            f"<text x='{LABEL_WIDTH - 6}' y='{y + 15}' text-anchor='end' class='label'>{escape(short)}</text>"
            f"<rect x='{LABEL_WIDTH}' y='{y + 3}' width='{w}' height='{BAR_HEIGHT - 6}' class='bar'></rect>"
            f"<text x='{LABEL_WIDTH + w + 6}' y='{y + 15}' class='value'>{value}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def coverage_bar(examined: int, not_examined: int) -> Markup:
    """One stacked bar: hosts examined by some method vs hosts known but never examined."""
    total = examined + not_examined
    if not total:
        return Markup("<p class='empty'>no hosts known yet</p>")
    w = round(400 * examined / total)
    return Markup(
        "<svg class='chart' role='img' viewBox='0 0 400 24' aria-label='coverage'>"
        f"<title>{examined} of {total} hosts examined</title>"
        f"<rect x='0' y='0' width='{w}' height='24' class='bar'></rect>"
        f"<rect x='{w}' y='0' width='{400 - w}' height='24' class='gap'></rect></svg>"
    )
