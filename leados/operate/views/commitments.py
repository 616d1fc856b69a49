"""Commitment pages: my commitments (mine, assigned by me, my team), the assign form, and
one commitment's page with the whole loop, its history and the next step's forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict, Forbidden
from leados.core.models import HistoryEntry, RoleAssignment, UnitRole
from leados.core.periods import organization_today
from leados.operate.models import (
    Agreement,
    AgreementState,
    Commitment,
    CommitmentAction,
    CommitmentState,
    Evaluation,
    Goal,
)
from leados.operate.models.commitments import DONE_MAX, NOTE_MAX, TITLE_MAX
from leados.operate.selectors.commitments import (
    commitments_list,
    get_commitment_for,
    pending_agreement,
    team_commitments,
    with_related,
)
from leados.operate.services import commitments as services
from leados.web.forms import Form, PersonField, VersionForm, apply_errors
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

PAGE_SIZE = 50
HISTORY_SHOWN = 30
GOAL_CHOICES = 200
STALE = (
    "Someone else changed this commitment while you were looking at it. The page now shows "
    "the latest; check it, then try again."
)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOOP = [
    ("assign", "Assign"),
    ("execute", "Execute"),
    ("monitor", "Monitor"),
    ("evaluate", "Evaluate"),
    ("act", "Act"),
]


# --- forms -----------------------------------------------------------------------------------


def _text(label, limit, *, required=True, rows=None, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, max_length=limit, required=required, widget=widget, help_text=help_text
    )


class AssignForm(Form):
    owner = PersonField(label="Owner", help_text="Their email address; yours for your own.")
    title = _text("What", TITLE_MAX)
    definition_of_done = _text(
        "Definition of done", DONE_MAX, rows=3, help_text="How you will both know it is met."
    )
    due_date = forms.DateField(label="Due", widget=DATE)
    goal = forms.TypedChoiceField(label="Toward goal", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, goal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "None")] + list(goal_choices)


class TermsForm(VersionForm):
    title = _text("What", TITLE_MAX)
    definition_of_done = _text("Definition of done", DONE_MAX, rows=3)
    due_date = forms.DateField(label="Due", widget=DATE)


class ReasonForm(VersionForm):
    reason = _text("Reason", NOTE_MAX, rows=2)


class OptionalReasonForm(VersionForm):
    reason = _text("Reason (optional)", NOTE_MAX, required=False, rows=2)


class ProposeChangeForm(VersionForm):
    title = _text("What", TITLE_MAX, required=False)
    definition_of_done = _text("Definition of done", DONE_MAX, required=False, rows=3)
    due_date = forms.DateField(label="Due", widget=DATE, required=False)
    reason = _text("Why (optional)", NOTE_MAX, required=False, rows=2)


class UpdateForm(VersionForm):
    state = forms.ChoiceField(
        label="How it goes",
        choices=[
            (CommitmentState.IN_PROGRESS.value, "In progress"),
            (CommitmentState.AT_RISK.value, "At risk"),
        ],
        widget=forms.RadioSelect,
    )
    status_note = _text(
        "Status note", NOTE_MAX, required=False, rows=2, help_text="Required when at risk."
    )


class CompleteForm(VersionForm):
    status_note = _text("Note (optional)", NOTE_MAX, required=False, rows=2)


class EvaluateForm(VersionForm):
    evaluation = forms.ChoiceField(
        label="Result", choices=Evaluation.choices, widget=forms.RadioSelect
    )
    note = _text("Note", NOTE_MAX, required=False, rows=2, help_text="Required unless met.")


class ActForm(VersionForm):
    action = forms.ChoiceField(
        label="Action", choices=CommitmentAction.choices, widget=forms.RadioSelect
    )
    note = _text(
        "Note",
        NOTE_MAX,
        required=False,
        rows=2,
        help_text="Required to escalate (what you need) and to recognize (what you recognize).",
    )
    due_date = forms.DateField(label="Renew: new due date", widget=DATE, required=False)
    title = _text("Renew: what (leave to keep)", TITLE_MAX, required=False)
    definition_of_done = _text(
        "Renew: definition of done (leave to keep)", DONE_MAX, required=False, rows=2
    )


# --- the list ------------------------------------------------------------------------------

TABS = [("mine", "Mine"), ("assigned", "Assigned by me"), ("team", "My team")]


@org_view
def commitments(request):
    person = request.person
    today = organization_today(request.org)
    show = request.GET.get("show", "mine")
    if show not in dict(TABS):
        show = "mine"
    finished = request.GET.get("finished") == "1"
    context = {
        "nav": "commitments",
        "tabs": TABS,
        "show": show,
        "finished": finished,
        "today": today,
        "can_assign": policy.can(person, policy.COMMITMENT_ASSIGN, person),
    }
    if show == "team":
        team = team_commitments(person, today)
        context["team"] = team
        for rows in team.by_state.values():
            for row in rows:
                row.flag_overdue = row.is_overdue(today)
                row.flag_evaluate = services.may_be_evaluated(row, today)
        context["team_groups"] = [
            (state, CommitmentState(state).label, team.counts[state], team.by_state[state])
            for state in team.by_state
        ]
    else:
        mine = show == "mine"
        rows = commitments_list(
            today=today,
            owner=person if mine else None,
            assigned_by=None if mine else person,
            open_only=not finished,
        )
        if finished:
            rows = rows.order_by("-due_date", "-id")
        page = Paginator(with_related(rows), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        for row in page.object_list:
            row.flag_overdue = row.is_overdue(today)
            row.flag_evaluate = services.may_be_evaluated(row, today)
        context["page"] = page
    return render(request, "operate/commitments/list.html", context)


# --- assign --------------------------------------------------------------------------------


def _goal_choices(person, extra_id=None) -> list[tuple[int, str]]:
    """Live goals the assigner owns or whose unit they lead or manage; few, by title."""
    units = RoleAssignment.objects.filter(
        person=person, role__in=[UnitRole.LEAD, UnitRole.MANAGE]
    ).values("unit_id")
    mine = Q(owner=person) | Q(unit__in=units)
    if extra_id:
        mine |= Q(pk=extra_id)
    goals = Goal.objects.live().filter(mine).order_by("title", "id")
    return list(goals.values_list("pk", "title")[:GOAL_CHOICES])


def _as_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@org_view
@require_http_methods(["GET", "POST"])
def commitment_new(request):
    person = request.person
    require(request, policy.COMMITMENT_ASSIGN, person)
    goal_id = _as_int(request.GET.get("goal") or request.POST.get("goal"))
    choices = _goal_choices(person, goal_id)
    if request.method != "POST":
        initial = {"owner": person.email, "goal": goal_id}
        form = AssignForm(initial=initial, goal_choices=choices)
        return render(request, "operate/commitments/new.html", {"nav": "commitments", "form": form})
    form = AssignForm(request.POST, goal_choices=choices)
    if form.is_valid():
        data = form.cleaned_data
        owner = data["owner"]
        goal = None
        if data["goal"]:
            goal = Goal.objects.filter(pk=data["goal"]).first()
        if owner is None:
            form.add_error("owner", "Say who will own it.")
        elif not policy.can(person, policy.COMMITMENT_ASSIGN, owner):
            form.add_error("owner", "You cannot assign a commitment to this person.")
        else:
            try:
                commitment = services.commitment_assign(
                    organization=request.org,
                    assigned_by=person,
                    owner=owner,
                    title=data["title"],
                    definition_of_done=data["definition_of_done"],
                    due_date=data["due_date"],
                    goal=goal,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if commitment.state == CommitmentState.PROPOSED:
                    done(request, f"Assigned to {owner.name}; it waits for their yes.")
                else:
                    done(request, "Your commitment is on.")
                return redirect("web:commitment", request.org.slug, commitment.pk)
    return render(
        request,
        "operate/commitments/new.html",
        {"nav": "commitments", "form": form},
        status=UNPROCESSABLE,
    )


# --- one commitment ------------------------------------------------------------------------


def _loop_step(commitment: Commitment) -> str:
    if commitment.state == CommitmentState.PROPOSED:
        return "assign"
    if commitment.state == CommitmentState.ACCEPTED:
        return "execute"
    if commitment.state in (CommitmentState.IN_PROGRESS, CommitmentState.AT_RISK):
        return "evaluate" if commitment.completed_on else "monitor"
    return "act"


def _history(commitment: Commitment) -> list[HistoryEntry]:
    agreement_ids = list(
        Agreement.objects.filter(commitment=commitment).values_list("pk", flat=True)
    )
    return list(
        HistoryEntry.objects.select_related("actor")
        .filter(
            Q(object_type="commitment", object_id=commitment.pk)
            | Q(object_type="agreement", object_id__in=agreement_ids)
        )
        .order_by("-id")[:HISTORY_SHOWN]
    )


def _initial(commitment: Commitment) -> dict:
    return {"version": commitment.version}


def _forms(request, commitment: Commitment, agreement, today, bound: dict) -> dict:
    """The forms for whoever may act next, keyed by step; a bound form (with errors) wins."""
    person = request.person
    can_update = policy.can(person, policy.COMMITMENT_UPDATE, commitment)
    can_evaluate = policy.can(person, policy.COMMITMENT_EVALUATE, commitment)
    answers = agreement is not None and policy.can(person, policy.AGREEMENT_RESPOND, agreement)
    version = _initial(commitment)
    shown = {}
    state = commitment.state
    if answers and agreement.state == AgreementState.PROPOSED:
        shown["accept"] = VersionForm(initial=version, prefix="accept")
        shown["decline"] = ReasonForm(initial=version, prefix="decline")
        shown["propose"] = ProposeChangeForm(initial=version, prefix="propose")
    if answers and agreement.state == AgreementState.CHANGE_PROPOSED:
        shown["accept"] = VersionForm(initial=version, prefix="accept")
        shown["decline"] = OptionalReasonForm(initial=version, prefix="decline")
    if state == CommitmentState.PROPOSED and can_evaluate:
        shown["terms"] = TermsForm(
            initial={
                **version,
                "title": commitment.title,
                "definition_of_done": commitment.definition_of_done,
                "due_date": commitment.due_date,
            },
            prefix="terms",
        )
        shown["withdraw"] = OptionalReasonForm(initial=version, prefix="withdraw")
    working = state in services.WORKING_STATES and commitment.completed_on is None
    if working and can_update:
        initial = {**version, "state": CommitmentState.IN_PROGRESS.value}
        if state == CommitmentState.AT_RISK:
            initial.update(state=state, status_note=commitment.status_note)
        shown["update"] = UpdateForm(initial=initial, prefix="update")
        shown["complete"] = CompleteForm(initial=version, prefix="complete")
    if can_evaluate and services.may_be_evaluated(commitment, today):
        shown["evaluate"] = EvaluateForm(initial=version, prefix="evaluate")
    if can_evaluate and state == CommitmentState.EVALUATED:
        shown["act"] = ActForm(initial=version, prefix="act")
    for name, form in bound.items():
        shown[name] = form
    return shown


def _page(request, commitment: Commitment, *, bound=None, error="", status=200):
    today = organization_today(request.org)
    agreement = pending_agreement(commitment)
    try:
        renewal = commitment.renewal
    except Commitment.DoesNotExist:
        renewal = None
    step = _loop_step(commitment)
    steps = [k for k, _ in LOOP]
    context = {
        "nav": "commitments",
        "commitment": commitment,
        "agreement": agreement,
        "renewal": renewal,
        "today": today,
        "overdue": commitment.is_overdue(today),
        "loop": [
            (key, label, steps.index(key) < steps.index(step), key == step) for key, label in LOOP
        ],
        "forms": _forms(request, commitment, agreement, today, bound or {}),
        "history": _history(commitment),
        "error": error,
    }
    return render(request, "operate/commitments/detail.html", context, status=status)


@org_view
def commitment(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    return _page(request, found)


def _run(request, commitment: Commitment, name: str, form, write):
    """Validate ``form``, run ``write(form.cleaned_data)``, and answer: back to the page on
    success, or the page with the form's errors or the conflict explained."""
    if not form.is_valid():
        return _page(request, commitment, bound={name: form}, status=UNPROCESSABLE)
    try:
        message = write(form.cleaned_data)
    except Conflict as exc:
        fresh = get_commitment_for(request.person, commitment.pk)
        text = STALE if exc.current_version is not None else exc.message
        return _page(request, fresh, error=text, status=CONFLICT)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, commitment, bound={name: form}, status=UNPROCESSABLE)
    done(request, message)
    return redirect("web:commitment", request.org.slug, commitment.pk)


