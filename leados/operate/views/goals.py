"""Goal pages: the goal, its check-ins and roll-up, create and edit, move, owner, status,
archive, milestones, "contributes to" links, history; and the agreements inbox.

Each view looks up the objects in its URL first (another organization's is a 404 on any
method), then checks the permission, then parses the form and calls one service.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.access import get_period_for, get_person_for, get_unit_for
from leados.core.errors import Conflict, NotFound
from leados.core.models import Level, Person, Unit
from leados.core.periods import periods_around
from leados.operate.goal_forms import (
    CheckInForm,
    GoalCreateForm,
    GoalEditForm,
    GoalMoveForm,
    GoalReassignForm,
    LinkAddForm,
    ProposeChangeForm,
    ReasonForm,
    StatusOverrideForm,
)
from leados.operate.models import AgreementKind, GoalStatus, Measurable, Milestone
from leados.operate.models.goals import MILESTONE_TITLE_MAX
from leados.operate.selectors import goal_pages as pages
from leados.operate.selectors.goals import get_agreement_for, get_goal_for, get_goal_link_for
from leados.operate.selectors.scorecards import get_measurable_for
from leados.operate.services import agreements as agreement_services
from leados.operate.services import check_ins as check_in_services
from leados.operate.services import goals as goal_services
from leados.operate.services.goal_feed import goal_link_measurable
from leados.web.forms import VersionForm, apply_errors
from leados.web.orgs import org_view
from leados.web.selectors import history_entries
from leados.web.views._common import CONFLICT, UNPROCESSABLE, back, done, post_only, require

ROLLUP_SESSION_KEY = "leados_goal_rollup"
EDIT_FIELDS = [
    "title", "description", "period", "start_date", "due_date", "weight", "kind",
    "start_value", "target_value", "metric_unit", "direction",
]  # fmt: skip


def _goal_url(request, goal) -> str:
    return reverse("web:goal", args=[request.org.slug, goal.pk])


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# ---------------------------------------------------------------------------- goal page


def _edit_initial(goal) -> dict:
    initial = {name: getattr(goal, name) for name in EDIT_FIELDS if name != "period"}
    initial["period"] = str(goal.period_id) if goal.period_id else "ongoing"
    initial["version"] = goal.version
    initial["measurable"] = goal.measurable_id
    return initial


def _feed_choices(goal) -> list:
    """Live measurables a goal may be fed by, the goal's own first when archived."""
    return list(
        Measurable.objects.filter(Q(archived_at__isnull=True) | Q(pk=goal.measurable_id))
        .select_related("unit", "owner")
        .order_by("name", "id")
    )


def _rollup_rows(request, goal, before: dict[int, float]) -> list[dict]:
    """The goal and every goal above it, nearest first, with progress before → after."""
    goal = get_goal_for(request.person, goal.pk)
    chain = [goal, *reversed(pages.ancestors_of(goal))]
    return [
        {
            "id": g.pk,
            "title": g.title,
            "old": round(before.get(g.pk, g.progress) * 100),
            "new": g.percent,
        }
        for g in chain
    ]


def _agreement_row(request, agreement) -> dict:
    """What an agreement is about, where to read it, and whether the viewer answers it."""
    slug = request.org.slug
    url = ""
    if agreement.kind == AgreementKind.GOAL:
        text = agreement.goal.title
        url = reverse("web:goal", args=[slug, agreement.goal_id])
    elif agreement.kind == AgreementKind.LINK:
        link = agreement.link
        text = f"“{link.source.title}” contributes to “{link.target.title}”"
        url = reverse("web:goal", args=[slug, link.target_id])
    else:
        text = agreement.commitment.title
        try:
            url = reverse("web:commitment", args=[slug, agreement.commitment_id])
        except NoReverseMatch:  # the commitment pages may not be installed yet
            url = ""
    answers = policy.can(request.person, policy.AGREEMENT_RESPOND, agreement)
    return {
        "agreement": agreement,
        "text": text,
        "url": url,
        "answers": answers,
        "proposing": answers and agreement.state == "proposed",
        "reviewing": answers and agreement.state == "change_proposed",
        "change_form": ProposeChangeForm(
            kind=agreement.kind, initial={"version": agreement.version}
        )
        if answers and agreement.state == "proposed" and agreement.kind != AgreementKind.LINK
        else None,
    }


