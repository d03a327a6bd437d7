"""Charts drawn on the server as SVG: no script, nothing fetched, readable by a screen
reader (each chart is an image with a title and a description, and the numbers are also
given as a table beside it)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from search_api.pages.render import number

_ids = itertools.count(1)


@dataclass
class Bar:
    label: str
    value: float


def _nice_max(value: float) -> float:
    """A round axis end at or above `value`: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _ticks(top: float, count: int = 4) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _text(
    x: float,
    y: float,
    content: str,
    anchor: str = "start",
    cls: str = "chart-text",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{extra}>'
        f"{escape(content)}</text>"
    )


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _frame(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-t{n} chart-d{n}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def describe(bars: list[Bar], unit: str = "offerings") -> str:
    if not bars:
        return "No data."
    total = sum(b.value for b in bars)
    top = max(bars, key=lambda b: b.value)
    share = f" ({top.value / total:.0%} of {number(total)})" if total else ""
    return f"{len(bars)} groups. The largest is {top.label} with {number(top.value)} {unit}{share}."


def horizontal_bars(
    title: str,
    bars: list[Bar],
    *,
    unit: str = "offerings",
    width: int = 560,
    label_width: int = 210,
) -> Markup:
    """One bar per group, labels on the left: for long labels (subjects, regions)."""
    row, top_pad, bottom_pad = 28, 8, 30
    height = top_pad + row * max(len(bars), 1) + bottom_pad
    plot = width - label_width - 70
    top = _nice_max(max((b.value for b in bars), default=0))
    body = []
    for tick in _ticks(top):
        x = label_width + plot * tick / top
        body.append(
            f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" '
            f'y2="{height - bottom_pad}" class="chart-grid"/>'
        )
        body.append(_text(x, height - bottom_pad + 18, number(tick), "middle", "chart-axis"))
    for i, bar in enumerate(bars):
        y = top_pad + i * row
        w = plot * bar.value / top if top else 0
        body.append(_text(label_width - 8, y + row / 2 + 4, _truncate(bar.label, 24), "end"))
        body.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{max(w, 1):.1f}" '
            f'height="{row - 10}" class="chart-bar"><title>{escape(bar.label)}: '
            f"{escape(number(bar.value))} {escape(unit)}</title></rect>"
        )
        body.append(
            _text(label_width + w + 6, y + row / 2 + 4, number(bar.value), "start", "chart-value")
        )
    return _frame(width, height, title, describe(bars, unit), body)


def columns(
    title: str, bars: list[Bar], *, unit: str = "offerings", width: int = 560, height: int = 260
) -> Markup:
    """Vertical bars in the given order: for ordered groups (levels, price bands)."""
    left, right, top_pad, bottom = 48, 12, 16, 44
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = _nice_max(max((b.value for b in bars), default=0))
    slot = plot_w / max(len(bars), 1)
    body = []
    for tick in _ticks(top):
        y = top_pad + plot_h - plot_h * tick / top
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="chart-grid"/>'
        )
        body.append(_text(left - 6, y + 4, number(tick), "end", "chart-axis"))
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top if top else 0
        x = left + i * slot + slot * 0.15
        y = top_pad + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{max(h, 1):.1f}" '
            f'class="chart-bar"><title>{escape(bar.label)}: {escape(number(bar.value))} '
            f"{escape(unit)}</title></rect>"
        )
        body.append(_text(x + slot * 0.35, y - 5, number(bar.value), "middle", "chart-value"))
        body.append(
            _text(
                x + slot * 0.35,
                height - bottom + 18,
                _truncate(bar.label, max(4, int(slot / 8))),
                "middle",
            )
        )
    return _frame(width, height, title, describe(bars, unit), body)


@dataclass
class Spread:
    label: str
    low: float | None
    middle: float | None
    high: float | None
    count: int