def _answer(request, commitment_id: int, answer: str):
    person = request.person
    found = get_commitment_for(person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    agreement = pending_agreement(found)
    if agreement is not None:
        require(request, policy.AGREEMENT_RESPOND, agreement)
    elif not (
        policy.can(person, policy.COMMITMENT_UPDATE, found)
        or policy.can(person, policy.COMMITMENT_EVALUATE, found)
    ):
        raise Forbidden()
    change_proposed = agreement is not None and agreement.state == AgreementState.CHANGE_PROPOSED
    if answer == "accept":
        form = VersionForm(request.POST, prefix="accept")
        name = "accept"
    elif answer == "decline":
        form_class = OptionalReasonForm if change_proposed else ReasonForm
        form = form_class(request.POST, prefix="decline")
        name = "decline"
    else:
        form = ProposeChangeForm(request.POST, prefix="propose")
        name = "propose"

    def write(data):
        change = {}
        if answer == "propose_change":
            change = {
                key: data[key]
                for key in ("title", "definition_of_done", "due_date")
                if data.get(key) not in (None, "")
            }
        services.commitment_answer(
            commitment=found,
            answer=answer,
            reason=data.get("reason", ""),
            change=change,
            expected_version=data["version"],
        )
        if answer == "accept":
            return "The change is agreed." if change_proposed else "You said yes: it is yours."
        if answer == "decline":
            if change_proposed:
                return "You kept the terms; the owner is asked again."
            return "Declined; the assigner sees your reason."
        return "Your change is proposed; the assigner answers next."

    return _run(request, found, name, form, write)


@org_view
def commitment_accept(request, commitment_id: int):
    return _answer(request, commitment_id, "accept")


@org_view
def commitment_decline(request, commitment_id: int):
    return _answer(request, commitment_id, "decline")


@org_view
def commitment_propose_change(request, commitment_id: int):
    return _answer(request, commitment_id, "propose_change")


@org_view
def commitment_terms(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.COMMITMENT_EVALUATE, found)

    def write(data):
        services.commitment_revise(
            commitment=found,
            expected_version=data["version"],
            title=data["title"],
            definition_of_done=data["definition_of_done"],
            due_date=data["due_date"],
        )
        return "Terms rewritten; the owner is asked on the new terms."

    return _run(request, found, "terms", TermsForm(request.POST, prefix="terms"), write)


@org_view
def commitment_withdraw(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.COMMITMENT_EVALUATE, found)

    def write(data):
        services.commitment_withdraw(
            commitment=found, reason=data["reason"], expected_version=data["version"]
        )
        return "Withdrawn."

    form = OptionalReasonForm(request.POST, prefix="withdraw")
    return _run(request, found, "withdraw", form, write)


@org_view
def commitment_update(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.COMMITMENT_UPDATE, found)

    def write(data):
        services.commitment_update(
            commitment=found,
            state=data["state"],
            status_note=data["status_note"],
            expected_version=data["version"],
        )
        return "Progress reported."

    return _run(request, found, "update", UpdateForm(request.POST, prefix="update"), write)


@org_view
def commitment_complete(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.COMMITMENT_UPDATE, found)

    def write(data):
        services.commitment_complete(
            commitment=found,
            status_note=data["status_note"] or None,
            expected_version=data["version"],
        )
        return "Marked done; it now waits for evaluation."

    return _run(request, found, "complete", CompleteForm(request.POST, prefix="complete"), write)


@org_view
def commitment_evaluate(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.COMMITMENT_EVALUATE, found)

    def write(data):
        services.commitment_evaluate(
            commitment=found,
            evaluator=request.person,
            evaluation=data["evaluation"],
            note=data["note"],
            expected_version=data["version"],
        )
        return "Evaluated. Now act on it: close, renew, escalate or recognize."

    return _run(request, found, "evaluate", EvaluateForm(request.POST, prefix="evaluate"), write)


@org_view
def commitment_act(request, commitment_id: int):
    found = get_commitment_for(request.person, commitment_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.COMMITMENT_EVALUATE, found)

    def write(data):
        acted = services.commitment_act(
            commitment=found,
            actor=request.person,
            action=data["action"],
            note=data["note"],
            due_date=data["due_date"],
            title=data["title"] or None,
            definition_of_done=data["definition_of_done"] or None,
            expected_version=data["version"],
        )
        if acted.action == CommitmentAction.ESCALATE:
            return f"Escalated to {acted.escalated_to.name}."
        if acted.action == CommitmentAction.RENEW:
            return "Renewed: this one is closed and its renewal has started."
        return "Closed."

    return _run(request, found, "act", ActForm(request.POST, prefix="act"), write)
