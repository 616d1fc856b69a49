"""What the SOP pages read: a leader's routines with their next and last runs, the
routines others let them see, the library grouped by domain and dimension, and the
difference between two versions of a routine."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery

from leados.core.models import Person
from leados.sops.cadence import describe
from leados.sops.library import DIMENSIONS, DOMAINS, LIBRARY, TemplateSpec
from leados.sops.links import LINKS
from leados.sops.models import CLOSED_RUN_STATES, RunState, Sop, SopRun, SopTemplate
from leados.sops.selectors.access import sops_visible_to

# ---------------------------------------------------------------------------- routines


def with_runs(sops):
    """Annotate each SOP with its next open run (id, due date) and its last closed run
    (state, due date): four subqueries in the one query of the list."""
    open_runs = SopRun.objects.filter(sop=OuterRef("pk"), state=RunState.DUE).order_by(
        "due_on", "id"
    )
    closed = SopRun.objects.filter(sop=OuterRef("pk"), state__in=CLOSED_RUN_STATES).order_by(
        "-due_on", "-id"
    )
    return sops.annotate(
        next_run_id=Subquery(open_runs.values("id")[:1]),
        next_due_on=Subquery(open_runs.values("due_on")[:1]),
        last_state=Subquery(closed.values("state")[:1]),
        last_due_on=Subquery(closed.values("due_on")[:1]),
    )


@dataclass
class DomainGroup:
    key: str
    label: str
    sops: list = field(default_factory=list)


def group_by_domain(sops) -> list[DomainGroup]:
    groups = {key: DomainGroup(key, label) for key, label in DOMAINS.items()}
    for sop in sops:
        sop.cadence_words = describe(sop.rrule)
        sop.last_state_label = RunState(sop.last_state).label if sop.last_state else ""
        groups[sop.domain].sops.append(sop)
    return [group for group in groups.values() if group.sops]


def my_routines(person: Person, *, archived: bool = False) -> list[DomainGroup]:
    sops = Sop.objects.filter(owner=person, is_archived=archived).select_related("unit")
    return group_by_domain(with_runs(sops).order_by("domain", "dimension", "title", "id"))


def routines_i_can_see(person: Person, *, owner=None, domain="", dimension="", unit=None):
    """Live routines of others that ``person`` may read, filtered, owners and units read
    in the same query."""
    sops = sops_visible_to(person).filter(is_archived=False).exclude(owner=person)
    if owner is not None:
        sops = sops.filter(owner_id=owner)
    if domain:
        sops = sops.filter(domain=domain)
    if dimension:
        sops = sops.filter(dimension=dimension)
    if unit is not None:
        sops = sops.filter(unit_id=unit)
    return with_runs(sops.select_related("owner", "unit")).order_by("owner__name", "title", "id")


# ---------------------------------------------------------------------------- library


@dataclass
class LibraryEntry:
    slug: str
    title: str
    purpose: str
    domain: str
    dimension: str
    levels: list[str]
    rrule: str
    duration_minutes: int
    steps: list[dict]
    source: str
    own: bool

    @property
    def cadence_words(self) -> str:
        return describe(self.rrule)

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension][1]

    @property
    def domain_label(self) -> str:
        return DOMAINS[self.domain]


def _built_in(spec: TemplateSpec) -> LibraryEntry:
    return LibraryEntry(
        slug=spec.slug,
        title=spec.title,
        purpose=spec.purpose,
        domain=spec.domain,
        dimension=spec.dimension,
        levels=list(spec.levels),
        rrule=spec.rrule,
        duration_minutes=spec.duration_minutes,
        steps=[{"text": s.text, "link": s.link, "evidence": s.evidence} for s in spec.steps],
        source="LeadOS library",
        own=False,
    )


def _own(template: SopTemplate) -> LibraryEntry:
    return LibraryEntry(
        slug=template.slug,
        title=template.title,
        purpose=template.purpose,
        domain=template.domain,
        dimension=template.dimension,
        levels=list(template.levels),
        rrule=template.rrule,
        duration_minutes=template.duration_minutes,
        steps=list(template.steps),
        source=template.source_label or "This organization",
        own=True,
    )


def library_entry(slug: str) -> LibraryEntry | None:
    """A template by slug: the organization's own first, then the built-in one (call in
    the organization's scope)."""
    from leados.sops.library import template_by_slug

    own = SopTemplate.objects.filter(slug=str(slug)[:80], is_archived=False).first()
    if own is not None:
        return _own(own)
    spec = template_by_slug(slug)
    return _built_in(spec) if spec else None


@dataclass
class DimensionGroup:
    key: str
    label: str
    description: str
    entries: list = field(default_factory=list)


@dataclass
class LibraryDomain:
    key: str
    label: str
    dimensions: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.dimensions)


