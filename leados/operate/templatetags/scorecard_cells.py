"""The grid's period cells, written in Python: 20 rows × 13 cells through the template
engine cost more than reading and computing the whole grid, for the same markup."""

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


@register.simple_tag
def sc_mark(colour) -> str:
    return mark_safe(mark(colour))  # noqa: S308 - fixed text
