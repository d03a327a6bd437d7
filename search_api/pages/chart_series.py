"""The time series chart: offerings added, withdrawn and active per period, drawn as the
other charts are (search_api.pages.charts: phone first, whole labels, whole ticks)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from search_api.pages.charts import CHAR, LINE, WIDTH, _frame, _text, axis
from search_api.pages.render import number


@dataclass
class Point:
    period: str
    added: int
    withdrawn: int
    active: int


def time_series(
    title: str, points: list[Point], *, width: int = WIDTH, plot_h: int = 170
) -> Markup:
    """Active offerings as a line; offerings added and withdrawn as bars."""
    left, right, top_pad = 44, 8, 14
    plot_w = width - left - right
    base = top_pad + plot_h
    top, ticks = axis(max((max(p.active, p.added, p.withdrawn) for p in points), default=0))
    slot = plot_w / max(len(points), 1)
    body = []
    for tick in ticks:
        y = base - plot_h * tick / top
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="chart-grid"/>'
        )
        body.append(_text(left - 5, y + 4, number(tick), "end", "chart-axis"))
    # A period's label is up to 8 characters (2026-W48); a label every `label_every`
    # periods leaves room between them.
    label_every = max(1, math.ceil(len(points) * 8 * CHAR / plot_w))
    y_of = [base - plot_h * p.active / top for p in points]
    for i, p in enumerate(points):
        cx = left + i * slot + slot / 2
        bw = min(max(slot * 0.35, 1), 20)
        for offset, value, cls, word in (
            (-bw, p.added, "chart-bar", "added"),
            (0, p.withdrawn, "chart-bar-alt", "withdrawn"),
        ):
            h = plot_h * value / top
            body.append(
                f'<rect x="{cx + offset:.1f}" y="{base - h:.1f}" width="{bw:.1f}" '
                f'height="{h:.1f}" class="{cls}"><title>{escape(p.period)}: '
                f"{value} {word}</title></rect>"
            )
        if i % label_every == 0:
            body.append(_text(cx, base + 16, p.period, "middle", "chart-axis"))
    if points:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{left + i * slot + slot / 2:.1f},{y:.1f}"
            for i, y in enumerate(y_of)
        )
        body.append(f'<path d="{path}" class="chart-line"/>')
        for i, p in enumerate(points):
            body.append(
                f'<circle cx="{left + i * slot + slot / 2:.1f}" cy="{y_of[i]:.1f}" r="3.5" '
                f'class="chart-dot"><title>{escape(p.period)}: {p.active} active</title></circle>'
            )
    ly = base + 40
    body += [
        f'<rect x="{left}" y="{ly - 11}" width="12" height="12" class="chart-bar"/>',
        _text(left + 18, ly, "Added"),
        f'<rect x="{left + 100}" y="{ly - 11}" width="12" height="12" class="chart-bar-alt"/>',
        _text(left + 118, ly, "Withdrawn"),
        f'<line x1="{left}" y1="{ly + LINE - 5}" x2="{left + 12}" y2="{ly + LINE - 5}" '
        f'class="chart-line"/>',
        _text(left + 18, ly + LINE, "Active at the end of the period"),
    ]
    if points:
        first, last = points[0], points[-1]
        desc = (
            f"{len(points)} periods from {first.period} to {last.period}. Active offerings went "
            f"from {number(first.active)} to {number(last.active)}; "
            f"{number(sum(p.added for p in points))} were added and "
            f"{number(sum(p.withdrawn for p in points))} withdrawn."
        )
    else:
        desc = "No data."
    return _frame(width, ly + LINE + 8, title, desc, body)
