"""Reads of commitments and their access function."""

from __future__ import annotations

from leados.core.models import Person
from leados.operate.models import Commitment
from leados.operate.selectors.goals import _one


def get_commitment_for(viewer: Person, commitment_id) -> Commitment:
    return _one(
        Commitment.objects.select_related("owner", "assigned_by", "goal", "unit", "escalated_to"),
        viewer,
        commitment_id,
    )
