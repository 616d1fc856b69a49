"""Import people and units, goals, or measurables' values from a file (upload → preview →
apply), and export them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leados.core import policy
from leados.core.errors import Conflict
from leados.core.transfer import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    ImportRejected,
    build_plan,
    export_filename,
    export_rows,
    import_apply,
    pending_discard,
    pending_load,
    pending_save,
    read_upload,
    template_rows,
    write_csv,
    write_xlsx,
)
from leados.core.transfer.columns import COLUMNS
from leados.core.transfer.goal_columns import COLUMNS as GOAL_COLUMNS
from leados.core.transfer.goals import (
    build_goal_plan,
    export_goal_rows,
    goals_export_filename,
    goals_import_apply,
)
from leados.core.transfer.measurable_values import (
    build_values_plan,
    export_value_rows,
    values_export_filename,
    values_import_apply,
)
from leados.core.transfer.value_columns import COLUMNS as VALUE_COLUMNS
from leados.web.orgs import org_view

SESSION_RESULT = "leados_import_result"
SHOWN = 200  # rows of each list shown on the preview page
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Who may import each kind of file.
IMPORT_ACTIONS = {
    "people": policy.PEOPLE_MANAGE,
    "goals": policy.ORG_CHANGE,
    # Anyone who keeps scorecards; each row is checked against its measurable.
    "measurable_values": policy.SCORECARD_CREATE,
}
ERROR_FIELDS = {"people": "error", "goals": "goals_error", "measurable_values": "values_error"}


def _keys(request) -> dict:
    return {"organization_id": request.org.pk, "user_id": request.user.pk}


def _index(
    request, *, error: str = "", goals_error: str = "", values_error: str = "", status: int = 200
):
    can_import = policy.can(request.person, policy.PEOPLE_MANAGE)
    can_import_goals = policy.can(request.person, policy.ORG_CHANGE)
    can_import_values = policy.can(request.person, policy.SCORECARD_CREATE)
    anything = can_import or can_import_goals or can_import_values
    pending = pending_load(**_keys(request)) if anything else None
    return render(
        request,
        "web/transfer/index.html",
        {
            "nav": "transfer",
            "can_import": can_import,
            "can_import_goals": can_import_goals,
            "pending": pending[0] if pending else None,
            "error": error,
            "goals_error": goals_error,
            "can_import_values": can_import_values,
            "values_error": values_error,
            "columns": COLUMNS,
            "goal_columns": GOAL_COLUMNS,
            "value_columns": VALUE_COLUMNS,
            "max_mb": MAX_BYTES // 1024 // 1024,
            "max_rows": MAX_ROWS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@org_view
def index(request):
    if request.method == "GET":
        return _index(request)
    subject = request.POST.get("subject", "people")
    if subject not in IMPORT_ACTIONS:
        return HttpResponseBadRequest(
            "Choose subject=people, subject=goals or subject=measurable_values."
        )
    policy.require(request.person, IMPORT_ACTIONS[subject])
    error_field = ERROR_FIELDS[subject]
    upload = request.FILES.get("file")
    if upload is None:
        return _index(request, **{error_field: "Choose a CSV or XLSX file to upload."}, status=400)
    try:
        if upload.size > MAX_BYTES:
            raise ImportFileError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
            )
        parsed = read_upload(upload.read(), upload.name, subject)
    except ImportFileError as exc:
        return _index(request, **{error_field: exc.message}, status=400)
    pending_save(parsed=parsed, **_keys(request))
    return redirect("web:transfer_preview", request.org.slug)


def _preview(request, parsed, digest, plan, *, status: int = 200):
    id_to_email = {p.pk: email for email, p in plan.people_by_email.items()}
    updates = []
    for update in plan.people_update[:SHOWN]:
        person = update.person
        changes = []
        for field, new in update.fields.items():
            if field == "manager_email":
                changes.append(("manager", id_to_email.get(person.manager_id, "—"), new))
            elif field == "is_active":
                changes.append(("status", "deactivated", "active"))
            elif field != "deactivated_at":
                changes.append((field, getattr(person, field) or "—", new or "—"))
        updates.append({"email": person.user.email, "name": person.name, "changes": changes})
    return render(
        request,
        "web/transfer/preview.html",
        {
            "nav": "transfer",
            "parsed": parsed,
            "digest": digest,
            "plan": plan,
            "counts": plan.counts,
            "errors": plan.errors[:500],
            "more_errors": max(0, len(plan.errors) - 500),
            "people_create": plan.people_create[:SHOWN],
            "people_update": updates,
            "units_create": plan.units_create[:SHOWN],
            "roles_create": plan.roles_create[:SHOWN],
            "shown": SHOWN,
        },
        status=status,
    )


def _goals_preview(request, parsed, digest, plan, *, status: int = 200):
    return render(
        request,
        "web/transfer/goals_preview.html",
        {
            "nav": "transfer",
            "parsed": parsed,
            "digest": digest,
            "plan": plan,
            "counts": plan.counts,
            "errors": plan.errors[:500],
            "more_errors": max(0, len(plan.errors) - 500),
            "goals_create": plan.create[:SHOWN],
            "goals_update": plan.update[:SHOWN],
            "shown": SHOWN,
        },
        status=status,
    )


def _values_preview(request, parsed, digest, plan, *, status: int = 200):
    return render(
        request,
        "web/transfer/values_preview.html",
        {
            "nav": "transfer",
            "parsed": parsed,
            "digest": digest,
            "plan": plan,
            "counts": plan.counts,
            "errors": plan.errors[:500],
            "more_errors": max(0, len(plan.errors) - 500),
            "values_create": plan.create[:SHOWN],
            "values_update": plan.update[:SHOWN],
            "shown": SHOWN,
        },
        status=status,
    )


PREVIEWS = {"goals": _goals_preview, "measurable_values": _values_preview}
PLANS = {"goals": build_goal_plan, "measurable_values": build_values_plan}
APPLIES = {"goals": goals_import_apply, "measurable_values": values_import_apply}


def _pending_for(request):
    """The upload kept for this user, once they may import its kind; else None."""
    pending = pending_load(**_keys(request))
    if pending is None:
        policy.require(request.person, policy.PEOPLE_MANAGE)
        return None
    policy.require(request.person, IMPORT_ACTIONS.get(pending[0].subject, policy.PEOPLE_MANAGE))
    return pending


@require_GET
@org_view
def preview(request):
    pending = _pending_for(request)
    if pending is None:
        messages.info(request, "Upload a file to see what it would change.")
        return redirect("web:transfer", request.org.slug)
    parsed, digest = pending
    if parsed.subject in PREVIEWS:
        plan = PLANS[parsed.subject](organization=request.org, by=request.person, parsed=parsed)
        return PREVIEWS[parsed.subject](request, parsed, digest, plan)
    plan = build_plan(organization=request.org, by=request.person, parsed=parsed)
    return _preview(request, parsed, digest, plan)


@require_POST
@org_view
def apply(request):
    pending = _pending_for(request)
    if pending is None:
        messages.info(request, "Upload a file to see what it would change.")
        return redirect("web:transfer", request.org.slug)
    parsed, digest = pending
    if request.POST.get("digest") != digest:
        messages.warning(
            request, "Another file was uploaded since that preview. Check this preview, then apply."
        )
        return redirect("web:transfer_preview", request.org.slug)
    run = APPLIES.get(parsed.subject, import_apply)
    try:
        plan = run(organization=request.org, by=request.person, parsed=parsed)
    except ImportRejected as exc:
        messages.error(request, "Nothing was changed: the file has errors now.")
        show = PREVIEWS.get(parsed.subject, _preview)
        return show(request, parsed, digest, exc.plan, status=400)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("web:transfer_preview", request.org.slug)
    pending_discard(**_keys(request))
    request.session[SESSION_RESULT] = {
        "org": request.org.slug,
        "filename": parsed.filename,
        "counts": plan.counts,
        "subject": parsed.subject,
    }
    return redirect("web:transfer_result", request.org.slug)


@require_GET
@org_view
def result(request):
    outcome = request.session.get(SESSION_RESULT)
    subject = (outcome or {}).get("subject", "people")
    policy.require(request.person, IMPORT_ACTIONS.get(subject, policy.PEOPLE_MANAGE))
    if not outcome or outcome.get("org") != request.org.slug:
        return redirect("web:transfer", request.org.slug)
    return render(
        request,
        "web/transfer/result.html",
        {
            "nav": "transfer",
            "filename": outcome["filename"],
            "counts": outcome["counts"],
            "subject": subject,
        },
    )


@require_POST
@org_view
def discard(request):
    if not any(policy.can(request.person, action) for action in IMPORT_ACTIONS.values()):
        policy.require(request.person, policy.PEOPLE_MANAGE)
    pending_discard(**_keys(request))
    messages.info(request, "The uploaded file was discarded; nothing was changed.")
    return redirect("web:transfer", request.org.slug)


def _file(body: bytes, kind: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@org_view
def export(request):
    policy.require(request.person, policy.READ)
    kind = request.GET.get("format", "csv")
    if kind not in CONTENT_TYPES:
        return HttpResponseBadRequest("Choose format=csv or format=xlsx.")
    rows = export_rows(organization=request.org)
    body = write_csv(rows) if kind == "csv" else write_xlsx(rows)
    return _file(body, kind, export_filename(request.org, kind))


@require_GET
@org_view
def export_goals(request):
    policy.require(request.person, policy.READ)
    kind = request.GET.get("format", "csv")
    if kind not in CONTENT_TYPES:
        return HttpResponseBadRequest("Choose format=csv or format=xlsx.")
    rows = export_goal_rows(organization=request.org)
    body = write_csv(rows) if kind == "csv" else write_xlsx(rows, sheet_title="Goals")
    return _file(body, kind, goals_export_filename(request.org, kind))


@require_GET
@org_view
def export_values(request):
    """Every entered value, or those of one scorecard's rows (``?scorecard=<id>``)."""
    from leados.operate.selectors.scorecards import get_scorecard_for, scorecard_measurables

    policy.require(request.person, policy.READ)
    kind = request.GET.get("format", "csv")
    if kind not in CONTENT_TYPES:
        return HttpResponseBadRequest("Choose format=csv or format=xlsx.")
    chosen = None
    if request.GET.get("scorecard"):
        card = get_scorecard_for(request.person, request.GET["scorecard"])
        chosen = scorecard_measurables(card, live_only=False)
    rows = export_value_rows(measurables=chosen)
    body = write_csv(rows) if kind == "csv" else write_xlsx(rows, sheet_title="Values")
    return _file(body, kind, values_export_filename(request.org, kind))


@require_GET
@org_view
def template(request):
    policy.require(request.person, policy.READ)
    return _file(
        write_csv(template_rows(organization=request.org)),
        "csv",
        "people-and-units-template.csv",
    )
