"""The alignment pages: the tree from the vision down to self goals, orphans, coverage.

The tree opens at its roots and each goal opens one level at a time (HTMX), so a tree
of any size renders in a fixed number of queries. Everything also works without
JavaScript: a goal's toggle is a GET of the tree focused on that goal, and "show more"
is a link to a page of the goal's children.
"""

from __future__ import annotations

from html import escape

from django import forms
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from leados.core.models import Level, Period
from leados.core.periods import organization_today
from leados.operate.models import GoalStatus
from leados.operate.selectors import alignment as selectors
from leados.operate.selectors.goals import get_goal_for
from leados.operate.selectors.vision import core_values_list, vision_get
from leados.web.forms import Form, PersonField
from leados.web.orgs import org_view
from leados.web.paging import BoundedPaginator

RESULTS_PER_PAGE = 50
RESULTS_COUNT_CAP = 1000
ORPHANS_PER_PAGE = 100


class PeriodSelect(forms.Select):
    """The periods, written out in one join rather than a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308


class UnitSelect(forms.Select):
    """The organization's units from a ``UnitPicker``: options written once and cached,
    since an organization may have thousands."""

    picker: selectors.UnitPicker | None = None

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        options = self.picker.options_html if self.picker else ""
        if value not in (None, ""):
            chosen = f'<option value="{escape(str(value))}">'
            options = options.replace(chosen, chosen[:-1] + " selected>", 1)
        everything = '<option value="">Every unit</option>'
        return mark_safe(f"<select{flatatt(final_attrs)}>{everything}{options}</select>")  # noqa: S308


class AlignmentFilterForm(Form):
    q = forms.CharField(required=False, max_length=100, label="Search titles")
    period = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, widget=PeriodSelect
    )
    unit = forms.IntegerField(required=False, label="Unit and below", widget=UnitSelect)
    level = forms.ChoiceField(required=False, choices=[("", "Any level"), *Level.choices])
    owner = PersonField(required=False, label="Owner (email)")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *GoalStatus.choices])

    def __init__(self, *args, periods, picker, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods, self.picker = periods, picker
        self.fields["period"].choices = [("", "Any period")] + [
            (str(p.pk), p.label) for p in periods
        ]
        self.fields["unit"].widget.picker = picker

    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        if unit is not None and unit not in self.picker.ids:
            raise forms.ValidationError("Choose a unit from the list.")
        return unit


def _bases(request) -> dict:
    """URL prefixes for pages of many rows: one reverse per page instead of several per row."""
    slug = request.org.slug
    return {
        "tree_url": reverse("web:alignment", args=[slug]),
        # A goal's page is ``goals_base`` + id + "/".
        "goals_base": reverse("web:goal", args=[slug, 0]).removesuffix("0/"),
        "people_base": reverse("web:people", args=[slug]),
        "units_base": reverse("web:units", args=[slug]),
    }


def _offset(request) -> int:
    try:
        return max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        return 0


def _exclude(request) -> int | None:
    """A goal already shown out of its place, for "show more" to leave out."""
    value = request.GET.get("exclude", "")
    return int(value) if value.isdigit() else None


def _filters(form) -> selectors.GoalFilter:
    """What the valid filters ask for; a field with an error filters nothing."""
    if not form.is_bound:
        return selectors.GoalFilter()
    form.is_valid()
    data = form.cleaned_data
    criteria = selectors.GoalFilter(
        q=(data.get("q") or "").strip(),
        level=data.get("level") or "",
        owner=data.get("owner"),
        status=data.get("status") or "",
    )
    if data.get("period"):
        criteria.period = next((p for p in form.periods if p.pk == data["period"]), None)
    if data.get("unit"):
        criteria.unit_ids = selectors.subtree_unit_ids(form.picker.outline, data["unit"])
    return criteria


@org_view
@require_GET
def alignment_tree(request):
    """The vision on top, then the goals: the tree (opened at ``?focus=``), or with any
    filter set, the matching goals with their chains up to the vision."""
    periods = list(Period.objects.in_order())
    picker = selectors.unit_picker(request.org.pk)
    params = {k: v for k, v in request.GET.items() if k in AlignmentFilterForm.base_fields}
    form = AlignmentFilterForm(
        params if any(params.values()) else None, periods=periods, picker=picker
    )
    criteria = _filters(form)
    context = {
        "nav": "alignment",
        "vision": vision_get(),
        "core_values": list(core_values_list().values_list("name", flat=True)),
        "form": form,
        "filtering": criteria.active,
        **_bases(request),
    }
    if criteria.active:
        paginator = BoundedPaginator(
            selectors.filtered_goals(criteria), RESULTS_PER_PAGE, cap=RESULTS_COUNT_CAP
        )
        page = paginator.get_page(request.GET.get("page"))
        goals = list(page.object_list)
        chains = selectors.ancestor_chains(goals)
        context.update(page=page, results=[(goal, chains[goal.pk]) for goal in goals], focus=None)
    else:
        focus = None
        offset = 0
        exclude = _exclude(request)
        if request.GET.get("focus"):
            focus = get_goal_for(request.person, request.GET["focus"])
            rows, more, exclude = selectors.focused_tree(focus)
        else:
            offset = _offset(request)
            rows, more = selectors.tree_roots(offset=offset, exclude=exclude)
        next_offset = offset + selectors.PAGE if more else None
        if request.htmx and offset:
            return render(
                request,
                "operate/alignment/_rows.html",
                {**context, "rows": rows, "more_offset": next_offset, "exclude": exclude},
            )
        context.update(
            rows=rows, roots_more=more, next_offset=next_offset, focus=focus, exclude=exclude
        )
    return render(request, "operate/alignment/tree.html", context)


@org_view
@require_GET
def alignment_children(request, goal_id):
    """One level of a goal's children.

    For HTMX: the goal's tree node opened (``?collapse=1``: closed again), or with
    ``?offset=`` the next rows of its children. Without JavaScript: a page of them.
    """
    goal = get_goal_for(request.person, goal_id)
    offset = _offset(request)
    exclude = _exclude(request)
    context = {**_bases(request), "parent": goal}
    if not request.htmx:
        children, more = selectors.goal_children(goal, offset=offset, exclude=exclude)
        chain = selectors.ancestor_chains([goal])[goal.pk]
        return render(
            request,
            "operate/alignment/children.html",
            {
                **context,
                "nav": "alignment",
                "chain": chain,
                "children": children,
                "offset": offset,
                "next_offset": offset + selectors.PAGE if more else None,
            },
        )
    if offset:
        children, more = selectors.goal_children(goal, offset=offset, exclude=exclude)
        return render(
            request,
            "operate/alignment/_rows.html",
            {
                **context,
                "rows": children,
                "more_offset": offset + selectors.PAGE if more else None,
                "exclude": exclude,
            },
        )
    if request.GET.get("collapse") == "1":
        row = selectors.Row(goal=goal)
        selectors.attach_child_counts([row])
    else:
        row = selectors.opened(goal)
    return render(
        request,
        "operate/alignment/_node.html",
        {**context, "row": row, "swapped": True},
    )


@org_view
@require_GET
def alignment_orphans(request):
    """Live goals that trace to no strategy goal, grouped by unit or person, a page at a
    time."""
    paginator = Paginator(selectors.orphans(), ORPHANS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "operate/alignment/orphans.html",
        {
            "nav": "alignment",
            "page": page,
            "groups": selectors.group_orphans(page.object_list),
            **_bases(request),
        },
    )


@org_view
@require_GET
def alignment_coverage(request):
    """Per unit, in unit tree order, how much of its work and its people trace up to the
    vision, and the agreements still open on its goals."""
    today = organization_today(request.org)
    rows, total = selectors.alignment_coverage(selectors.unit_outline(), today=today)
    return render(
        request,
        "operate/alignment/coverage.html",
        {"nav": "alignment", "rows": rows, "total": total, "today": today, **_bases(request)},
    )
