"""The demo organization: Larkspur Coffee Roasters, a believable company of about 60 people.

``demo_create`` builds it through the services, one part at a time (``DEMO_PARTS``).
A capability that adds demo data appends its own part: a function taking the
``DemoBuild`` so far and adding to it.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leados.operate.demo import demo_alignment
from leados.operate.demo_scorecards import demo_scorecards
from leados.sops.demo import demo_sops

DEMO_SLUG = "larkspur"
DEMO_NAME = "Larkspur Coffee Roasters"
DEMO_OWNER_EMAIL = "maya.okafor@larkspur.example"
DEMO_DOMAIN = "larkspur.example"
LOGIN_FILE = "demo-login.json"

# key, name, title, org role, manager key. The first row is the owner's seat.
PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    ("ceo", "Maya Okafor", "Chief Executive Officer", "owner", None),
    ("coo", "Daniel Reyes", "Chief Operating Officer", "admin", "ceo"),
    ("cfo", "Priya Natarajan", "Chief Financial Officer", "admin", "ceo"),
    ("cco", "Lena Fischer", "Chief Commercial Officer", "member", "ceo"),
    ("vp_people", "Samuel Osei", "VP People & Culture", "admin", "ceo"),
    ("head_coffee", "Tomás Herrera", "Head of Coffee", "member", "coo"),
    ("roast_mgr", "Hannah Lindqvist", "Roastery Manager", "member", "head_coffee"),
    ("roaster1", "Kenji Watanabe", "Head Roaster", "member", "roast_mgr"),
    ("roaster2", "Aisha Bello", "Roaster", "member", "roaster1"),
    ("roaster3", "Lucas Moreau", "Roaster", "member", "roaster1"),
    ("roaster4", "Grace Kim", "Production Assistant", "member", "roast_mgr"),
    ("qc_lead", "Mateo Silva", "Quality Control Lead", "member", "head_coffee"),
    ("qc1", "Ingrid Halvorsen", "Q Grader", "member", "qc_lead"),
    ("sourcing", "Amara Nwosu", "Green Coffee Buyer", "member", "head_coffee"),
    ("sourcing2", "Felipe Castro", "Sourcing Analyst", "member", "sourcing"),
    ("ops_mgr", "Rachel Goldberg", "Logistics Manager", "member", "coo"),
    ("wh1", "Omar Haddad", "Warehouse Lead", "member", "ops_mgr"),
    ("wh2", "Sofia Rossi", "Fulfilment Associate", "member", "wh1"),
    ("wh3", "Noah Jensen", "Fulfilment Associate", "member", "wh1"),
    ("wh4", "Chloe Dubois", "Inventory Planner", "member", "ops_mgr"),
    ("maint", "Victor Petrov", "Maintenance Technician", "member", "ops_mgr"),
    ("cafe_dir", "Julia Santos", "Director of Cafés", "member", "coo"),
    ("cafe1_mgr", "Ethan Brooks", "Café Manager, Riverside", "member", "cafe_dir"),
    ("cafe1_b1", "Mia Schneider", "Shift Lead, Riverside", "member", "cafe1_mgr"),
    ("cafe1_b2", "Leo Martins", "Barista", "member", "cafe1_b1"),
    ("cafe1_b3", "Zara Ahmed", "Barista", "member", "cafe1_b1"),
    ("cafe2_mgr", "Olivia Chen", "Café Manager, Old Town", "member", "cafe_dir"),
    ("cafe2_b1", "Ravi Kapoor", "Shift Lead, Old Town", "member", "cafe2_mgr"),
    ("cafe2_b2", "Emma Novak", "Barista", "member", "cafe2_b1"),
    ("cafe2_b3", "Isaac Mensah", "Barista", "member", "cafe2_b1"),
    ("cafe3_mgr", "Nadia Popescu", "Café Manager, Harbour", "member", "cafe_dir"),
    ("cafe3_b1", "Jonas Berg", "Shift Lead, Harbour", "member", "cafe3_mgr"),
    ("cafe3_b2", "Camila Torres", "Barista", "member", "cafe3_b1"),
    ("trainer", "Hugo Laurent", "Barista Trainer", "member", "cafe_dir"),
    ("sales_dir", "Benjamin Wright", "Director of Wholesale", "member", "cco"),
    ("am1", "Fatima Zahra", "Key Account Manager", "member", "sales_dir"),
    ("am2", "Patrick O'Neill", "Account Manager", "member", "sales_dir"),
    ("am3", "Yuki Tanaka", "Account Manager", "member", "sales_dir"),
    ("sdr", "Carlos Mendes", "Sales Development Rep", "member", "sales_dir"),
    ("cs", "Hana Yilmaz", "Customer Success Specialist", "member", "sales_dir"),
    ("mkt_dir", "Charlotte Evans", "Head of Marketing", "member", "cco"),
    ("brand", "Marcus Johnson", "Brand Designer", "member", "mkt_dir"),
    ("content", "Elif Demir", "Content Lead", "member", "mkt_dir"),
    ("ecom", "Arjun Mehta", "E-commerce Manager", "member", "mkt_dir"),
    ("ecom2", "Sara Lindgren", "Digital Marketing Specialist", "member", "ecom"),
    ("controller", "Thomas Becker", "Financial Controller", "member", "cfo"),
    ("acct1", "Ana Ferreira", "Accountant", "member", "controller"),
    ("acct2", "David Cohen", "Accounts Payable Specialist", "member", "controller"),
    ("fpa", "Nia Williams", "FP&A Analyst", "member", "cfo"),
    ("it", "Pavel Novotný", "IT & Systems Lead", "member", "cfo"),
    ("hrbp", "Laura Bianchi", "People Partner", "member", "vp_people"),
    ("recruit", "Kwame Asante", "Talent Acquisition Lead", "member", "vp_people"),
    ("ld", "Ines García", "Learning & Development Lead", "member", "vp_people"),
    ("payroll", "Erik Sørensen", "Payroll & Benefits Specialist", "member", "vp_people"),
    ("ea", "Beatriz Costa", "Executive Assistant", "member", "ceo"),
    ("sustain", "Oliver Grant", "Sustainability Manager", "member", "coo"),
    ("product", "Mei Ling Wu", "Product Developer", "member", "head_coffee"),
    ("coach", "Rebecca Stone", "Leadership Coach (external)", "coach", None),
    ("coach2", "Desmond Achterberg", "Operations Coach (external)", "coach", None),
    ("advisor", "George Whitfield", "Board Advisor", "viewer", None),
    ("investor", "Helena Marsh", "Investor Observer", "viewer", None),
]

# key, parent key, level, name, description, (start offset days, end offset days) for projects
UNITS: list[tuple[str, str, str, str, str, tuple[int, int] | None]] = [
    (
        "coffee",
        "root",
        "functional_team",
        "Coffee & Roasting",
        "Sourcing, roasting and quality: every bag we sell.",
        None,
    ),
    (
        "ops",
        "root",
        "functional_team",
        "Operations & Logistics",
        "Warehouse, fulfilment, maintenance and sustainability.",
        None,
    ),
    ("cafes", "root", "functional_team", "Cafés", "Our three cafés and barista training.", None),
    (
        "wholesale",
        "root",
        "functional_team",
        "Wholesale",
        "Restaurants, offices and grocery partners.",
        None,
    ),
    (
        "marketing",
        "root",
        "functional_team",
        "Marketing & E-commerce",
        "Brand, content and the online shop.",
        None,
    ),
    (
        "finance",
        "root",
        "functional_team",
        "Finance & IT",
        "Accounting, planning and systems.",
        None,
    ),
    (
        "people",
        "root",
        "functional_team",
        "People & Culture",
        "Hiring, development, pay and benefits.",
        None,
    ),
    (
        "sourcing",
        "coffee",
        "process",
        "Green coffee sourcing",
        "Selecting and contracting green coffee with our producer partners.",
        None,
    ),
    (
        "roasting",
        "coffee",
        "process",
        "Roast production",
        "Weekly roast plan, production and packing.",
        None,
    ),
    (
        "qc",
        "coffee",
        "process",
        "Quality control & cupping",
        "Daily cupping, roast profiles and defect tracking.",
        None,
    ),
    (
        "fulfilment",
        "ops",
        "process",
        "Order fulfilment",
        "From order to doorstep within two working days.",
        None,
    ),
    (
        "cafe_ops",
        "cafes",
        "process",
        "Café service standards",
        "Opening, closing and service routines across cafés.",
        None,
    ),
    (
        "onboarding_wh",
        "wholesale",
        "process",
        "Wholesale account onboarding",
        "Equipment, training and first orders for new accounts.",
        None,
    ),
    (
        "close",
        "finance",
        "process",
        "Monthly close",
        "Books closed by the fifth working day.",
        None,
    ),
    (
        "hiring",
        "people",
        "process",
        "Hiring & onboarding",
        "From role request to a confident first month.",
        None,
    ),
    (
        "roaster_line",
        "roasting",
        "project",
        "Second roaster installation",
        "Commission the 60 kg roaster and double capacity.",
        (-60, 75),
    ),
    (
        "cafe4",
        "cafes",
        "project",
        "Café #4 opening: Northgate",
        "Fit-out, hiring and opening of the Northgate café.",
        (-30, 120),
    ),
    (
        "erp",
        "finance",
        "project",
        "ERP migration",
        "Move inventory, orders and accounting to one system.",
        (-90, 45),
    ),
    (
        "bcorp",
        "ops",
        "project",
        "B Corp certification",
        "Assessment, evidence and certification.",
        (0, 240),
    ),
    (
        "subscriptions",
        "marketing",
        "project",
        "Subscription relaunch",
        "New subscription plans and a better checkout.",
        (-14, 60),
    ),
    (
        "grocery",
        "wholesale",
        "project",
        "Regional grocery launch",
        "Larkspur on the shelves of 40 grocery stores.",
        (14, 180),
    ),
    (
        "cupping_lab",
        "qc",
        "project",
        "Cupping lab refit",
        "A second cupping table and calibrated water.",
        (-45, 15),
    ),
]

# unit key -> (lead key, manage key, member keys)
ROLES: dict[str, tuple[str, str | None, list[str]]] = {
    "root": ("ceo", "coo", ["cfo", "cco", "vp_people"]),
    "coffee": ("head_coffee", "roast_mgr", ["qc_lead", "sourcing", "product", "roaster1"]),
    "ops": ("coo", "ops_mgr", ["wh1", "wh4", "maint", "sustain"]),
    "cafes": ("cafe_dir", "trainer", ["cafe1_mgr", "cafe2_mgr", "cafe3_mgr"]),
    "wholesale": ("cco", "sales_dir", ["am1", "am2", "am3", "sdr", "cs"]),
    "marketing": ("mkt_dir", "ecom", ["brand", "content", "ecom2"]),
    "finance": ("cfo", "controller", ["acct1", "acct2", "fpa", "it"]),
    "people": ("vp_people", "hrbp", ["recruit", "ld", "payroll"]),
    "sourcing": ("sourcing", "sourcing2", ["head_coffee", "qc1"]),
    "roasting": ("roast_mgr", "roaster1", ["roaster2", "roaster3", "roaster4"]),
    "qc": ("qc_lead", "qc1", ["roaster1", "product"]),
    "fulfilment": ("ops_mgr", "wh1", ["wh2", "wh3", "wh4"]),
    "cafe_ops": (
        "cafe_dir",
        "trainer",
        [
            "cafe1_b1",
            "cafe2_b1",
            "cafe3_b1",
            "cafe1_b2",
            "cafe1_b3",
            "cafe2_b2",
            "cafe2_b3",
            "cafe3_b2",
        ],
    ),
    "onboarding_wh": ("sales_dir", "cs", ["am1", "trainer"]),
    "close": ("controller", "acct1", ["acct2", "fpa"]),
    "hiring": ("recruit", "hrbp", ["ld", "cafe_dir"]),
    "roaster_line": ("roast_mgr", "maint", ["roaster1", "ops_mgr"]),
    "cafe4": ("cafe_dir", "cafe2_mgr", ["recruit", "trainer", "ecom"]),
    "erp": ("it", "controller", ["wh4", "acct2", "ecom"]),
    "bcorp": ("sustain", "ea", ["vp_people", "sourcing"]),
    "subscriptions": ("ecom", "ecom2", ["content", "brand", "cs"]),
    "grocery": ("sales_dir", "am1", ["product", "brand", "wh1"]),
    "cupping_lab": ("qc_lead", "qc1", ["maint"]),
}


@dataclass
class DemoBuild:
    """What the demo has so far: the organization, its people and units by key."""

    organization: object
    owner: object
    today: datetime.date
    people: dict[str, object] = field(default_factory=dict)
    units: dict[str, object] = field(default_factory=dict)


def _email(name: str) -> str:
    import unicodedata

    name = name.translate(str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ł": "l"}))
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(part.lower().replace("'", "") for part in ascii_name.split())
    return f"{local}@{DEMO_DOMAIN}"


def demo_people(build: DemoBuild) -> None:
    """About 60 people with titles, org roles and reporting lines; the owner holds the CEO seat."""
    from leados.core.models import Person, User
    from leados.core.services import person_add, person_update, user_create

    key, name, title, _role, _manager = PEOPLE[0]
    owner_person = Person.objects.get(user=build.owner)
    owner_person = person_update(
        person=owner_person,
        expected_version=None,
        name=build.owner.name or name,
        title=title,
    )
    build.people[key] = owner_person
    for key, name, title, role, manager_key in PEOPLE[1:]:
        email = _email(name)
        user = User.objects.filter(email__iexact=email).first() or user_create(
            email=email, name=name
        )
        build.people[key] = person_add(
            organization=build.organization,
            user=user,
            role=role,
            name=name,
            title=title,
            manager=build.people[manager_key] if manager_key else None,
        )


def demo_units(build: DemoBuild) -> None:
    """Functional teams, processes and dated projects below the leadership team."""
    from leados.core.models import Level, Unit
    from leados.core.services import unit_create, unit_update

    root = Unit.objects.get(level=Level.STRATEGY)
    build.units["root"] = unit_update(
        unit=root,
        expected_version=None,
        description="Sets Larkspur's direction: vision, yearly plan and quarterly priorities.",
    )
    for key, parent_key, level, name, description, dates in UNITS:
        start = end = None
        if dates is not None:
            start = build.today + datetime.timedelta(days=dates[0])
            end = build.today + datetime.timedelta(days=dates[1])
        build.units[key] = unit_create(
            parent=build.units[parent_key],
            level=level,
            name=name,
            description=description,
            start_date=start,
            end_date=end,
        )


def demo_roles(build: DemoBuild) -> None:
    """Who leads, manages and belongs to each unit; many people hold several roles."""
    from leados.core.models import RoleAssignment, UnitRole
    from leados.core.services import role_assignment_create

    for unit_key, (lead, manager, members) in ROLES.items():
        unit = build.units[unit_key]
        wanted = [(lead, UnitRole.LEAD)]
        if manager:
            wanted.append((manager, UnitRole.MANAGE))
        wanted += [(m, UnitRole.MEMBER) for m in members]
        for person_key, role in wanted:
            person = build.people[person_key]
            if RoleAssignment.objects.filter(unit=unit, person=person, role=role).exists():
                continue
            role_assignment_create(unit=unit, person=person, role=role, replace=True)


def demo_vision(build: DemoBuild) -> None:
    """Larkspur's vision, mission, four core values and its three-year picture."""
    from leados.operate.services import core_value_create, vision_update

    vision_update(
        organization=build.organization,
        expected_version=None,
        vision="Every cup traces back to a farm we know by name, and every guest can taste it.",
        mission=(
            "We roast seasonal, directly traded coffee with care and serve it in neighbourhood "
            "cafés, online and in grocery aisles, paying growers enough to invest in next "
            "year's harvest."
        ),
        long_range=(
            "Seven cafés, each profitable within 18 months of opening.\n"
            "60% of green coffee bought directly from 25 partner farms.\n"
            "Subscriptions at 12,000 active subscribers with monthly churn under 4%.\n"
            "Certified B Corporation; roastery on renewable power.\n"
            "Revenue of €14 million at an EBITDA margin of 12%."
        ),
        horizon_year=build.today.year + 3,
    )
    for name, description in [
        ("Know the farmer", "We buy from people, not markets, and pay for quality openly."),
        (
            "Craft every batch",
            "Each roast is cupped and logged; we never ship a cup we would not drink.",
        ),
        ("Hospitality first", "Guests, colleagues and partners leave better than they came."),
        (
            "Own it, then share it",
            "Say what you will do, do it, and tell the team what you learned.",
        ),
    ]:
        core_value_create(organization=build.organization, name=name, description=description)


