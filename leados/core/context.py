"""Who is making a change and through which edge, for the history of every change."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from leados.core.models.history import Edge


@dataclass(frozen=True)
class ChangeContext:
    actor_id: int | None
    actor_label: str
    edge: str


_current: contextvars.ContextVar[ChangeContext] = contextvars.ContextVar(
    "leados_change_context",
    default=ChangeContext(None, "system", Edge.SYSTEM),  # noqa: B039 - frozen, immutable
)


def current() -> ChangeContext:
    return _current.get()


@contextmanager
def change_context(*, actor=None, edge: str) -> Iterator[ChangeContext]:
    """Attribute the changes made inside the block to ``actor`` (a User) through ``edge``."""
    ctx = ChangeContext(
        actor_id=getattr(actor, "pk", None),
        actor_label=getattr(actor, "email", "") if actor is not None else "system",
        edge=str(edge),
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def attribute_rest_of_request(*, actor, edge: str) -> None:
    """Attribute the rest of the current request's changes to ``actor`` through ``edge``.

    Safe only inside ``change_context`` (set up per request by the middleware), which
    restores the previous attribution when the request ends.
    """
    _current.set(ChangeContext(actor.pk, actor.email, str(edge)))


@contextmanager
def edge_override(edge: str) -> Iterator[None]:
    """Keep the actor but record changes as coming through another edge (e.g. import)."""
    ctx = _current.get()
    token = _current.set(ChangeContext(ctx.actor_id, ctx.actor_label, str(edge)))
    try:
        yield
    finally:
        _current.reset(token)
