"""Charts as inline SVG, drawn on the server: no script, readable without one, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 22
CHAR_WIDTH = 7  # at 12px, an average character; labels are never cut: the label column grows instead
MIN_LABEL_WIDTH = 120
MAX_LABEL_CHARS = 48  # longer labels wrap onto a second line
BAR_WIDTH = 300


def bar_chart(rows: Sequence[tuple[str, int]], title: str, unit: str = "hosts") -> Markup:
    """A horizontal bar per (label, value), scaled to the largest value."""
    if not rows:
        return Markup("<p class='empty'>nothing to chart</p>")
    top = max(v for _, v in rows) or 1
    lines = [_wrap(label) for label, _ in rows]
    label_width = max(MIN_LABEL_WIDTH, CHAR_WIDTH * max(len(part) for parts in lines for part in parts) + 12)
    row_height = [BAR_HEIGHT * len(parts) for parts in lines]
    height = sum(row_height) + 4
    width = label_width + BAR_WIDTH + 60
    parts = [
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height}' preserveAspectRatio='xMinYMin meet' "
        f"aria-label='{escape(title)}'><title>{escape(title)}</title>"
    ]
    y = 2
    for (label, value), label_lines, h in zip(rows, lines, row_height, strict=True):
        w = max(1, round(BAR_WIDTH * value / top)) if value else 0
        spans = "".join(
            f"<tspan x='{label_width - 6}' dy='{15 if n == 0 else BAR_HEIGHT - 4}'>{escape(part)}</tspan>"
            for n, part in enumerate(label_lines)
        )
        parts.append(
            f"<g><title>{escape(label)}: {value} {escape(unit)}</title>"
            f"<text y='{y}' text-anchor='end' class='label'>{spans}</text>"
            f"<rect x='{label_width}' y='{y + 3}' width='{w}' height='{BAR_HEIGHT - 6}' class='bar'></rect>"
            f"<text x='{label_width + w + 6}' y='{y + 15}' class='value'>{value}</text></g>"
        )
        y += h
    parts.append("</svg>")
    return Markup("".join(parts))


def _wrap(label: str) -> list[str]:
    """A label on one line, or two when long: whole words, never cut."""
    if len(label) <= MAX_LABEL_CHARS:
        return [label]
    words, first = label.split(), ""
    while words and len(first) + len(words[0]) + 1 <= MAX_LABEL_CHARS:
        first = f"{first} {words.pop(0)}".strip()
    return [first or label[:MAX_LABEL_CHARS], " ".join(words) if first else label[MAX_LABEL_CHARS:]]


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
