"""The units tree (org chart) and the unit page: add, rename, move, archive, staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy, services
from leados.core.access import get_role_assignment_for, get_unit_for
from leados.core.errors import Conflict, NotFound
from leados.core.models import Level, UnitRole
from leados.web import selectors
from leados.web.forms import (
    RoleAssignForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMoveForm,
    UnitRenameForm,
    VersionForm,
    apply_errors,
    unit_choices,
)
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, form_status, post_only, require

RECENT_HISTORY = 10
# A tree larger than this opens at its first two levels; deeper parts open on demand.
TREE_LIMIT = 300


def _unit_url(request, unit) -> str:
    return reverse("web:unit", args=[request.org.slug, unit.pk])


def _bases(request) -> dict:
    """URL prefixes for pages of many rows: one reverse per page instead of several per row."""
    slug = request.org.slug
    return {
        "units_base": reverse("web:units", args=[slug]),
        "people_base": reverse("web:people", args=[slug]),
    }


@org_view
def unit_tree(request):
    include_archived = request.GET.get("archived") == "1"
    tree = selectors.unit_tree(include_archived=include_archived)
    return render(
        request,
        "web/units/tree.html",
        {
            "nav": "units",
            "nodes": selectors.shown_nodes(tree, request.person, limit=TREE_LIMIT),
            "unit_total": len(tree),
            "include_archived": include_archived,
            "archived_query": "?archived=1" if include_archived else "",
            "can_create": policy.can(request.person, policy.UNIT_CREATE),
            **_bases(request),
        },
    )


@org_view
def unit_subtree(request, unit_id):
    """The part of the tree below one unit, for opening a folded branch in place."""
    unit = get_unit_for(request.person, unit_id)
    include_archived = request.GET.get("archived") == "1"
    if not request.htmx:
        return redirect(_unit_url(request, unit))
    tree = selectors.unit_tree(include_archived=include_archived)
    below = selectors.shown_nodes(tree, request.person, limit=TREE_LIMIT, below=unit.pk)
    return render(
        request,
        "web/units/tree.html#subtree",
        {
            "nodes": below,
            "archived_query": "?archived=1" if include_archived else "",
            **_bases(request),
        },
    )


@org_view
@require_http_methods(["GET", "POST"])
def unit_create(request):
    require(request, policy.UNIT_CREATE)
    choices = unit_choices(selectors.unit_choices_tree())
    form = UnitCreateForm(
        request.POST or None,
        parent_choices=choices,
        initial={"parent": request.GET.get("parent"), "level": request.GET.get("level")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parent = get_unit_for(request.person, data["parent"])
            unit = services.unit_create(
                parent=parent,
                level=data["level"],
                name=data["name"],
                description=data["description"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except NotFound:
            form.add_error("parent", "Choose a unit from the list.")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"{unit.name} was added.")
            return redirect(_unit_url(request, unit))
    return render(
        request,
        "web/units/create.html",
        {"nav": "units", "form": form},
        status=form_status(form),
    )


def _unit_context(request, unit, **extra) -> dict:
    person = request.person
    roles = selectors.unit_roles(unit)
    history = list(
        selectors.history_entries(object_type="unit", object_id=unit.pk)[:RECENT_HISTORY]
    )
    can_restructure = policy.can(person, policy.UNIT_RESTRUCTURE, unit)
    can_staff = policy.can(person, policy.UNIT_STAFF, unit)
    role_choices = [
        (value, label)
        for value, label in UnitRole.choices
        if (value == UnitRole.MEMBER and can_staff)
        or (value != UnitRole.MEMBER and can_restructure)
    ]
    assign_form = extra.pop("assign_form", None)
    if assign_form is None and role_choices and not unit.is_archived:
        assign_form = RoleAssignForm(initial={"role": role_choices[0][0]})
    if assign_form is not None:
        assign_form.fields["role"].choices = role_choices
    context = {
        "nav": "units",
        "unit": unit,
        "ancestors": selectors.ancestors(unit),
        "lead": roles["lead"],
        "manager": roles["manager"],
        "members": roles["members"],
        "children": selectors.sub_units(unit, include_archived=request.GET.get("archived") == "1"),
        "history": history,
        "can_change": policy.can(person, policy.UNIT_CHANGE, unit),
        "can_restructure": can_restructure,
        "can_staff": can_staff,
        "can_create": policy.can(person, policy.UNIT_CREATE) and not unit.is_archived,
        "assign_form": assign_form,
        "is_project": unit.level == Level.PROJECT,
    }
    context.update(extra)
    return context


@org_view
def unit_detail(request, unit_id):
    unit = get_unit_for(request.person, unit_id)
    return render(request, "web/units/detail.html", _unit_context(request, unit))


@org_view
@require_http_methods(["GET", "POST"])
def unit_edit(request, unit_id):
    unit = get_unit_for(request.person, unit_id)
    require(request, policy.UNIT_CHANGE, unit)
    is_project = unit.level == Level.PROJECT
    initial = {
        "version": unit.version,
        "name": unit.name,
        "description": unit.description,
        "start_date": unit.start_date,
        "end_date": unit.end_date,
    }
    form = UnitEditForm(request.POST or None, initial=initial, is_project=is_project)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.unit_update(
                    unit=unit, expected_version=form.cleaned_data["version"], **fields
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Saved.")
                return redirect(_unit_url(request, unit))
    return render(
        request, "web/units/edit.html", {"nav": "units", "unit": unit, "form": form}, status=status
    )


@org_view
@require_http_methods(["GET", "POST"])
def unit_rename(request, unit_id):
    """Rename in place: HTMX swaps the name for a small form and back."""
    unit = get_unit_for(request.person, unit_id)
    require(request, policy.UNIT_CHANGE, unit)
    if request.method == "GET":
        if not request.htmx:
            return redirect("web:unit_edit", request.org.slug, unit.pk)
        if request.GET.get("cancel"):
            return render(
                request,
                "web/units/tree.html#unit-name",
                {"unit": unit, "can_change": True, **_bases(request)},
            )
        form = UnitRenameForm(initial={"name": unit.name, "version": unit.version})
        return render(request, "web/units/tree.html#rename-form", {"unit": unit, "form": form})
    form = UnitRenameForm(request.POST)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            unit = services.unit_update(
                unit=unit,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if request.htmx:
                return render(
                    request,
                    "web/units/tree.html#unit-name",
                    {"unit": unit, "can_change": True, "saved": True, **_bases(request)},
                )
            done(request, f"Renamed to {unit.name}.")
            return redirect("web:units", request.org.slug)
    if request.htmx:
        return render(
            request,
            "web/units/tree.html#rename-form",
            {"unit": unit, "form": form},
            status=status,
        )
    return render(
        request,
        "web/units/rename.html",
        {"nav": "units", "unit": unit, "form": form},
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def unit_move(request, unit_id):
    unit = get_unit_for(request.person, unit_id)
    require(request, policy.UNIT_RESTRUCTURE, unit)
    choices = unit_choices(selectors.unit_choices_tree(exclude_below=unit))
    form = UnitMoveForm(
        request.POST or None,
        parent_choices=choices,
        initial={"version": unit.version, "parent": unit.parent_id},
    )
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            try:
                parent = get_unit_for(request.person, form.cleaned_data["parent"])
                services.unit_move(
                    unit=unit, parent=parent, expected_version=form.cleaned_data["version"]
                )
            except NotFound:
                form.add_error("parent", "Choose a unit from the list.")
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, f"{unit.name} now sits below {parent.name}.")
                return redirect(_unit_url(request, unit))
    return render(
        request, "web/units/move.html", {"nav": "units", "unit": unit, "form": form}, status=status
    )


def _archive_toggle(request, unit_id, *, archive: bool):
    unit = get_unit_for(request.person, unit_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    require(request, policy.UNIT_RESTRUCTURE, unit)
    form = VersionForm(request.POST)
    error, status = None, UNPROCESSABLE
    if form.is_valid():
        service = services.unit_archive if archive else services.unit_unarchive
        try:
            unit = service(unit=unit, expected_version=form.cleaned_data["version"])
        except Conflict as exc:
            error, status = exc.message, CONFLICT
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done(request, f"{unit.name} was {'archived' if archive else 'unarchived'}.")
            return redirect(_unit_url(request, unit))
    else:
        error = "The form was incomplete; reload the page and try again."
    unit = get_unit_for(request.person, unit_id)
    return render(
        request, "web/units/detail.html", _unit_context(request, unit, error=error), status=status
    )


@org_view
def unit_archive(request, unit_id):
    return _archive_toggle(request, unit_id, archive=True)


@org_view
def unit_unarchive(request, unit_id):
    return _archive_toggle(request, unit_id, archive=False)


@org_view
def role_assign(request, unit_id):
    unit = get_unit_for(request.person, unit_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    form = RoleAssignForm(request.POST)
    status = UNPROCESSABLE
    conflict = None
    if form.is_valid():
        role = form.cleaned_data["role"]
        action = policy.UNIT_STAFF if role == UnitRole.MEMBER else policy.UNIT_RESTRUCTURE
        require(request, action, unit)
        person = form.cleaned_data["person"]
        try:
            services.role_assignment_create(
                unit=unit, person=person, role=role, replace=form.cleaned_data["replace"]
            )
        except Conflict as exc:
            conflict = {"message": exc.message, "person": person, "role": role}
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            verb = {"lead": "now leads", "manage": "now manages", "member": "is now a member of"}
            done(request, f"{person.name} {verb[role]} {unit.name}.")
            return redirect(_unit_url(request, unit))
    elif not (
        policy.can(request.person, policy.UNIT_STAFF, unit)
        or policy.can(request.person, policy.UNIT_RESTRUCTURE, unit)
    ):
        require(request, policy.UNIT_STAFF, unit)
    return render(
        request,
        "web/units/detail.html",
        _unit_context(request, unit, assign_form=form, conflict=conflict),
        status=status,
    )


@org_view
def role_remove(request, unit_id, assignment_id):
    unit = get_unit_for(request.person, unit_id)
    assignment = get_role_assignment_for(request.person, assignment_id)
    if assignment.unit_id != unit.pk:
        raise NotFound()
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    action = policy.UNIT_STAFF if assignment.role == UnitRole.MEMBER else policy.UNIT_RESTRUCTURE
    require(request, action, unit)
    services.role_assignment_delete(assignment=assignment)
    done(
        request,
        f"{assignment.person.name} no longer {assignment.get_role_display().lower()} {unit.name}."
        if assignment.role != UnitRole.MEMBER
        else f"{assignment.person.name} is no longer a member of {unit.name}.",
    )
    return redirect(_unit_url(request, unit))
