"""The grid's cells, written in Python: 20 rows × 13 cells through the template engine
cost more than reading and computing the whole grid, for the same markup. The colour mark
and the "in reach?" verdict are also used by the measurable and compare pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

MARKS = {
    "green": ("✓", "on target"),
    "yellow": ("!", "close"),
    "red": ("✗", "off target"),
}


def mark(colour: str | None) -> str:
    """The colour said as a sign and in words (as ``_mark.html`` does)."""
    if colour not in MARKS:
        return ""
    sign, words = MARKS[colour]
    return (
        f'<span class="sc-mark" aria-hidden="true">{sign}</span>'
        f'<span class="visually-hidden">{words}</span>'
    )


@register.simple_tag
def sc_cells(row) -> str:
    """Every period cell of a grid row: an input where the row takes values, the value's
    text where it is computed; the colour's class, mark and words; the note; the error."""
    m = row.measurable
    name, pk, editable = escape(m.name), m.pk, row.editable
    parts = []
    for cell in row.cells:
        colour = f" colour-{cell.colour}" if cell.colour else ""
        title = f' title="Target: {escape(cell.target)}"' if cell.target else ""
        if editable:
            raw = escape(cell.raw)
            body = (
                f'<input class="sc-input" type="text" inputmode="decimal" autocomplete="off" '
                f'aria-label="{name}, {escape(cell.span.label)}" data-measurable="{pk}" '
                f'data-period="{cell.span.start.isoformat()}" data-version="{cell.version}" '
                f'data-saved="{raw}" value="{raw}">'
            )
        else:
            body = f'<span class="sc-value">{escape(cell.text)}</span>'
        note = ""
        if cell.note:
            text = escape(cell.note)
            note = (
                f'<span class="sc-note" title="{text}">✎'
                f'<span class="visually-hidden"> Note: {text}</span></span>'
            )
        error = '<span class="sc-error" role="alert"></span>' if editable else ""
        parts.append(
            f'<td class="sc-cell{colour}"{title}>{body}{mark(cell.colour)}{note}{error}</td>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


TRENDS = {
    "improving": "↗ improving",
    "worsening": "↘ worsening",
    "rising": "↗ rising",
    "falling": "↘ falling",
}
STATUSES = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}


def reach(forecast) -> str:
    """The forecast's verdict: its status and probability, with the sentence to unfold."""
    if forecast is None:
        return '<span class="muted">Too few values</span>'
    sentence = escape(forecast.sentence)
    if not forecast.status:
        return f'<span class="muted" title="{sentence}">No target</span>'
    words = STATUSES.get(forecast.status, STATUSES["off_track"])
    chance = ""
    if forecast.probability is not None:
        chance = f' <span class="sc-prob">{round(forecast.probability * 100)} %</span>'
    return (
        f'<details class="sc-reach"><summary><span class="badge sc-status '
        f'status-{escape(forecast.status)}">{words}</span>{chance}</summary>'
        f"<p>{sentence}</p></details>"
    )


@register.simple_tag
def sc_row_end(row, periods: int) -> str:
    """The rest of a grid row after its period cells: period and year to date, the
    sparkline of the last ``periods`` periods with the trend, and whether it is in reach."""
    parts = []
    for t in row.to_date:
        colour = f" colour-{t['colour']}" if t.get("colour") else ""
        title = f' title="Target: {escape(t["target_text"])}"' if t.get("target_text") else ""
        parts.append(
            f'<td class="sc-todate{colour}"{title}>{escape(t["text"])}{mark(t.get("colour"))}</td>'
        )
    trend = ""
    if row.spark:
        trend += (
            '<svg class="sc-spark" viewBox="0 0 80 20" width="80" height="20" role="img" '
            f'aria-label="Last {periods} periods"><polyline points="{escape(row.spark)}" '
            'fill="none"></polyline></svg>'
        )
    if row.trend:
        words = TRENDS.get(row.trend, "→ steady")
        trend += f'<span class="sc-trend-word trend-{escape(row.trend)}">{words}</span>'
    parts.append(f'<td class="sc-trend">{trend}</td>')
    parts.append(f'<td class="sc-reach-cell">{reach(row.forecast)}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def sc_reach(forecast) -> str:
    return mark_safe(reach(forecast))  # noqa: S308 - every value in it is escaped


@register.simple_tag
def sc_mark(colour) -> str:
    return mark_safe(mark(colour))  # noqa: S308 - fixed text