def library(*, q: str = "", domain: str = "", dimension: str = "", level: str = ""):
    """The organization's templates and the built-in ones that match, grouped domain →
    dimension in the method's order (one query)."""
    own = SopTemplate.objects.filter(is_archived=False).order_by("title", "id")
    if domain:
        own = own.filter(domain=domain)
    if dimension:
        own = own.filter(dimension=dimension)
    if q:
        own = own.filter(Q(title__icontains=q) | Q(purpose__icontains=q))
    entries = [_own(template) for template in own]
    if level:
        entries = [entry for entry in entries if level in entry.levels]
    needle = q.casefold()
    for spec in LIBRARY:
        if domain and spec.domain != domain:
            continue
        if dimension and spec.dimension != dimension:
            continue
        if level and level not in spec.levels:
            continue
        if needle and needle not in f"{spec.title} {spec.purpose}".casefold():
            continue
        entries.append(_built_in(spec))
    domains = {key: LibraryDomain(key, label) for key, label in DOMAINS.items()}
    groups = {
        key: DimensionGroup(key, label, description)
        for key, (_domain, label, description) in DIMENSIONS.items()
    }
    for entry in entries:
        groups[entry.dimension].entries.append(entry)
    for key, group in groups.items():
        if group.entries:
            domains[DIMENSIONS[key][0]].dimensions.append(group)
    return [d for d in domains.values() if d.dimensions], len(entries)


# ---------------------------------------------------------------------------- versions


@dataclass
class Segment:
    """A piece of a compared text: ``op`` is "same", "added" or "removed"."""

    op: str
    text: str


def words_diff(old: str, new: str) -> list[Segment]:
    """``old`` → ``new`` word by word (whitespace kept with the word before it)."""
    old_words, new_words = _words(old or ""), _words(new or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(old_words[a1:a2])))
            continue
        if op in ("delete", "replace"):
            segments.append(Segment("removed", "".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            segments.append(Segment("added", "".join(new_words[b1:b2])))
    return segments


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\S+\s*|\s+", text)


@dataclass
class StepChange:
    """One row of the steps' comparison: ``op`` is "same", "added", "removed" or
    "changed" (then ``text`` shows the words that changed)."""

    op: str
    step: dict
    old_step: dict | None = None
    text: list[Segment] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def _step_key(step: dict) -> tuple:
    return (step.get("text", ""), step.get("link", ""), step.get("evidence", ""))


def _link_label(key: str) -> str:
    link = LINKS.get(key or "")
    return link.label if link else (key or "no link")


def steps_diff(old: list[dict], new: list[dict]) -> list[StepChange]:
    rows: list[StepChange] = []
    matcher = difflib.SequenceMatcher(
        a=[_step_key(s) for s in old], b=[_step_key(s) for s in new], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(StepChange("same", step) for step in new[b1:b2])
        elif op == "delete":
            rows.extend(StepChange("removed", step) for step in old[a1:a2])
        elif op == "insert":
            rows.extend(StepChange("added", step) for step in new[b1:b2])
        else:
            olds, news = old[a1:a2], new[b1:b2]
            paired = min(len(olds), len(news))
            for before, after in zip(olds[:paired], news[:paired], strict=True):
                rows.append(_changed(before, after))
            rows.extend(StepChange("removed", step) for step in olds[paired:])
            rows.extend(StepChange("added", step) for step in news[paired:])
    return rows


def _changed(before: dict, after: dict) -> StepChange:
    details = []
    if before.get("link", "") != after.get("link", ""):
        details.append(
            f"Link: {_link_label(before.get('link', ''))} → {_link_label(after.get('link', ''))}"
        )
    if before.get("evidence", "") != after.get("evidence", ""):
        details.append(
            f"Evidence asked: “{before.get('evidence') or 'none'}” → "
            f"“{after.get('evidence') or 'none'}”"
        )
    return StepChange(
        "changed",
        after,
        old_step=before,
        text=words_diff(before.get("text", ""), after.get("text", "")),
        details=details,
    )


@dataclass
class VersionDiff:
    title: list[Segment] | None
    purpose: list[Segment] | None
    duration: tuple[int, int] | None
    steps: list[StepChange]

    @property
    def steps_changed(self) -> bool:
        return any(row.op != "same" for row in self.steps)

    @property
    def nothing(self) -> bool:
        return not (self.title or self.purpose or self.duration or self.steps_changed)


def version_diff(previous, current) -> VersionDiff:
    """What changed from ``previous`` to ``current`` (two versions, or any two objects
    with routine content)."""
    return VersionDiff(
        title=words_diff(previous.title, current.title)
        if previous.title != current.title
        else None,
        purpose=words_diff(previous.purpose, current.purpose)
        if previous.purpose != current.purpose
        else None,
        duration=(previous.duration_minutes, current.duration_minutes)
        if previous.duration_minutes != current.duration_minutes
        else None,
        steps=steps_diff(list(previous.steps or []), list(current.steps or [])),
    )