def _render_goal(request, goal, *, forms=None, error="", status=200, rollup=None):
    forms = forms or {}
    page = pages.goal_page(goal)
    person = request.person
    can_change = policy.can(person, policy.GOAL_CHANGE, goal) and not goal.is_archived
    can_check_in = policy.can(person, policy.GOAL_CHECK_IN, goal) and not goal.is_archived
    if rollup is None:
        stored = request.session.pop(ROLLUP_SESSION_KEY, None)
        if stored and stored.get("goal") == goal.pk:
            rollup = stored["rows"]
    check_in_form = forms.get("check_in")
    if check_in_form is None and can_check_in:
        check_in_form = CheckInForm(
            goal=goal,
            milestones=page.milestones,
            initial=CheckInForm.initial_for(goal, page.milestones),
        )
    context = {
        "nav": "goals",
        "goal": goal,
        "page": page,
        "chart": pages.progress_chart(page.check_ins),
        "status_label": GoalStatus(goal.effective_status).label,
        "computed_label": GoalStatus(goal.status).label,
        "can_change": can_change,
        "can_unarchive": goal.is_archived and policy.can(person, policy.GOAL_CHANGE, goal),
        "can_check_in": can_check_in,
        "can_add_child": not goal.is_archived
        and policy.can(person, policy.GOAL_CREATE, goal.unit or goal.person),
        "check_in_form": check_in_form,
        "rollup": rollup,
        "error": error,
        "agreements": [_agreement_row(request, a) for a in page.agreements],
        "goal_agreement": page.goal_agreement,
    }
    if can_change:
        context["status_form"] = forms.get("status") or StatusOverrideForm(
            initial={
                "version": goal.version,
                "status_override": goal.status_override,
                "status_override_reason": goal.status_override_reason,
            },
            prefix="status",
        )
        context["owner_form"] = forms.get("owner") or GoalReassignForm(
            initial={"version": goal.version}, prefix="owner"
        )
        context["milestones_error"] = forms.get("milestones_error", "")
        context["link_query"] = forms.get("link_query", "")
        context["link_results"] = forms.get("link_results")
        context["link_error"] = forms.get("link_error", "")
    template = "operate/goals/detail.html"
    return render(request, template, context, status=status)


