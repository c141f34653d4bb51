"""Server-rendered SVG charts for the metrics page: no JavaScript, no external library.

Every chart is an ``<svg role="img">`` with a ``<title>`` (and a ``<desc>`` listing
the values), so a screen reader announces it; the page's table carries the same
numbers for everyone. Positions are percentages of the chart's width, so the text
keeps its size on a phone while the bars stretch with the screen.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)

ROW_HEIGHT = 30
BAR_HEIGHT = 16
LABEL_SHARE = 34  # % of the width for the labels
VALUE_SHARE = 16  # % of the width kept free for the value after the longest bar
METER_WIDTH = 48


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as an empty track)
    display: str  # the value as the reader sees it, e.g. "85%" or "12"


def _uid(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def bar_chart(title: str, bars: list[Bar], *, max_value: float | None = None, css_class: str = "") -> SafeString:
    """A horizontal bar chart: one row per bar, the label on the left, the bar, its value.

    ``max_value`` is the value of a full bar (1 for rates); by default the largest value.
    """
    chart_id = _uid("chart")
    top = max_value if max_value else max((b.value or 0 for b in bars), default=0) or 1
    span = 100 - LABEL_SHARE - VALUE_SHARE
    height = max(len(bars), 1) * ROW_HEIGHT + 4
    desc = "; ".join(f"{b.label}: {b.display}" for b in bars)
    parts = [
        format_html(
            '<svg class="chart {}" width="100%" height="{}" role="img" aria-labelledby="{}-t {}-d" '
            'xmlns="http://www.w3.org/2000/svg">',
            css_class, height, chart_id, chart_id,
        ),
        format_html('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', chart_id, title, chart_id, desc),
    ]
    for row, bar in enumerate(bars):
        y = row * ROW_HEIGHT + 2
        share = 0.0 if bar.value is None else max(0.0, min(bar.value / top, 1.0))
        width = round(span * share, 2)
        parts.append(
            format_html(
                '<g class="chart-row"><title>{}: {}</title>'
                '<text class="chart-label" x="0" y="{}" dy="0.35em">{}</text>'
                '<rect class="chart-track" x="{}%" y="{}" width="{}%" height="{}" rx="3"></rect>'
                '<rect class="chart-bar{}" x="{}%" y="{}" width="{}%" height="{}" rx="3"></rect>'
                '<text class="chart-value" x="{}%" dx="6" y="{}" dy="0.35em">{}</text></g>',
                bar.label, bar.display,
                y + ROW_HEIGHT / 2 - 2, _shorten(bar.label),
                LABEL_SHARE, y + (ROW_HEIGHT - BAR_HEIGHT) / 2 - 2, span, BAR_HEIGHT,
                " chart-bar-empty" if bar.value is None else "",
                LABEL_SHARE, y + (ROW_HEIGHT - BAR_HEIGHT) / 2 - 2, width, BAR_HEIGHT,
                LABEL_SHARE + width, y + ROW_HEIGHT / 2 - 2, bar.display,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))


def meter(share: float | None, title: str) -> SafeString:
    """A small inline bar for a table cell (0..1); the cell prints the number beside it."""
    fill = 0.0 if share is None else max(0.0, min(share, 1.0))
    return format_html(
        '<svg class="meter" width="{}" height="10" viewBox="0 0 {} 10" role="img" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<rect class="chart-track" x="0" y="0" width="{}" height="10" rx="5"></rect>'
        '<rect class="chart-bar" x="0" y="0" width="{}" height="10" rx="5"></rect></svg>',
        METER_WIDTH, METER_WIDTH, title, METER_WIDTH, round(METER_WIDTH * fill, 2),
    )


def _shorten(label: str, limit: int = 10) -> str:
    """Long names are cut in the chart (the full name is in its <title> and the table)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


__all__ = ["Bar", "bar_chart", "meter"]