DEMO_PARTS: list[Callable[[DemoBuild], None]] = [
    demo_people,
    demo_units,
    demo_roles,
    demo_vision,
    demo_alignment,
    demo_scorecards,
    demo_sops,
]


def _owner(owner_email: str | None) -> tuple[object, str | None]:
    """The owner user (created when missing) and the new password when one was made."""
    from leados.core.models import User
    from leados.core.services import user_create

    email = (owner_email or DEMO_OWNER_EMAIL).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    name = PEOPLE[0][1] if email == DEMO_OWNER_EMAIL else ""
    return user_create(email=email, password=password, name=name), password


def demo_create(
    *, slug: str = DEMO_SLUG, owner_email: str | None = None, today: datetime.date | None = None
) -> tuple[object, object, str | None]:
    """Create the demo organization under ``slug`` in one transaction, recorded as made
    through the command line. Returns (organization, owner user, new password or None).

    A slug already in use is refused with a ValidationError; nothing is changed then.
    """
    from leados.core.context import change_context
    from leados.core.models import Edge, Organization
    from leados.core.services import organization_create
    from leados.core.tenancy import org_scope

    slug = (slug or "").strip().lower()
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": [f"An organization with the slug {slug!r} already exists; choose another."]}
        )
    with transaction.atomic(), change_context(actor=None, edge=Edge.CLI):
        owner, password = _owner(owner_email)
        org = organization_create(
            name=DEMO_NAME, slug=slug, owner=owner, time_zone="Europe/Amsterdam"
        )
        build = DemoBuild(organization=org, owner=owner, today=today or timezone.localdate())
        with org_scope(org):
            for part in DEMO_PARTS:
                part(build)
    return org, owner, password


def _login_path() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / LOGIN_FILE


def _save_login(slug: str, email: str, password: str) -> None:
    path = _login_path()
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"org": slug, "email": email, "password": password}, handle)


def demo_login() -> tuple[str, str, str] | None:
    """The demo sign-in kept from the first start, as (org slug, email, password), while it
    still works; None otherwise."""
    from leados.core.models import Organization, User

    path = _login_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        slug, email, password = data["org"], data["email"], data["password"]
    except (ValueError, KeyError, TypeError):
        return None
    if not Organization.objects.filter(slug=slug).exists():
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is None or not user.check_password(password):
        return None
    return slug, email, password


def demo_ensure_first_start() -> tuple[str, str, str] | None:
    """On the first start of an empty installation, create the demo organization and keep
    its sign-in in the data directory (readable by its owner only).

    Returns the demo sign-in (org slug, email, password) whenever it still works.
    """
    from leados.core.models import Organization

    if not Organization.objects.exists():
        org, owner, password = demo_create()
        if password is not None:
            _save_login(org.slug, owner.email, password)
    return demo_login()