def spreads(
    title: str, rows: list[Spread], *, unit: str, width: int = 560, label_width: int = 110
) -> Markup:
    """For each group a line from the low to the high percentile and a dot at the median."""
    row, top_pad, bottom_pad = 30, 8, 30
    shown = [r for r in rows if r.middle is not None]
    height = top_pad + row * max(len(shown), 1) + bottom_pad
    plot = width - label_width - 40
    top = _nice_max(
        max((r.high if r.high is not None else r.middle or 0) for r in shown) if shown else 0
    )
    body = []
    for tick in _ticks(top):
        x = label_width + plot * tick / top
        body.append(
            f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{height - bottom_pad}" '
            f'class="chart-grid"/>'
        )
        body.append(_text(x, height - bottom_pad + 18, number(tick), "middle", "chart-axis"))
    for i, r in enumerate(shown):
        y = top_pad + i * row + row / 2
        body.append(_text(label_width - 8, y + 4, _truncate(r.label, 16), "end"))
        middle = r.middle or 0.0  # never None in `shown`
        low = r.low if r.low is not None else middle
        high = r.high if r.high is not None else middle
        x1, x2 = label_width + plot * low / top, label_width + plot * high / top
        xm = label_width + plot * middle / top
        body.append(
            f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" class="chart-range"/>'
        )
        body.append(
            f'<circle cx="{xm:.1f}" cy="{y:.1f}" r="6" class="chart-dot"><title>'
            f"{escape(r.label)}: median {escape(number(r.middle))} {escape(unit)}"
            f"</title></circle>"
        )
    desc = (
        "No prices."
        if not shown
        else "For each group, the line runs from the 10th to the 90th percentile and the dot is "
        "the median. "
        + "; ".join(f"{r.label}: median {number(r.middle)} {unit}" for r in shown)
        + "."
    )
    return _frame(width, height, title, desc, body)


@dataclass
class Point:
    period: str
    added: int
    withdrawn: int
    active: int


def time_series(title: str, points: list[Point], *, width: int = 960, height: int = 300) -> Markup:
    """Active offerings as a line; offerings added (up) and withdrawn (down) as bars."""
    left, right, top_pad, bottom = 56, 16, 16, 48
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = _nice_max(max((max(p.active, p.added, p.withdrawn) for p in points), default=0))
    slot = plot_w / max(len(points), 1)
    body = []
    for tick in _ticks(top):
        y = top_pad + plot_h - plot_h * tick / top
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="chart-grid"/>'
        )
        body.append(_text(left - 6, y + 4, number(tick), "end", "chart-axis"))
    label_every = max(1, math.ceil(len(points) / 12))
    path = []
    for i, p in enumerate(points):
        cx = left + i * slot + slot / 2
        bw = min(max(slot * 0.35, 1), 28)
        for offset, value, cls, word in (
            (-bw, p.added, "chart-bar", "added"),
            (0, p.withdrawn, "chart-bar-alt", "withdrawn"),
        ):
            h = plot_h * value / top if top else 0
            body.append(
                f'<rect x="{cx + offset:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bw:.1f}" '
                f'height="{h:.1f}" class="{cls}"><title>{escape(p.period)}: '
                f"{value} {word}</title></rect>"
            )
        path.append(
            f"{'M' if i == 0 else 'L'}{cx:.1f},{top_pad + plot_h - plot_h * p.active / top:.1f}"
        )
        if i % label_every == 0:
            body.append(_text(cx, height - bottom + 18, p.period, "middle", "chart-axis"))
    if path:
        body.append(f'<path d="{" ".join(path)}" class="chart-line"/>')
        for i, p in enumerate(points):
            cx = left + i * slot + slot / 2
            body.append(
                f'<circle cx="{cx:.1f}" cy="{top_pad + plot_h - plot_h * p.active / top:.1f}" '
                f'r="3.5" class="chart-dot"><title>{escape(p.period)}: {p.active} active'
                f"</title></circle>"
            )
    ly = height - 14
    body += [
        f'<rect x="{left}" y="{ly - 10}" width="12" height="12" class="chart-bar"/>',
        _text(left + 18, ly, "Added"),
        f'<rect x="{left + 90}" y="{ly - 10}" width="12" height="12" class="chart-bar-alt"/>',
        _text(left + 108, ly, "Withdrawn"),
        f'<line x1="{left + 210}" y1="{ly - 4}" x2="{left + 232}" y2="{ly - 4}" class="chart-line"/>',
        _text(left + 238, ly, "Active at the end of the period"),
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
    return _frame(width, height, title, desc, body)
