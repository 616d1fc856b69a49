"""Large, realistic synthetic organizations for benchmarks (``leados synth``).

Everything is written with bulk inserts, level by level of the reporting tree, and its
history is recorded in bulk, so 10,000 people take seconds, not minutes.
"""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

SPAN = 7  # direct reports per manager
BATCH = 1000

FIRST_NAMES = (
    "Aaliyah Aaron Abigail Adam Adrian Aiden Aisha Alejandro Alex Alice Amara Amelia Ana Andre "
    "Andrea Anna Arjun Aryan Ava Beatriz Benjamin Bianca Caleb Camila Carlos Caroline Chen Chloe "
    "Daniel David Diego Dmitri Elena Elif Elijah Emily Emma Ethan Fatima Felix Fiona Gabriel Grace "
    "Hana Hannah Harper Hiro Hugo Ibrahim Ines Isabel Isaac Ivan Jack Jamal Jana Javier Jin Jonas "
    "Julia Kai Kenji Laila Laura Leo Liam Lina Lucas Lucia Luis Maya Marco Maria Mateo Mei Mia "
    "Mohammed Nadia Nia Noah Nora Olga Oliver Omar Paula Pedro Priya Rafael Ravi Rosa Ryan Sara "
    "Sebastian Sofia Tariq Theo Tomás Uma Valentina Victor Wei Yara Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abe Adeyemi Ahmed Alvarez Andersen Bakker Banerjee Becker Bianchi Brown Campbell Castro Chen "
    "Cohen Costa Demir Dubois Edwards Evans Fischer Fernandes Garcia Gomez Gupta Hansen Haddad "
    "Hernandez Hoffmann Ito Ivanova Jansen Johnson Kaur Kim Kowalski Kumar Larsen Lee Lopez "
    "Martin Martins Mendes Meyer Moreau Müller Murphy Nakamura Nguyen Novak Nowak Okafor Olsen "
    "Osei Park Patel Peeters Pereira Petrov Popescu Quinn Ramos Reyes Rossi Russo Santos Sato "
    "Schmidt Schneider Silva Singh Smith Sørensen Suzuki Tanaka Taylor Thomas Torres Tran Van Dijk "
    "Vasquez Wagner Walker Wang Weber Williams Wilson Wójcik Wu Yamamoto Yilmaz Young Zhang Zimmer"
).split()
DEPARTMENTS = [
    (
        "Engineering",
        [
            "Software Engineer",
            "Senior Software Engineer",
            "QA Engineer",
            "Site Reliability Engineer",
            "Data Engineer",
        ],
    ),
    (
        "Sales",
        ["Account Executive", "Sales Development Rep", "Solutions Consultant", "Account Manager"],
    ),
    (
        "Customer Success",
        ["Customer Success Manager", "Support Specialist", "Implementation Consultant"],
    ),
    (
        "Operations",
        [
            "Operations Analyst",
            "Logistics Coordinator",
            "Procurement Specialist",
            "Facilities Coordinator",
        ],
    ),
    (
        "Marketing",
        ["Marketing Specialist", "Content Writer", "Product Marketing Manager", "Designer"],
    ),
    ("Finance", ["Accountant", "Financial Analyst", "Payroll Specialist", "Controller"]),
    ("People", ["Recruiter", "People Partner", "Learning Specialist", "People Operations Analyst"]),
]
PROCESS_WORDS = [
    "intake",
    "planning",
    "delivery",
    "quality review",
    "reporting",
    "onboarding",
    "forecasting",
    "escalations",
    "renewals",
    "release",
]
CODENAMES = (
    "Atlas Beacon Cobalt Delta Ember Falcon Granite Harbor Iris Juniper Kestrel Lumen Maple "
    "Nimbus Onyx Pioneer Quartz Raven Summit Tundra Umber Vector Willow Zephyr"
).split()
PROJECT_WORDS = [
    "migration",
    "launch",
    "redesign",
    "pilot",
    "rollout",
    "audit",
    "upgrade",
    "expansion",
]


@dataclass
class SynthResult:
    organization: object
    owner_email: str
    owner_password: str | None
    people: int
    units: int
    role_assignments: int
    seconds: float
    alignment: object = None  # leados.operate.synth.AlignmentSynthResult, when asked for
    scorecards: object = None  # leados.operate.synth_scorecards.ScorecardSynthResult
    sops: object = None  # leados.sops.synth.SopSynthResult


def _emails(count: int, domain: str, rng: random.Random) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for _ in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{first}.{last}".lower().replace(" ", "")
        local, n = base, 1
        while local in seen:
            n += 1
            local = f"{base}{n}"
        seen.add(local)
        out.append((f"{first} {last}", f"{local}@{domain}"))
    return out


