"""Improvement ideas: anyone who may read a routine proposes a change (often right after a
run); its owner accepts it, which makes the next version, or declines it with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict, NotFound
from leados.sops.forms import DecisionForm, IdeaForm, step_formset
from leados.sops.selectors.access import get_idea_for, get_run_for, get_sop_for
from leados.sops.services import ideas as services
from leados.sops.views._common import NAV, sop_url, version_url
from leados.sops.views.sops import render_detail
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require


def _run_of(request, sop, run_id):
    """The run an idea comes from, when it is one of this routine's."""
    if run_id in (None, ""):
        return None
    try:
        run = get_run_for(request.person, run_id)
    except NotFound:
        return None
    return run if run.sop_id == sop.pk else None


@org_view
@require_http_methods(["GET", "POST"])
def idea_create(request, sop_id):
    sop = get_sop_for(request.person, sop_id)
    require(request, policy.SOP_IDEA, sop)
    run = _run_of(request, sop, request.POST.get("run") or request.GET.get("run"))
    initial = {
        "title": sop.title,
        "purpose": sop.purpose,
        "duration_minutes": sop.duration_minutes,
        "run": run.pk if run else None,
    }
    form = IdeaForm(request.POST or None, initial=initial)
    formset = step_formset(request.POST or None, steps=sop.steps, extra=2)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        forms_valid = form.is_valid()
        steps_valid = formset.is_valid()
        if forms_valid and steps_valid:
            data = form.cleaned_data
            proposal = {
                "title": data["title"],
                "purpose": data["purpose"],
                "duration_minutes": data["duration_minutes"],
                "steps": formset.steps(),
            }
            try:
                services.idea_propose(
                    sop=sop, proposed_by=request.person, summary=data["summary"],
                    proposal=proposal, run=run,
                )  # fmt: skip
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                owner = "" if sop.owner_id == request.person.pk else f" {sop.owner.name} decides."
                done(request, f"Idea proposed.{owner}")
                return redirect(sop_url(request, sop))
    if sop.is_archived:
        form.add_error(None, "This routine is archived: it takes no new ideas.")
    return render(
        request,
        "sops/idea_form.html",
        {"nav": NAV, "sop": sop, "run": run, "form": form, "formset": formset},
        status=status,
    )


def _decide(request, idea_id, *, accept: bool):
    idea = get_idea_for(request.person, idea_id)
    refused = post_only(request)
    if refused:
        return refused
    sop = idea.sop
    require(request, policy.SOP_CHANGE, sop)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render_detail(
            request, sop, idea_errors={idea.pk: "Reload the page and try again."},
            status=UNPROCESSABLE,
        )  # fmt: skip
    data = form.cleaned_data
    try:
        if accept:
            idea = services.idea_accept(
                idea=idea, decided_by=request.person, expected_version=data["version"],
                note=data["note"],
            )  # fmt: skip
        else:
            idea = services.idea_decline(
                idea=idea, decided_by=request.person, expected_version=data["version"],
                reason=data["note"],
            )  # fmt: skip
    except Conflict as exc:
        sop = get_sop_for(request.person, sop.pk)
        return render_detail(request, sop, idea_errors={idea.pk: exc.message}, status=CONFLICT)
    except ValidationError as exc:
        sop = get_sop_for(request.person, sop.pk)
        return render_detail(
            request, sop, idea_errors={idea.pk: " ".join(exc.messages)}, status=UNPROCESSABLE
        )
    if not accept:
        done(request, "Idea declined; the reason is kept with it.")
        return redirect(sop_url(request, sop))
    sop = get_sop_for(request.person, sop.pk)
    if not idea.proposal:
        done(request, "Idea accepted. It changed nothing in the routine's content.")
        return redirect(sop_url(request, sop))
    done(request, f"Idea accepted: this is version {sop.version_number}.")
    return redirect(version_url(request, sop, sop.version_number))


@org_view
def idea_accept(request, idea_id):
    return _decide(request, idea_id, accept=True)


@org_view
def idea_decline(request, idea_id):
    return _decide(request, idea_id, accept=False)