@org_view
def goal_page(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _render_goal(request, goal)


@org_view
def goal_history(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    entries = history_entries(object_type="goal", object_id=goal.pk)
    return render(
        request,
        "operate/goals/history.html",
        {
            "nav": "goals",
            "goal": goal,
            "page": Paginator(entries, 50).get_page(request.GET.get("page")),
        },
    )


# ---------------------------------------------------------------------------- check-in


@org_view
def goal_check_in(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.GOAL_CHECK_IN, goal)
    milestones = list(Milestone.objects.filter(goal=goal).order_by("position", "id"))
    form = CheckInForm(request.POST, goal=goal, milestones=milestones)
    status = UNPROCESSABLE
    if form.is_valid():
        before = pages.progress_of([goal.pk, *goal.ancestor_ids])
        try:
            check_in_services.check_in_create(
                goal=goal,
                author=request.person,
                expected_version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            rows = _rollup_rows(request, goal, before)
            if request.htmx:
                goal = get_goal_for(request.person, goal.pk)
                return _check_in_partial(request, goal, rollup=rows)
            request.session[ROLLUP_SESSION_KEY] = {"goal": goal.pk, "rows": rows}
            done(request, "Check-in saved.")
            return redirect(_goal_url(request, goal))
    if request.htmx:
        return _check_in_partial(request, goal, form=form, status=status)
    return _render_goal(request, goal, forms={"check_in": form}, status=status)


def _check_in_partial(request, goal, *, form=None, rollup=None, status=200):
    milestones = list(Milestone.objects.filter(goal=goal).order_by("position", "id"))
    if form is None:
        form = CheckInForm(
            goal=goal, milestones=milestones, initial=CheckInForm.initial_for(goal, milestones)
        )
    context = {
        "goal": goal,
        "check_in_form": form,
        "rollup": rollup,
        "oob": rollup is not None,
        "status_label": GoalStatus(goal.effective_status).label,
    }
    if rollup is not None:
        context["check_ins"] = pages.goal_check_ins(goal)
        context["chart"] = pages.progress_chart(context["check_ins"])
    return render(request, "operate/goals/_check_in.html", context, status=status)


# ---------------------------------------------------------------------------- create, edit


def _periods(request):
    return periods_around(request.org)


def _create_form(request, data=None, initial=None):
    units = Unit.objects.filter(archived_at__isnull=True).order_by("name", "id")[:500]
    parent_id = (data or {}).get("parent") or (initial or {}).get("parent")
    parents = pages.parent_candidates(None, limit=pages.PARENT_CHOICES)
    parents = [g for g in parents if g.level != Level.SELF]
    if parent_id and str(parent_id).isdigit() and int(parent_id) not in {g.pk for g in parents}:
        try:
            parents.insert(0, get_goal_for(request.person, parent_id))
        except NotFound:
            pass
    return GoalCreateForm(
        data, initial=initial, units=units, parents=parents, periods=_periods(request)
    )


def _create_target(request, source) -> Unit | Person:
    """The unit or the person's Self the new goal is for; the viewer's own Self by default."""
    unit_id = (source.get("unit") or "").strip()
    if unit_id:
        return get_unit_for(request.person, unit_id)
    person_id = (source.get("person") or "").strip()
    if person_id and person_id.isdigit():
        return get_person_for(request.person, person_id)
    return request.person


@org_view
@require_http_methods(["GET", "POST"])
def goal_create(request):
    if request.method == "GET":
        initial = {"weight": 1, "kind": "metric"}
        target = _create_target(request, request.GET)
        require(request, policy.GOAL_CREATE, target)
        if isinstance(target, Unit):
            initial["unit"] = str(target.pk)
        else:
            initial["person"] = target.user.email
        if request.GET.get("parent", "").isdigit():
            initial["parent"] = request.GET["parent"]
        current = [p for p in _periods(request) if p.kind == "quarter"]
        if current:
            initial["period"] = str(current[0].pk)
        return _create_page(request, _create_form(request, initial=initial))
    # Refuse before parsing: whoever may not set a goal here learns nothing from the form.
    target = _create_target(request, {"unit": request.POST.get("unit", "")})
    if isinstance(target, Person) and request.POST.get("person"):
        target = _posted_person(request) or target
    require(request, policy.GOAL_CREATE, target)
    form = _create_form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        unit = get_unit_for(request.person, data["unit"]) if data["unit"] else None
        person = None if unit else (data["person"] or request.person)
        require(request, policy.GOAL_CREATE, unit or person)
        try:
            parent = get_goal_for(request.person, data["parent"]) if data["parent"] else None
            period = _period(request, data["period"])
            goal = goal_services.goal_create(
                organization=request.org,
                actor=request.person,
                title=data["title"],
                unit=unit,
                person=person,
                owner=data["owner"],
                period=period,
                parent=parent,
                kind=data["kind"],
                description=data["description"],
                weight=data["weight"],
                start_value=data["start_value"],
                target_value=data["target_value"],
                metric_unit=data["metric_unit"],
                direction=data["direction"],
                start_date=data["start_date"],
                due_date=data["due_date"],
                milestones=form.milestone_titles(),
            )
        except NotFound:
            form.add_error(None, "The goal or period you chose no longer exists.")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"Goal “{goal.title}” set.")
            return redirect(_goal_url(request, goal))
    return _create_page(request, form, status=UNPROCESSABLE)


def _posted_person(request) -> Person | None:
    email = (request.POST.get("person") or "").strip()
    if not email:
        return None
    return Person.objects.filter(user__email__iexact=email, is_active=True).first()


def _period(request, period_id):
    if period_id is None:
        return None
    return get_period_for(request.person, period_id)


def _create_page(request, form, status=200):
    return render(
        request,
        "operate/goals/create.html",
        {"nav": "goals", "form": form},
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def goal_edit(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    require(request, policy.GOAL_CHANGE, goal)
    periods = _periods(request)
    if request.method == "GET":
        form = GoalEditForm(
            initial=_edit_initial(goal),
            periods=periods,
            current_period=goal.period,
            measurables=_feed_choices(goal),
        )
        return _edit_page(request, goal, form)
    form = GoalEditForm(
        request.POST, periods=periods, current_period=goal.period, measurables=_feed_choices(goal)
    )
    status = UNPROCESSABLE
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EDIT_FIELDS}
        try:
            fields["period"] = _period(request, fields["period"])
            measurable_id = form.cleaned_data["measurable"]
            try:
                measurable = (
                    get_measurable_for(request.person, measurable_id) if measurable_id else None
                )
            except NotFound:
                raise ValidationError(
                    {"measurable": ["This measurable no longer exists."]}
                ) from None
            with transaction.atomic():
                goal = goal_services.goal_update(
                    goal=goal,
                    actor=request.person,
                    expected_version=form.cleaned_data["version"],
                    **fields,
                )
                goal_link_measurable(
                    goal=goal,
                    measurable=measurable,
                    actor=request.person,
                    expected_version=goal.version,
                )
        except NotFound:
            form.add_error("period", "This period no longer exists.")
        except Conflict as exc:
            form.add_error(
                None,
                f"{exc.message} The form shows your text; reload the page to see theirs.",
            )
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, "Goal saved.")
            return redirect(_goal_url(request, goal))
    return _edit_page(request, goal, form, status=status)


def _edit_page(request, goal, form, status=200):
    return render(
        request,
        "operate/goals/edit.html",
        {"nav": "goals", "goal": goal, "form": form},
        status=status,
    )


# ---------------------------------------------------------------------------- move, owner, status


@org_view
@require_http_methods(["GET", "POST"])
def goal_move(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    require(request, policy.GOAL_CHANGE, goal)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    form = GoalMoveForm(initial={"version": goal.version})
    status = 200
    if request.method == "POST":
        form = GoalMoveForm(request.POST)
        status = UNPROCESSABLE
        if form.is_valid():
            try:
                parent_id = form.cleaned_data["parent"]
                parent = get_goal_for(request.person, parent_id) if parent_id else None
                goal_services.goal_move(
                    goal=goal, parent=parent, expected_version=form.cleaned_data["version"]
                )
            except NotFound:
                form.add_error(None, "That goal does not exist; search again.")
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Goal moved." if parent else "Goal is now a root goal.")
                return redirect(_goal_url(request, goal))
    return render(
        request,
        "operate/goals/move.html",
        {
            "nav": "goals",
            "goal": goal,
            "form": form,
            "q": query,
            "candidates": pages.parent_candidates(goal, text=query),
            "ancestors": pages.ancestors_of(goal),
        },
        status=status,
    )


@org_view
def goal_reassign(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.GOAL_CHANGE, goal)
    form = GoalReassignForm(request.POST, prefix="owner")
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            goal = goal_services.goal_reassign(
                goal=goal,
                actor=request.person,
                owner=form.cleaned_data["owner"],
                expected_version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"{goal.owner.name} owns this goal now.")
            return redirect(_goal_url(request, goal))
    return _render_goal(request, goal, forms={"owner": form}, status=status)


@org_view
def goal_status(request, goal_id):
    goal = get_goal_for(request.person, goal_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.GOAL_CHANGE, goal)
    form = StatusOverrideForm(request.POST, prefix="status")
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            goal_services.goal_update(
                goal=goal,
                actor=request.person,
                expected_version=form.cleaned_data["version"],
                status_override=form.cleaned_data["status_override"],
                status_override_reason=form.cleaned_data["status_override_reason"],
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, "Status saved.")
            return redirect(_goal_url(request, goal))
    return _render_goal(request, goal, forms={"status": form}, status=status)


# ---------------------------------------------------------------------------- archive, delete


def _lifecycle(request, goal_id, service, message: str, *, after=None):
    goal = get_goal_for(request.person, goal_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.GOAL_CHANGE, goal)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _render_goal(
            request, goal, error="Reload the page and try again.", status=UNPROCESSABLE
        )
    try:
        service(goal=goal, expected_version=form.cleaned_data["version"])
    except Conflict as exc:
        return _render_goal(request, goal, error=exc.message, status=CONFLICT)
    except ValidationError as exc:
        return _render_goal(request, goal, error=" ".join(exc.messages), status=UNPROCESSABLE)
    done(request, message.format(title=goal.title))
    return redirect(after or _goal_url(request, goal))


@org_view
def goal_archive(request, goal_id):
    return _lifecycle(request, goal_id, goal_services.goal_archive, "“{title}” archived.")


@org_view
def goal_unarchive(request, goal_id):
    return _lifecycle(request, goal_id, goal_services.goal_unarchive, "“{title}” restored.")


@org_view
def goal_delete(request, goal_id):
    return _lifecycle(
        request,
        goal_id,
        goal_services.goal_delete,
        "“{title}” deleted.",
        after=reverse("web:my_week", args=[request.org.slug]),
    )


# ---------------------------------------------------------------------------- milestones


@org_view
def goal_milestones(request, goal_id):
    """Rename, tick, reorder, remove and add milestones in one form."""
    goal = get_goal_for(request.person, goal_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.GOAL_CHANGE, goal)
    post = request.POST
    version = _version(request)
    rows = []
    for index, milestone in enumerate(
        Milestone.objects.filter(goal=goal).order_by("position", "id")
    ):
        prefix = f"milestone-{milestone.pk}"
        if post.get(f"{prefix}-remove"):
            continue
        try:
            position = int(post.get(f"{prefix}-position", index + 1))
        except ValueError:
            position = index + 1
        rows.append(
            (
                position,
                index,
                {
                    "id": milestone.pk,
                    "title": post.get(f"{prefix}-title", milestone.title),
                    "done": bool(post.get(f"{prefix}-done")),
                },
            )
        )
    items = [item for _p, _i, item in sorted(rows, key=lambda r: (r[0], r[1]))]
    for line in (post.get("new") or "").splitlines():
        if line.strip():
            items.append({"title": line.strip()[: MILESTONE_TITLE_MAX + 1], "done": False})
    if version is None:
        return _render_goal(
            request, goal, forms={"milestones_error": "Reload the page and try again."},
            status=UNPROCESSABLE,
        )  # fmt: skip
    try:
        goal_services.goal_milestones_set(goal=goal, milestones=items, expected_version=version)
    except Conflict as exc:
        return _render_goal(request, goal, forms={"milestones_error": exc.message}, status=CONFLICT)
    except ValidationError as exc:
        return _render_goal(
            request, goal, forms={"milestones_error": " ".join(exc.messages)},
            status=UNPROCESSABLE,
        )  # fmt: skip
    done(request, "Milestones saved.")
    return redirect(_goal_url(request, goal))


# ---------------------------------------------------------------------------- links


@org_view
@require_http_methods(["GET", "POST"])
def goal_link_add(request, goal_id):
    """GET searches goals to contribute to; POST proposes the link."""
    goal = get_goal_for(request.person, goal_id)
    require(request, policy.GOAL_CHANGE, goal)
    query = (request.GET.get("q") or "").strip()[:100]
    if request.method == "GET":
        results = pages.link_candidates(goal, text=query) if query else []
        return _render_goal(request, goal, forms={"link_query": query, "link_results": results})
    form = LinkAddForm(request.POST)
    error = "Choose a goal from the search results."
    if form.is_valid():
        try:
            target = get_goal_for(request.person, form.cleaned_data["target"])
            link = goal_services.goal_link_create(source=goal, target=target, actor=request.person)
        except NotFound:
            error = "That goal does not exist; search again."
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if link.state == "accepted":
                done(request, f"This goal now contributes to “{target.title}”.")
            else:
                done(request, f"Asked {target.title}'s lead to agree to the link.")
            return redirect(_goal_url(request, goal))
    return _render_goal(request, goal, forms={"link_error": error}, status=UNPROCESSABLE)


@org_view
def goal_link_remove(request, goal_id, link_id):
    goal = get_goal_for(request.person, goal_id)
    link = get_goal_link_for(request.person, link_id)
    if goal.pk not in (link.source_id, link.target_id):
        raise NotFound()
    refused = post_only(request)
    if refused:
        return refused
    if not (
        policy.can(request.person, policy.GOAL_CHANGE, link.source)
        or policy.can(request.person, policy.GOAL_CHANGE, link.target)
    ):
        require(request, policy.GOAL_CHANGE, goal)
    goal_services.goal_link_delete(link=link)
    done(request, f"“{link.source.title}” no longer contributes to “{link.target.title}”.")
    return redirect(_goal_url(request, goal))


# ---------------------------------------------------------------------------- agreements


def _agreements_page(request, *, error="", forms=None, status=200):
    awaiting, awaiting_total = pages.agreements_awaiting(request.person)
    waiting, waiting_total = pages.agreements_waiting_on_others(request.person)
    rows = [_agreement_row(request, a) for a in awaiting]
    for row in rows:
        bound = (forms or {}).get(row["agreement"].pk)
        if bound is not None:
            row["change_form" if isinstance(bound, ProposeChangeForm) else "reason_form"] = bound
    return render(
        request,
        "operate/goals/agreements.html",
        {
            "nav": "agreements",
            "awaiting": rows,
            "awaiting_total": awaiting_total,
            "waiting": [_agreement_row(request, a) for a in waiting],
            "waiting_total": waiting_total,
            "error": error,
        },
        status=status,
    )


@org_view
def agreements(request):
    return _agreements_page(request)


ACTIONS = ("accept", "decline", "propose", "accept-change", "reject-change")


@org_view
def agreement_act(request, agreement_id, action: str):
    agreement = get_agreement_for(request.person, agreement_id)
    refused = post_only(request)
    if refused:
        return refused
    person = request.person
    if agreement.is_pending or person.pk not in (agreement.requester_id, agreement.responder_id):
        require(request, policy.AGREEMENT_RESPOND, agreement)
    elif person.role == "viewer":
        require(request, policy.AGREEMENT_RESPOND, agreement)
    fallback = reverse("web:agreements", args=[request.org.slug])
    if action == "propose":
        form = ProposeChangeForm(request.POST, kind=agreement.kind)
    else:
        form = ReasonForm(request.POST)
    if not form.is_valid():
        return _agreements_page(request, forms={agreement.pk: form}, status=UNPROCESSABLE)
    version = form.cleaned_data["version"]
    reason = form.cleaned_data.get("reason", "")
    try:
        if not agreement.is_pending:
            raise Conflict(
                f"This agreement is {agreement.get_state_display().lower()}; "
                "it is no longer waiting for an answer."
            )
        if action == "accept":
            agreement_services.agreement_accept(agreement=agreement, expected_version=version)
            message = "Agreed."
        elif action == "decline":
            agreement_services.agreement_decline(
                agreement=agreement, reason=reason, expected_version=version
            )
            message = "Declined; the requester sees your reason."
        elif action == "propose":
            agreement_services.agreement_propose_change(
                agreement=agreement, change=form.change(), reason=reason, expected_version=version
            )
            message = "Change proposed; the requester decides."
        elif action == "accept-change":
            agreement_services.agreement_accept_change(
                agreement=agreement, expected_version=version
            )
            message = "Change accepted and applied."
        else:
            agreement_services.agreement_reject_change(
                agreement=agreement, reason=reason, expected_version=version
            )
            message = "Change turned down; the original terms stand."
    except Conflict as exc:
        return _agreements_page(request, error=exc.message, status=CONFLICT)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _agreements_page(
            request,
            forms={agreement.pk: form},
            error=" ".join(exc.messages),
            status=UNPROCESSABLE,
        )
    done(request, message)
    return back(request, fallback)
