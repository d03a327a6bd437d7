"""Charts drawn on the server as SVG: no script, nothing fetched, readable by a screen
reader (each chart is an image with a title and a description, and the numbers are also
given as a table beside it).

Every chart is drawn phone first: a viewBox WIDTH units wide, shown at 100% of its box, so
a 320 px screen shows it whole at 80% of its drawn size (14-unit text is 11 px there).
Labels are wrapped onto as many lines as they need, never cut; axes of counts have whole
ticks (0, 20, 40, not 62.5).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass

from markupsafe import Markup, escape

from search_api.pages.render import number

_ids = itertools.count(1)
WIDTH = 400
LINE = 17  # the height of one line of 14-unit text
# Average advance of a character of the site's sans-serif at 14 units, with a margin: a
# line of at most this many characters per unit of width stays inside its space.
CHAR = 7.6


@dataclass
class Bar:
    label: str
    value: float


def axis(value: float, most: int = 5) -> tuple[float, list[float]]:
    """The axis end and its ticks: a step of 1, 2 or 5 times a power of ten (never below
    1, so counts get whole ticks), at most `most` steps up to the first tick >= `value`."""
    value = max(value, 0)
    step = 1.0
    for power in itertools.count():
        found = next((s * 10**power for s in (1, 2, 5) if value <= s * 10**power * most), None)
        if found is not None:
            step = float(found)
            break
    steps = max(1, math.ceil(value / step - 1e-9))
    return step * steps, [step * i for i in range(steps + 1)]


def wrap(label: str, chars: int) -> list[str]:
    """`label` on lines of about `chars` characters, broken between words; a word longer
    than a line keeps its own line whole."""
    return textwrap.wrap(label, max(chars, 4), break_long_words=False) or [""]


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


def _lines(x: float, y: float, lines: list[str], anchor: str = "start", cls="chart-text") -> str:
    """Lines of one label, the first with its baseline at `y`."""
    return "".join(_text(x, y + i * LINE, line, anchor, cls) for i, line in enumerate(lines))


def _frame(width: int, height: float, title: str, desc: str, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {math.ceil(height)}" width="100%" '
        f'role="img" aria-labelledby="chart-t{n} chart-d{n}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
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


def _vertical_grid(ticks: list[float], top: float, x0: float, plot: float, y1, y2) -> list[str]:
    body = []
    for tick in ticks:
        x = x0 + plot * tick / top
        body.append(
            f'<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}" class="chart-grid"/>'
        )
        # The last tick's label ends at the plot's edge, so it is never cut off.
        anchor = "end" if tick == ticks[-1] and len(ticks) > 1 else "middle"
        body.append(_text(x, y2 + 16, number(tick), anchor, "chart-axis"))
    return body


def horizontal_bars(
    title: str,
    bars: list[Bar],
    *,
    unit: str = "offerings",
    width: int = WIDTH,
    suffix: str = "",
    top: float | None = None,
) -> Markup:
    """One bar per group, its label whole on the line(s) above it: for long labels
    (subjects, regions, providers). `suffix` follows each value (%); `top`: the axis end
    when it is fixed (100 for shares)."""
    pad, value_room, bar_h, gap = 8, 44, 14, 10
    plot = width - 2 * pad - value_room
    top, ticks = axis(top if top is not None else max((b.value for b in bars), default=0))
    chars = int((width - 2 * pad) / CHAR)
    rows, y = [], 6.0
    for bar in bars:
        lines = wrap(bar.label, chars)
        rows.append((bar, lines, y))
        y += len(lines) * LINE + bar_h + gap
    height = y + 24
    body = _vertical_grid(ticks, top, pad, plot, 6, y - gap / 2)
    for bar, lines, y0 in rows:
        body.append(_lines(pad, y0 + 13, lines))
        yb = y0 + len(lines) * LINE + 2
        w = plot * bar.value / top
        body.append(
            f'<rect x="{pad}" y="{yb:.1f}" width="{max(w, 1):.1f}" height="{bar_h}" '
            f'class="chart-bar"><title>{escape(bar.label)}: '
            f"{escape(number(bar.value))} {escape(unit)}</title></rect>"
        )
        body.append(_text(pad + w + 5, yb + 12, number(bar.value) + suffix, "start", "chart-value"))
    desc = (
        "; ".join(f"{b.label}: {number(b.value)}{suffix}" for b in bars) + "."
        if suffix and bars
        else describe(bars, unit)
    )
    return _frame(width, height, title, desc, body)


def columns(
    title: str,
    bars: list[Bar],
    *,
    unit: str = "offerings",
    width: int = WIDTH,
    plot_h: int = 170,
    axis_label: str = "",
) -> Markup:
    """Vertical bars in the given order: for ordered groups (levels, price bands). Each
    label is wrapped to its column's width."""
    left, right, top_pad = 40, 6, 18
    plot_w = width - left - right
    top, ticks = axis(max((b.value for b in bars), default=0))
    slot = plot_w / max(len(bars), 1)
    labels = [wrap(b.label, int(slot / CHAR)) for b in bars]
    base = top_pad + plot_h
    height = base + 8 + LINE * max((len(lines) for lines in labels), default=1) + 4
    if axis_label:
        height += LINE
    body = []
    for tick in ticks:
        y = base - plot_h * tick / top
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="chart-grid"/>'
        )
        body.append(_text(left - 5, y + 4, number(tick), "end", "chart-axis"))
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top
        cx = left + i * slot + slot / 2
        body.append(
            f'<rect x="{cx - slot * 0.35:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{max(h, 1):.1f}" class="chart-bar"><title>{escape(bar.label)}: '
            f"{escape(number(bar.value))} {escape(unit)}</title></rect>"
        )
        body.append(_text(cx, base - h - 4, number(bar.value), "middle", "chart-value"))
        body.append(_lines(cx, base + 8 + 12, labels[i], "middle"))
    if axis_label:
        body.append(_text(left + plot_w / 2, height - 5, axis_label, "middle", "chart-axis"))
    return _frame(width, height, title, describe(bars, unit), body)


