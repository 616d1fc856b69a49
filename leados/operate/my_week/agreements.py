"""My week: the agreements waiting for the person's answer, read once for the two sections
that list them (commitments waiting for a yes, and goals and links to agree to)."""

from __future__ import annotations

from leados.core.models import Person
from leados.operate.models import Agreement, AgreementKind
from leados.web.my_week import once, split_first

COMMITMENTS = "commitments"
OTHERS = "others"


def awaiting(person: Person) -> dict[str, tuple[list[Agreement], int]]:
    """The first few agreements of each group waiting for ``person`` and how many there
    are, oldest first: one query for both groups."""

    def read():
        pending = Agreement.objects.awaiting(person).order_by("created_at", "id")
        return split_first(
            # What each agreement is about is read only when there are agreements (usually
            # there are none): joined in, the eight tables cost more to plan than to read.
            pending.select_related("requester", "responder").prefetch_related(
                "commitment", "goal", "link__source", "link__target"
            ),
            lambda a: (COMMITMENTS if a.kind == AgreementKind.COMMITMENT else OTHERS,),
            {
                COMMITMENTS: pending.filter(kind=AgreementKind.COMMITMENT).select_related(
                    "commitment", "requester", "responder"
                ),
                OTHERS: pending.exclude(kind=AgreementKind.COMMITMENT).select_related(
                    "goal", "link__source", "link__target", "requester", "responder"
                ),
            },
        )

    return once(person, "awaiting_agreements", read)
