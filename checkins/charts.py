"""Small server-side SVG charts of an indicator's history.

A number indicator is a step chart (a value holds until the next check-in changes it) with the
target as a dashed line; a yes/no indicator is a row of dots, filled when met. Every chart is
an `<svg role="img">` named by its `<title>` and `<desc>`; the page puts a table of the same
values next to it for screen readers and for anyone who prefers numbers.

No inline styles (the Content-Security-Policy forbids them): colours are SVG presentation
attributes, which CSS classes in `checkins/static/checkins/checkins.css` may refine.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH, HEIGHT = 320, 132
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 24
LINE = "#0d6efd"
TARGET = "#198754"
MISSED = "#dc3545"
MUTED = "#6c757d"


@dataclass(frozen=True)
class Point:
    when: datetime.date
    value: Decimal | None = None
    met: bool | None = None
    note: str = ""


def number(value: Decimal | None) -> str:
    """10.00 → "10", 7.50 → "7.5"."""
    if value is None:
        return "—"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(day: datetime.date) -> str:
    return date_format(day, "j M")


def _with_unit(value, unit: str) -> str:
    return f"{number(value)} {unit}".strip()


def _svg(chart_id: str, title: str, desc: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg class="pm-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x, y, label, *, anchor="start", css="pm-chart-label", fill=MUTED) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}" fill="{fill}" '
        f'font-size="10">{escape(label)}</text>'
    )


def number_chart(
    *,
    chart_id: str,
    description: str,
    target: Decimal | None,
    unit: str,
    due_on: datetime.date | None,
    points: list[Point],
) -> str:
    values = [point for point in points if point.value is not None]
    if not values:
        return ""
    numbers = [float(point.value) for point in values]
    top = max(numbers + ([float(target)] if target is not None else []))
    bottom = min(numbers + [0.0])
    top = top + (top - bottom) * 0.1 or 1.0
    first, last = values[0].when, values[-1].when
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day):
        if first == last:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - first).days / span

    def y(value):
        return TOP + plot_h * (1 - (value - bottom) / (top - bottom))

    highest = max(numbers)
    body = [
        f'<line x1="{LEFT}" y1="{y(bottom):.1f}" x2="{WIDTH - RIGHT}" y2="{y(bottom):.1f}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        _text(LEFT - 4, y(bottom) + 3, number(Decimal(str(round(bottom, 2)))), anchor="end"),
        _text(LEFT, HEIGHT - 6, _day(first)),
    ]
    clear_of_target = target is None or abs(y(highest) - y(float(target))) > 12
    if y(bottom) - y(highest) > 12 and clear_of_target:
        # The highest value on the axis, unless another label sits right there.
        body.append(
            _text(LEFT - 4, y(highest) + 3, number(Decimal(str(round(highest, 2)))), anchor="end")
        )
    if last != first:
        body.append(_text(WIDTH - RIGHT, HEIGHT - 6, _day(last), anchor="end"))
    if target is not None:
        ty = y(float(target))
        body += [
            f'<line class="pm-chart-target" x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{ty:.1f}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="5 4"/>',
            _text(
                WIDTH - RIGHT,
                ty - 4,
                _("target %(value)s") % {"value": number(target)},
                anchor="end",
                fill=TARGET,
            ),
        ]
    # A step line: each value holds until the next one.
    path = []
    for index, (point, value) in enumerate(zip(values, numbers, strict=True)):
        px, py = x(point.when), y(value)
        if index:
            path.append(f"H{px:.1f}V{py:.1f}")
        else:
            path.append(f"M{px:.1f} {py:.1f}")
    body.append(
        f'<path class="pm-chart-line" d="{"".join(path)}" fill="none" stroke="{LINE}" '
        f'stroke-width="2"/>'
    )
    for point, value in zip(values, numbers, strict=True):
        label = f"{_day(point.when)}: {_with_unit(point.value, unit)}"
        body.append(
            f'<circle cx="{x(point.when):.1f}" cy="{y(value):.1f}" r="3.5" fill="{LINE}">'
            f"<title>{escape(label)}</title></circle>"
        )

    latest = values[-1]
    desc = ngettext(
        "%(count)s value from %(first)s to %(last)s; latest %(latest)s.",
        "%(count)s values from %(first)s to %(last)s; latest %(latest)s.",
        len(values),
    ) % {
        "count": len(values),
        "first": _day(first),
        "last": _day(last),
        "latest": _with_unit(latest.value, unit),
    }
    if target is not None:
        desc += " " + _("Target: %(target)s") % {"target": _with_unit(target, unit)}
        if due_on:
            desc += " " + _("by %(date)s") % {"date": _day(due_on)}
        desc += "."
    return _svg(chart_id, _("Progress: %(what)s") % {"what": description}, desc, body)


def yes_no_chart(
    *, chart_id: str, description: str, due_on: datetime.date | None, points: list[Point]
) -> str:
    answers = [point for point in points if point.met is not None]
    if not answers:
        return ""
    height = 56
    step = min(28.0, (WIDTH - 2 * 14) / max(len(answers) - 1, 1))
    body = []
    for index, point in enumerate(answers):
        cx = 14 + index * step
        answer = _("met") if point.met else _("not met")
        label = f"{_day(point.when)}: {answer}"
        if point.met:
            shape = f'<circle cx="{cx:.1f}" cy="20" r="8" fill="{TARGET}" class="pm-dot-met">'
        else:
            shape = (
                f'<circle cx="{cx:.1f}" cy="20" r="7" fill="#ffffff" stroke="{MISSED}" '
                f'stroke-width="2" class="pm-dot-unmet">'
            )
        body.append(f"{shape}<title>{escape(label)}</title></circle>")
    last_x = 14 + (len(answers) - 1) * step
    if len(answers) == 1:
        body.append(_text(6, height - 6, _day(answers[0].when)))
    elif last_x < 120:  # too close together for two labels: one for the span
        span = f"{_day(answers[0].when)} – {_day(answers[-1].when)}"
        body.append(_text(6, height - 6, span))
    else:
        body.append(_text(6, height - 6, _day(answers[0].when)))
        body.append(_text(last_x + 8, height - 6, _day(answers[-1].when), anchor="end"))
    met = sum(1 for point in answers if point.met)
    desc = ngettext(
        "%(met)s of %(count)s check-in says met; latest: %(latest)s.",
        "%(met)s of %(count)s check-ins say met; latest: %(latest)s.",
        len(answers),
    ) % {
        "met": met,
        "count": len(answers),
        "latest": _("met") if answers[-1].met else _("not met"),
    }
    if due_on:
        desc += " " + _("Due %(date)s.") % {"date": _day(due_on)}
    return _svg(chart_id, _("Progress: %(what)s") % {"what": description}, desc, body, height)


def indicator_chart(
    *,
    chart_id: str,
    description: str,
    kind: str,
    target: Decimal | None,
    unit: str,
    due_on: datetime.date | None,
    points: list[Point],
) -> SafeString:
    """The chart's SVG markup (every text in it escaped), or "" when nothing was logged."""
    if kind == "yes_no":
        svg = yes_no_chart(chart_id=chart_id, description=description, due_on=due_on, points=points)
    else:
        svg = number_chart(
            chart_id=chart_id,
            description=description,
            target=target,
            unit=unit,
            due_on=due_on,
            points=points,
        )
    return mark_safe(svg)  # noqa: S308 - built above from numbers and escaped text only  # nosec B308 B703