@dataclass
class Spread:
    label: str
    low: float | None
    middle: float | None
    high: float | None
    count: int


def spreads(title: str, rows: list[Spread], *, unit: str, width: int = WIDTH) -> Markup:
    """For each group a line from the low to the high percentile and a dot at the median,
    the group's name above it."""
    pad, step = 10, LINE + 20
    shown = [r for r in rows if r.middle is not None]
    plot = width - 2 * pad
    top, ticks = axis(
        max((r.high if r.high is not None else r.middle or 0) for r in shown) if shown else 0
    )
    height = 6 + step * max(len(shown), 1) + 24
    body = _vertical_grid(ticks, top, pad, plot, 6, height - 24)
    for i, r in enumerate(shown):
        y0 = 6 + i * step
        middle = r.middle or 0.0  # never None in `shown`
        low = r.low if r.low is not None else middle
        high = r.high if r.high is not None else middle
        body.append(
            _text(
                pad, y0 + 13, f"{r.label}: median {number(round(middle))} {unit}", cls="chart-text"
            )
        )
        y = y0 + LINE + 8
        x1, x2 = pad + plot * low / top, pad + plot * high / top
        xm = pad + plot * middle / top
        body.append(
            f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" class="chart-range"/>'
        )
        body.append(
            f'<circle cx="{xm:.1f}" cy="{y:.1f}" r="6" class="chart-dot"><title>'
            f"{escape(r.label)}: median {escape(number(round(middle)))} {escape(unit)}"
            f"</title></circle>"
        )
    desc = (
        "No prices."
        if not shown
        else "For each group, the line runs from the 10th to the 90th percentile and the dot is "
        "the median. "
        + "; ".join(f"{r.label}: median {number(round(r.middle or 0))} {unit}" for r in shown)
        + "."
    )
    return _frame(width, height, title, desc, body)
