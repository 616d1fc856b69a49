"""Pages of measures: a person's, a unit's or one routine's figures with adherence over
time, and the coverage map of leaders × the 16 dimensions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leados.core.models import Level
from leados.core.models.units import UNIT_LEVELS
from leados.operate.selectors.alignment import unit_picker
from leados.operate.views.alignment import UnitSelect
from leados.sops.models import DIMENSIONS_OF, Dimension, Domain
from leados.sops.selectors import coverage as coverage_selectors
from leados.sops.selectors import measures as selectors
from leados.web.forms import Form
from leados.web.orgs import org_view

NAV = "sops"
SOPS_PER_PAGE = 50
DOMAIN_LABELS = dict(Domain.choices)
DIMENSION_LABELS = dict(Dimension.choices)


# --- the chart ----------------------------------------------------------------------------


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str


@dataclass
class AdherenceChart:
    """An SVG line of adherence per week or month, 0 to 100 %, drawn on the server."""

    width: int = 640
    height: int = 220
    pad: int = 44
    top: int = 12
    bottom: int = 28
    points: list[ChartPoint] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # polylines between gaps
    gridlines: list[tuple[float, str]] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    first: str = ""
    last: str = ""

    @property
    def right(self) -> int:
        return self.width - 12

    def y(self, percent: float) -> float:
        inner = self.height - self.top - self.bottom
        return round(self.top + inner * (1 - percent / 100), 1)


def adherence_chart(series: list[selectors.SeriesPoint]) -> AdherenceChart | None:
    if not series or all(point.adherence is None for point in series):
        return None
    chart = AdherenceChart()
    step = (chart.right - chart.pad) / max(len(series) - 1, 1)
    segment: list[str] = []
    for i, point in enumerate(series):
        x = round(chart.pad + i * step, 1)
        if point.adherence is None:
            if segment:
                chart.lines.append(" ".join(segment))
            segment = []
            continue
        y = chart.y(point.adherence)
        chart.points.append(
            ChartPoint(x, y, f"{point.label}: {point.adherence:g} % ({point.done} of {point.due})")
        )
        segment.append(f"{x},{y}")
    if segment:
        chart.lines.append(" ".join(segment))
    chart.gridlines = [(chart.y(v), f"{v} %") for v in (0, 25, 50, 75, 100)]
    every = max(1, len(series) // 6)
    chart.labels = [
        (round(chart.pad + i * step, 1), series[i].label) for i in range(0, len(series), every)
    ]
    chart.first, chart.last = series[0].label, series[-1].label
    return chart


# --- measures -----------------------------------------------------------------------------


class MeasuresForm(Form):
    person = forms.IntegerField(required=False, min_value=1)
    unit = forms.IntegerField(required=False, min_value=1)
    sop = forms.IntegerField(required=False, min_value=1)
    domain = forms.ChoiceField(required=False, choices=[("", "Every domain"), *Domain.choices])
    weeks = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=selectors.DEFAULT_WEEKS,
        choices=[(str(k), v) for k, v in selectors.RANGES.items()],
        label="Range",
    )


def _clean(form: MeasuresForm) -> dict:
    """The valid values; a field with an error falls back to its default."""
    form.is_valid()
    data = form.cleaned_data
    return {
        "person": data.get("person"),
        "unit": data.get("unit"),
        "sop": data.get("sop"),
        "domain": data.get("domain") or "",
        "weeks": data.get("weeks") or selectors.DEFAULT_WEEKS,
    }


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


@org_view
@require_GET
def sop_measures(request):
    """Measures of the viewer's routines, or of a person's (``?person=``), a unit's subtree
    (``?unit=``) or one routine's (``?sop=``), over 12 weeks, 6 months or a year."""
    form = MeasuresForm(request.GET or None)
    values = _clean(form) if form.is_bound else _clean(MeasuresForm({}))
    number = _page_number(request)

    def page_ids(unit):
        sops = selectors.unit_sops(request.person, unit, domain=values["domain"] or None)
        start = (number - 1) * SOPS_PER_PAGE
        return list(
            sops.order_by("title", "id").values_list("pk", flat=True)[start:][:SOPS_PER_PAGE]
        )

    kind, subject, measures = selectors.measures_for_viewer(
        request.person, values, page_ids=page_ids
    )
    page = Paginator(measures.sops, SOPS_PER_PAGE).get_page(number)
    domains = [
        (key, DOMAIN_LABELS[key], measures.by_domain[key])
        for key in Domain.values
        if not values["domain"] or key == values["domain"]
    ]
    context = {
        "nav": NAV,
        "form": form,
        "values": values,
        "kind": kind,
        "subject": subject,
        "measures": measures,
        "figures": measures.figures,
        "domains": domains,
        "page": page,
        "chart": adherence_chart(measures.series),
        "ranges": list(selectors.RANGES.items()),
        "domain_choices": Domain.choices,
        "dimension_labels": DIMENSION_LABELS,
        "monthly": measures.weeks >= selectors.MONTHLY_FROM_WEEKS,
    }
    template = "sops/measures_chart.html" if request.htmx else "sops/measures.html"
    return render(request, template, context)


# --- coverage -----------------------------------------------------------------------------


class CoverageForm(Form):
    unit = forms.IntegerField(required=False, label="Unit and below", widget=UnitSelect)
    level = forms.ChoiceField(
        required=False,
        choices=[("", "Any level"), *[(lv.value, lv.label) for lv in UNIT_LEVELS]],
        label="Leads or manages at",
    )
    gaps = forms.BooleanField(required=False, label="Only leaders with gaps")

    def __init__(self, *args, picker, **kwargs):
        super().__init__(*args, **kwargs)
        self.picker = picker
        self.fields["unit"].widget.picker = picker

    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        if unit is not None and unit not in self.picker.ids:
            raise forms.ValidationError("Choose a unit from the list.")
        return unit


@org_view
@require_GET
def sop_coverage(request):
    """Leaders × the 16 dimensions: live routines and their adherence, gaps highlighted."""
    params = {k: v for k, v in request.GET.items() if k in CoverageForm.base_fields}
    picker = unit_picker(request.org.pk)
    form = CoverageForm(params if any(params.values()) else None, picker=picker)
    data = {}
    if form.is_bound:
        form.is_valid()
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    coverage = coverage_selectors.coverage_for_viewer(
        request.person, data, page=request.GET.get("page")
    )
    return render(
        request,
        "sops/coverage.html",
        {
            "nav": NAV,
            "form": form,
            "coverage": coverage,
            "levels": [(lv.value, lv.label) for lv in UNIT_LEVELS],
            "band_words": coverage_selectors.BAND_WORDS,
            "dimensions_of": DIMENSIONS_OF,
            "level_word": dict(Level.choices),
        },
    )