def synth_create(
    *,
    slug: str,
    people: int,
    owner_email: str | None = None,
    seed: int = 1,
    goals: int = 0,
    commitments: int = 0,
    measurables: int = 0,
    weeks: int = 156,
    sops: int = 0,
    sop_weeks: int = 104,
) -> SynthResult:
    """Create organization ``slug`` with ``people`` people (manager hierarchy, titles),
    about one unit per eight people at every unit level, and their role assignments, in one
    transaction with the history of every row (edge: command line); with ``goals`` and
    ``commitments``, also a goal cascade with check-ins and commitments in every state
    (``leados.operate.synth``; bulk rows without history entries); with ``measurables``,
    that many weekly measurables with ``weeks`` weeks of values and unit scorecards
    (``leados.operate.synth_scorecards``); with ``sops``, that many leadership routines with
    ``sop_weeks`` weeks of runs and the leaders' weekly check-ins (``leados.sops.synth``)."""
    import time

    from leados.core.context import change_context
    from leados.core.db import BULK_TABLES, statistics_refresh
    from leados.core.history import history_record_many
    from leados.core.models import (
        Edge,
        HistoryAction,
        Level,
        Organization,
        OrgRole,
        Person,
        RoleAssignment,
        Unit,
        UnitRole,
        User,
    )
    from leados.core.services import organization_create, person_update, user_create
    from leados.core.services.users import normalize_email
    from leados.core.tenancy import org_scope

    started = time.perf_counter()
    if people < 1:
        raise ValidationError({"people": ["Give at least 1 person."]})
    if people > 1_000_000:
        raise ValidationError({"people": ["Give at most 1,000,000 people."]})
    for name, value in (("goals", goals), ("commitments", commitments), ("sops", sops)):
        if not 0 <= value <= 2_000_000:
            raise ValidationError({name: [f"Give 0 to 2,000,000 {name}."]})
    if not 1 <= sop_weeks <= 520:
        raise ValidationError({"sop_weeks": ["Give 1 to 520 weeks of runs."]})
    slug = (slug or "").strip().lower()
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": [f"An organization with the slug {slug!r} already exists; choose another."]}
        )
    rng = random.Random(f"{seed}:{slug}")  # noqa: S311 - synthetic data, not security
    domain = f"{slug}.example"
    today = timezone.localdate()
    password = None
    with transaction.atomic(), change_context(actor=None, edge=Edge.CLI):
        owner_email = normalize_email(owner_email or f"owner@{domain}")
        owner = User.objects.filter(email__iexact=owner_email).first()
        if owner is None:
            password = secrets.token_urlsafe(12)
            owner = user_create(email=owner_email, password=password, name="Morgan Avery")
        org = organization_create(
            name=f"{slug.replace('-', ' ').title()} Inc.", slug=slug, owner=owner
        )
        with org_scope(org):
            root = Unit.objects.get(level=Level.STRATEGY)
            ceo = person_update(
                person=Person.objects.get(user=owner),
                expected_version=None,
                title="Chief Executive Officer",
            )

            # The reporting tree: person i reports to person (i - 1) // SPAN.
            identities = _emails(people - 1, domain, rng)
            unusable = make_password(None)
            users = [
                User(email=email, name=name, password=unusable, date_joined=timezone.now())
                for name, email in identities
            ]
            User.objects.bulk_create(users, batch_size=BATCH)
            if users[:1] and users[0].pk is None:
                by_email = dict(
                    User.objects.filter(email__endswith=f"@{domain}").values_list("email", "pk")
                )
                for user in users:
                    user.pk = by_email[user.email]

            persons: list[Person] = [ceo] + [None] * (people - 1)
            depth = [0]
            dept = [None]
            for i in range(1, people):
                parent = (i - 1) // SPAN
                d = depth[parent] + 1
                depth.append(d)
                dept.append(i % len(DEPARTMENTS) if d == 1 else dept[parent])
            has_reports = [False] * people
            for i in range(1, people):
                has_reports[(i - 1) // SPAN] = True

            def title_for(i: int) -> str:
                name, roles = DEPARTMENTS[dept[i] or 0]
                if depth[i] == 1:
                    return f"VP {name}"
                if has_reports[i]:
                    return {2: f"Director of {name}", 3: f"{name} Manager"}.get(
                        depth[i], f"{name} Team Lead"
                    )
                return roles[i % len(roles)]

            def org_role_for(i: int) -> str:
                if depth[i] == 1:
                    return OrgRole.ADMIN
                if i % 500 == 7:
                    return OrgRole.COACH
                if i % 500 == 11:
                    return OrgRole.VIEWER
                return OrgRole.MEMBER

            # Insert level by level so each manager has an id before their reports.
            max_depth = max(depth)
            for level in range(1, max_depth + 1):
                batch = []
                for i in range(1, people):
                    if depth[i] != level:
                        continue
                    name, _email = identities[i - 1]
                    person = Person(
                        organization=org,
                        user=users[i - 1],
                        name=name,
                        title=title_for(i),
                        role=org_role_for(i),
                        manager=persons[(i - 1) // SPAN],
                    )
                    batch.append((i, person))
                Person.objects.bulk_create([p for _, p in batch], batch_size=BATCH)
                for i, person in batch:
                    persons[i] = person
            history_record_many(persons[1:], action=HistoryAction.CREATE)

            # Units: one per manager, placed by depth; about one per eight people.
            unit_of: dict[int, Unit] = {0: root}
            assignments: list[RoleAssignment] = []
            managers = [i for i in range(1, people) if has_reports[i]]
            deepest = max((depth[i] for i in managers), default=0)
            units_total = 0
            for level in range(1, max_depth + 1):
                new_units: list[tuple[int, Unit]] = []
                for i in managers:
                    if depth[i] != level:
                        continue
                    parent_unit = unit_of[(i - 1) // SPAN]
                    dept_name = DEPARTMENTS[dept[i] or 0][0]
                    start = end = None
                    # Teams at the top, processes below them, projects at the bottom.
                    if level == 1 or level < deepest - 1:
                        unit_level = Level.FUNCTIONAL_TEAM
                        name = dept_name if level == 1 else f"{dept_name}: {persons[i].name}'s team"
                    elif parent_unit.level == Level.PROJECT or (level == deepest and i % 3 == 0):
                        unit_level = Level.PROJECT
                        start = today - datetime.timedelta(days=rng.randint(0, 180))
                        end = start + datetime.timedelta(days=rng.randint(30, 365))
                        name = f"{dept_name} {rng.choice(PROJECT_WORDS)}: {rng.choice(CODENAMES)}"
                    else:
                        unit_level = Level.PROCESS
                        lead_surname = persons[i].name.split()[-1]
                        name = f"{dept_name} {rng.choice(PROCESS_WORDS)} ({lead_surname})"
                    unit = Unit(
                        organization=org,
                        parent=parent_unit,
                        level=unit_level,
                        name=name[:120],
                        start_date=start,
                        end_date=end,
                    )
                    new_units.append((i, unit))
                Unit.objects.bulk_create([u for _, u in new_units], batch_size=BATCH)
                history_record_many([u for _, u in new_units], action=HistoryAction.CREATE)
                units_total += len(new_units)
                for i, unit in new_units:
                    unit_of[i] = unit
                    reports = list(range(i * SPAN + 1, min(i * SPAN + SPAN + 1, people)))
                    assignments.append(
                        RoleAssignment(
                            organization=org, unit=unit, person=persons[i], role=UnitRole.LEAD
                        )
                    )
                    if reports:
                        assignments.append(
                            RoleAssignment(
                                organization=org,
                                unit=unit,
                                person=persons[reports[0]],
                                role=UnitRole.MANAGE,
                            )
                        )
                    assignments.extend(
                        RoleAssignment(
                            organization=org, unit=unit, person=persons[r], role=UnitRole.MEMBER
                        )
                        for r in reports[1:]
                    )
            # The leadership team: the CEO leads and manages (from organization_create),
            # the VPs are members.
            assignments.extend(
                RoleAssignment(organization=org, unit=root, person=persons[i], role=UnitRole.MEMBER)
                for i in range(1, min(SPAN + 1, people))
            )
            RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH)
            history_record_many(assignments, action=HistoryAction.CREATE)
            alignment = None
            if goals or commitments:
                from leados.operate.synth import synth_alignment

                alignment = synth_alignment(
                    org, goals=goals, commitments=commitments, seed=seed, today=today
                )
            scorecards = None
            if measurables:
                from leados.operate.synth_scorecards import synth_scorecards

                scorecards = synth_scorecards(
                    org, measurables=measurables, weeks=weeks, seed=seed, today=today
                )
            sop_result = None
            if sops:
                from leados.sops.synth import synth_sops

                sop_result = synth_sops(org, sops=sops, weeks=sop_weeks, seed=seed)
    from leados.operate.synth import SYNTH_TABLES as GOAL_TABLES
    from leados.operate.synth_scorecards import SYNTH_TABLES as SCORECARD_TABLES
    from leados.sops.synth import SYNTH_TABLES as SOP_TABLES

    statistics_refresh(
        tables=BULK_TABLES
        + (GOAL_TABLES if alignment else ())
        + (SCORECARD_TABLES if scorecards else ())
        + (SOP_TABLES if sop_result else ())
    )
    return SynthResult(
        organization=org,
        owner_email=owner.email,
        owner_password=password,
        people=people,
        units=units_total + 1,
        role_assignments=len(assignments) + 2,
        seconds=time.perf_counter() - started,
        alignment=alignment,
        scorecards=scorecards,
        sops=sop_result,
    )
