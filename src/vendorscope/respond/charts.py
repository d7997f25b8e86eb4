"""Bar charts for the report, drawn by matplotlib as PNG without a date: same data, same bytes.

PNG rather than SVG: WeasyPrint draws a text-as-paths SVG chart ten times slower than an image.
"""

from __future__ import annotations

import base64
import io
from typing import Any

MAX_BARS = 15
DPI = 120


def _pyplot() -> Any:
    """matplotlib, imported when the first chart is drawn (it costs most of a second; only reports draw)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def bar_chart(title: str, counts: list[tuple[str, int]], xlabel: str = "hosts") -> bytes:
    """A horizontal bar chart as PNG bytes; empty when there is nothing to draw."""
    if not counts:
        return b""
    plt = _pyplot()
    shown = counts[:MAX_BARS]
    labels = [_short(label) for label, _ in reversed(shown)]
    values = [value for _, value in reversed(shown)]
    with plt.rc_context({"font.size": 9}):
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(shown) + 1.2))
        try:
            ax.barh(labels, values, color="#4a6fa5")
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            ax.xaxis.get_major_locator().set_params(integer=True)
            for spine in ("top", "right"):
                ax.spines[spine].set_visible(False)
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