# Cohort dashboard charts -------------------------------------------------------------------
# Wider than the indicator charts: a cohort's weeks need room. Same rules: presentation
# attributes only, every text escaped, a <title>/<desc> pair, and a table next to the chart.

# The same width as the indicator charts, so that text keeps about its size in a card.
WIDE_WIDTH, WIDE_HEIGHT = 320, 150
WIDE_LEFT, WIDE_RIGHT, WIDE_TOP, WIDE_BOTTOM = 36, 8, 12, 26
CHAR_WIDTH = 6.5  # of a 10px label, generously (DejaVu Sans is wide)
BAR = "#0d6efd"
GRID = "#dee2e6"


def _wide_svg(chart_id: str, title: str, desc: str, body: list[str]) -> SafeString:
    svg = (
        f'<svg class="pm-chart pm-chart-wide" viewBox="0 0 {WIDE_WIDTH} {WIDE_HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - built from numbers and escaped text only  # nosec B308 B703


def _nice_top(value: float) -> float:
    """A round axis maximum at or above `value`: 1, 2, 5, 10, 20, 50, …"""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _x_labels(labels: list[str], x_of, y: float) -> list[str]:
    """As many labels as fit without touching (every one, every other one, …), always the
    first and the last."""
    if not labels:
        return []
    count = len(labels)
    room = (WIDE_WIDTH - WIDE_LEFT - WIDE_RIGHT) / count  # per label
    needed = max(len(label) for label in labels) * CHAR_WIDTH + 10
    every = max(1, -int(-needed // room))
    body = []
    shown = list(range(0, count, every))
    if count - 1 not in shown:
        if len(shown) > 1 and count - 1 - shown[-1] < every:
            shown.pop()  # too close to the last label
        shown.append(count - 1)
    for index in shown:
        anchor = "middle"
        if count > 1 and index == 0:
            anchor = "start"
        elif count > 1 and index == count - 1:
            anchor = "end"
        x = x_of(index)
        if anchor == "start":
            x = max(x - 6, WIDE_LEFT)
        elif anchor == "end":
            x = min(x + 6, WIDE_WIDTH - WIDE_RIGHT)
        body.append(_text(x, y, labels[index], anchor=anchor))
    return body


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: list[str],
    values: list[int],
    value_label: str = "",
    axis_labels: list[str] | None = None,
) -> SafeString:
    """Vertical bars, one per label, on a zero-based axis with its maximum labelled.

    Each bar carries a `<title>` ("label: value") for pointer users; `description` becomes the
    chart's `<desc>`. `axis_labels` (one per bar) replace the labels under the axis when those
    are too long to fit. Returns "" when there is nothing to draw.
    """
    if not labels:
        return mark_safe("")  # nosec B308  # an empty string: no markup
    top = _nice_top(max(values, default=0))
    plot_w = WIDE_WIDTH - WIDE_LEFT - WIDE_RIGHT
    plot_h = WIDE_HEIGHT - WIDE_TOP - WIDE_BOTTOM
    slot = plot_w / len(labels)
    gap = min(slot * 0.2, 6)
    base = WIDE_TOP + plot_h

    def x_of(index):
        return WIDE_LEFT + slot * index + slot / 2

    body = [
        f'<line x1="{WIDE_LEFT}" y1="{WIDE_TOP:.1f}" x2="{WIDE_WIDTH - WIDE_RIGHT}" '
        f'y2="{WIDE_TOP:.1f}" stroke="{GRID}" stroke-width="1"/>',
        _text(WIDE_LEFT - 4, WIDE_TOP + 3, number(Decimal(str(top))), anchor="end"),
        _text(WIDE_LEFT - 4, base + 3, "0", anchor="end"),
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_h * value / top
        tip = f"{label}: {value}" + (f" {value_label}" if value_label else "")
        body.append(
            f'<rect class="pm-chart-bar" x="{WIDE_LEFT + slot * index + gap / 2:.1f}" '
            f'y="{base - height:.1f}" width="{max(slot - gap, 1):.1f}" height="{height:.1f}" '
            f'fill="{BAR}"><title>{escape(tip)}</title></rect>'
        )
    body.append(
        f'<line x1="{WIDE_LEFT}" y1="{base:.1f}" x2="{WIDE_WIDTH - WIDE_RIGHT}" y2="{base:.1f}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    body += _x_labels(axis_labels or labels, x_of, WIDE_HEIGHT - 8)
    return _wide_svg(chart_id, title, description, body)


def share_chart(
    *, chart_id: str, title: str, description: str, labels: list[str], shares: list[int | None]
) -> SafeString:
    """A line of percentages (0–100) over the labels; None leaves a gap (nothing to measure).

    Returns "" when no label has a share.
    """
    if not any(share is not None for share in shares):
        return mark_safe("")  # nosec B308  # an empty string: no markup
    plot_w = WIDE_WIDTH - WIDE_LEFT - WIDE_RIGHT
    plot_h = WIDE_HEIGHT - WIDE_TOP - WIDE_BOTTOM
    count = len(labels)

    def x_of(index):
        if count == 1:
            return WIDE_LEFT + plot_w / 2
        return WIDE_LEFT + plot_w * index / (count - 1)

    def y_of(share):
        return WIDE_TOP + plot_h * (1 - share / 100)

    body = []
    for level in (0, 50, 100):
        y = y_of(level)
        colour = MUTED if level == 0 else GRID
        body.append(
            f'<line x1="{WIDE_LEFT}" y1="{y:.1f}" x2="{WIDE_WIDTH - WIDE_RIGHT}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        body.append(_text(WIDE_LEFT - 4, y + 3, f"{level}%", anchor="end"))
    path, drawing = [], False
    for index, share in enumerate(shares):
        if share is None:
            drawing = False
            continue
        command = "L" if drawing else "M"
        path.append(f"{command}{x_of(index):.1f} {y_of(share):.1f}")
        drawing = True
    body.append(
        f'<path class="pm-chart-line" d="{"".join(path)}" fill="none" stroke="{TARGET}" '
        f'stroke-width="2"/>'
    )
    for index, (label, share) in enumerate(zip(labels, shares, strict=True)):
        if share is None:
            continue
        body.append(
            f'<circle cx="{x_of(index):.1f}" cy="{y_of(share):.1f}" r="3" fill="{TARGET}">'
            f"<title>{escape(f'{label}: {share}%')}</title></circle>"
        )
    body += _x_labels(labels, x_of, WIDE_HEIGHT - 8)
    return _wide_svg(chart_id, title, description, body)


def meter(*, percent: int | None) -> SafeString:
    """A thin horizontal bar filled to `percent` (0–100), for a number shown beside it.

    Decorative (aria-hidden): the number next to it says the same.
    """
    filled = max(0, min(100, percent or 0))
    svg = (
        '<svg class="pm-meter" viewBox="0 0 100 6" preserveAspectRatio="none" width="100%" '
        'height="8" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<rect x="0" y="0" width="100" height="6" rx="1" fill="{GRID}"/>'
        f'<rect x="0" y="0" width="{filled}" height="6" rx="1" fill="{BAR}"/>'
        "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - numbers only  # nosec B308 B703


# The help partners rate in their check-ins -----------------------------------------------

SECOND = "#6f42c1"  # the second partner's line: another colour, and dashed


@dataclass(frozen=True)
class Rating:
    when: datetime.date
    rating: int


def help_chart(*, chart_id: str, series: list[tuple[str, list[Rating]]]) -> SafeString:
    """Each partner's help ratings (1–5) over time, one line per partner (the second dashed).

    `series` is (partner's name, ratings oldest first) per partner. Returns "" when nobody
    rated the help yet.
    """
    rated = [(name, ratings) for name, ratings in series if ratings]
    if not rated:
        return mark_safe("")  # nosec B308  # an empty string: no markup
    days = sorted({r.when for _name, ratings in rated for r in ratings})
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    plot_w = WIDE_WIDTH - WIDE_LEFT - WIDE_RIGHT
    plot_h = WIDE_HEIGHT - WIDE_TOP - WIDE_BOTTOM - 14  # room for the legend

    def x_of(day):
        if first == last:
            return WIDE_LEFT + plot_w / 2
        return WIDE_LEFT + plot_w * (day - first).days / span

    def y_of(rating):
        return WIDE_TOP + plot_h * (1 - (rating - 1) / 4)

    body = []
    for level in (1, 3, 5):
        y = y_of(level)
        body.append(
            f'<line x1="{WIDE_LEFT}" y1="{y:.1f}" x2="{WIDE_WIDTH - WIDE_RIGHT}" y2="{y:.1f}" '
            f'stroke="{MUTED if level == 1 else GRID}" stroke-width="1"/>'
        )
        body.append(_text(WIDE_LEFT - 4, y + 3, str(level), anchor="end"))
    base = WIDE_TOP + plot_h
    body.append(_text(WIDE_LEFT, base + 14, _day(first)))
    if last != first:
        body.append(_text(WIDE_WIDTH - WIDE_RIGHT, base + 14, _day(last), anchor="end"))
    summaries = []
    for index, (name, ratings) in enumerate(rated):
        colour = LINE if index == 0 else SECOND
        dash = "" if index == 0 else ' stroke-dasharray="5 3"'
        path = "".join(
            f"{'L' if i else 'M'}{x_of(r.when):.1f} {y_of(r.rating):.1f}"
            for i, r in enumerate(ratings)
        )
        body.append(
            f'<path class="pm-chart-line" d="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        for r in ratings:
            tip = f"{name}, {_day(r.when)}: {r.rating}/5"
            body.append(
                f'<circle cx="{x_of(r.when):.1f}" cy="{y_of(r.rating):.1f}" r="3.5" '
                f'fill="{colour}"><title>{escape(tip)}</title></circle>'
            )
        legend_x = WIDE_LEFT + index * (plot_w / 2)
        legend_y = WIDE_HEIGHT - 6
        body.append(
            f'<line x1="{legend_x:.1f}" y1="{legend_y - 3:.1f}" x2="{legend_x + 16:.1f}" '
            f'y2="{legend_y - 3:.1f}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        body.append(_text(legend_x + 20, legend_y, name[:22]))
        summaries.append(
            ngettext(
                "%(name)s: %(count)s rating, latest %(latest)s of 5.",
                "%(name)s: %(count)s ratings, latest %(latest)s of 5.",
                len(ratings),
            )
            % {"name": name, "count": len(ratings), "latest": ratings[-1].rating}
        )
    return _wide_svg(
        chart_id, _("Help received since the last meeting (1–5)"), " ".join(summaries), body
    )
