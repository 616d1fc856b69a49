"""The built-in library of leadership routines: at least two for each of the 16 dimensions
of the three domains, ready to adopt and adapt.

A routine here is plain data. Adopting one copies it into a leader's own SOP, which they
then change as they learn; the slug says where it came from. Cadences are RFC 5545 RRULEs
without DTSTART, counted from the day the routine is adopted. A step's ``link`` is a key of
``leados.sops.links.LINKS``: where in LeadOS the step is done.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("strategy", "functional_team", "process", "project", "self")

DOMAINS: dict[str, str] = {
    "structure": "Structure",
    "operate": "Operate",
    "perfect": "Perfect",
}

DIMENSIONS: dict[str, tuple[str, str, str]] = {
    # Structure: SCOPE
    "strategies": (
        "structure",
        "Strategies",
        "Where the community of effort chooses to compete and how it means to win.",
    ),
    "culture": (
        "structure",
        "Culture",
        "The values and behaviours people actually practise, and what the leader reinforces.",
    ),
    "objectives": (
        "structure",
        "Objectives",
        "The results it aims for at each level, each traced up to the vision.",
    ),
    "purpose": (
        "structure",
        "Purpose",
        "Why the community of effort exists and whom it serves.",
    ),
    "ecosystem": (
        "structure",
        "Ecosystem",
        "The customers, partners, suppliers and peer units it depends on and that depend on it.",
    ),
    # Structure: WORK
    "work_methods": (
        "structure",
        "Work methods",
        "The processes, standards and tools by which the work gets done.",
    ),
    "organizational_structure": (
        "structure",
        "Organizational structure",
        "Units, roles and reporting lines: who leads, who manages and who decides.",
    ),
    "rewards_recognition": (
        "structure",
        "Rewards & recognition",
        "How contribution is noticed and rewarded, so that the wanted behaviour repeats.",
    ),
    "knowledge_capabilities": (
        "structure",
        "Knowledge & capabilities",
        "The skills and know-how the work needs, where they are thin, and how they are built.",
    ),
    # Operate: PASE
    "planning": (
        "operate",
        "Planning",
        "Strategic, operational and financial planning: what will be done, when, with what.",
    ),
    "accountability": (
        "operate",
        "Accountability",
        "Assign, execute, monitor, evaluate and act: plans turned into owned results.",
    ),
    "stakeholder_engagement": (
        "operate",
        "Stakeholder engagement",
        "Deliberate, regular contact with the people inside and outside who have a stake.",
    ),
    # Perfect: ECT(M)
    "explore": (
        "perfect",
        "Explore",
        "Orient, investigate and listen: understand how things are before changing them.",
    ),
    "clarify": (
        "perfect",
        "Clarify",
        "Internalize, prioritize and plan: decide what to develop first, and how.",
    ),
    "transform": (
        "perfect",
        "Transform",
        "Reframe, learn and experiment: try a new way of working and learn from the result.",
    ),
    "master": (
        "perfect",
        "Master",
        "Integrate, extend and mentor: make the new way normal and pass it on.",
    ),
}


@dataclass(frozen=True)
class StepSpec:
    text: str
    link: str = ""  # a key of leados.sops.links.LINKS, or ""
    evidence: str = ""  # what shows the step was done, or ""


@dataclass(frozen=True)
class TemplateSpec:
    slug: str
    title: str
    purpose: str
    domain: str
    dimension: str
    levels: tuple[str, ...]
    rrule: str
    duration_minutes: int
    steps: tuple[StepSpec, ...]


S = StepSpec

_STRUCTURE: tuple[TemplateSpec, ...] = (
    # --- strategies -----------------------------------------------------------------------
    TemplateSpec(
        slug="quarterly-strategy-review",
        title="Quarterly strategy review",
        purpose=(
            "A strategy that is never revisited turns into a list of old intentions. Once a "
            "quarter, hold the strategy against the numbers and the outside world, and decide "
            "deliberately what to keep, adjust or stop."
        ),
        domain="structure",
        dimension="strategies",
        levels=("strategy", "functional_team"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
        duration_minutes=180,
        steps=(
            S(
                "Read the quarter's scorecards and the 'in reach?' forecast of every "
                "strategy-level measurable before discussing anything.",
                link="scorecards",
            ),
            S(
                "Walk the strategy-level goals on the alignment tree: on track, stalled, or no "
                "longer relevant.",
                link="alignment",
            ),
            S(
                "Write one line each on what changed outside: customers, competitors, "
                "regulation, technology."
            ),
            S(
                "Decide for each strategy: keep, adjust or stop, and record the decision and "
                "its reason as a check-in on the goal.",
                link="goals",
                evidence="A check-in on every strategy-level goal",
            ),
            S(
                "Move budget lines that no longer follow the strategy in the strategic plan.",
                link="plans",
            ),
            S(
                "Assign each unit lead a commitment to reflect the decisions in their unit's "
                "goals within two weeks.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="annual-strategy-session",
        title="Annual strategy session",
        purpose=(
            "Once a year the leadership team steps out of the running business to assess the "
            "year, confirm the vision, and choose the few priorities for the next one, with "
            "input from the people who do the work."
        ),
        domain="structure",
        dimension="strategies",
        levels=("strategy",),
        rrule="FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=15",
        duration_minutes=240,
        steps=(
            S(
                "Assess: gather the year's scorecards, goal outcomes and the commitments "
                "follow-through; let the numbers speak before opinions do.",
                link="scorecards",
            ),
            S(
                "Ask each unit lead beforehand for their team's view: what to keep, what to "
                "change, where we could lead the market."
            ),
            S(
                "Reread the vision, mission and values; confirm them or agree the changes.",
                link="vision",
            ),
            S(
                "Choose three to five priorities for the year and write each as a "
                "strategy-level goal with a metric (start → target).",
                link="goals",
            ),
            S(
                "Roadmap each priority: owner, timeframe, contributing units, and check the "
                "roadmap against the people and time actually available.",
                link="plans",
            ),
            S(
                "Propose each priority to the unit leads who must contribute as a vertical "
                "agreement.",
                link="agreements",
                evidence="Agreements proposed to every contributing unit lead",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-strategy-fit-check",
        title="Monthly strategy fit check",
        purpose=(
            "Teams drift toward work that is urgent or familiar rather than strategic. A short "
            "monthly check keeps the unit's goals and time pointed at the strategy above it."
        ),
        domain="structure",
        dimension="strategies",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;BYDAY=1MO",
        duration_minutes=45,
        steps=(
            S(
                "Open the unit's goals on the alignment tree and check that each one traces "
                "up to a strategy-level goal.",
                link="goals",
            ),
            S(
                "Link each goal that traces to nothing to a parent, or archive it.",
                link="orphans",
            ),
            S(
                "Compare where the unit's effort went last month with the strategic "
                "priorities; name the biggest mismatch."
            ),
            S(
                "Decide one change for next month and record it as a commitment with an owner.",
                link="commitments",
            ),
        ),
    ),
    # --- culture --------------------------------------------------------------------------
    TemplateSpec(
        slug="weekly-values-in-action",
        title="Values in action",
        purpose=(
            "Culture is what people see rewarded and tolerated each week, not what is written "
            "on the wall. Notice the values in real moments and say so while it still matters."
        ),
        domain="structure",
        dimension="culture",
        levels=("strategy", "functional_team", "process", "project"),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        duration_minutes=20,
        steps=(
            S("Reread the core values.", link="vision"),
            S(
                "Write down one moment this week where someone acted on a value, and one where "
                "a value was bent for convenience."
            ),
            S(
                "Tell the person who acted on a value what you saw and why it mattered.",
                evidence="The person was told this week",
            ),
            S(
                "For the value that was bent, decide where to raise it: the next team meeting "
                "or a 1:1. Raise the pattern, not the person, in public."
            ),
        ),
    ),
    TemplateSpec(
        slug="quarterly-culture-check",
        title="Quarterly culture check",
        purpose=(
            "A leader's view of the culture is filtered by position. Ask the team directly, "
            "compare with the people numbers, and pick one behaviour to strengthen."
        ),
        domain="structure",
        dimension="culture",
        levels=("strategy", "functional_team"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
        duration_minutes=60,
        steps=(
            S(
                "Ask the team three questions, anonymously if they prefer: which value do we "
                "live best, which least, and what gets in the way?",
                evidence="Answers from at least half the team",
            ),
            S("Group the answers by value and count them."),
            S(
                "Compare with the people measurables (turnover, absence, engagement) and "
                "their trend.",
                link="scorecards",
            ),
            S(
                "Pick one behaviour to reinforce next quarter and make it a goal with an owner.",
                link="goals",
            ),
            S("Tell the team what you heard and what will change because of it."),
        ),
    ),
    # --- objectives -----------------------------------------------------------------------
    TemplateSpec(
        slug="weekly-goal-check-in",
        title="Weekly goal check-in",
        purpose=(
            "A goal without a regular, honest status is a wish. A weekly check-in on each goal "
            "you own keeps progress visible up the alignment tree and surfaces risk early."
        ),
        domain="structure",
        dimension="objectives",
        levels=("strategy", "functional_team", "process", "project", "self"),
        rrule="FREQ=WEEKLY;BYDAY=MO",
        duration_minutes=30,
        steps=(
            S("Open My week and list the goals you own.", link="my_week"),
            S(
                "Post a check-in on each: current value or milestone, on track / at risk / "
                "off track, and one sentence on why.",
                link="goals",
                evidence="A check-in on every goal you own",
            ),
            S(
                "For each goal at risk or off track, name the next action; if someone else "
                "owns it, make it a commitment.",
                link="commitments",
            ),
            S(
                "Look at the parent goal's roll-up: does your progress move it as expected?",
                link="alignment",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-alignment-review",
        title="Monthly alignment review",
        purpose=(
            "Alignment decays quietly: new goals appear without a parent, agreements stay "
            "unanswered. A monthly pass from the vision downward keeps every level pulling "
            "the same way."
        ),
        domain="structure",
        dimension="objectives",
        levels=("strategy", "functional_team"),
        rrule="FREQ=MONTHLY;BYDAY=1TH",
        duration_minutes=60,
        steps=(
            S(
                "Walk the alignment tree from the vision down, one level at a time.",
                link="alignment",
            ),
            S(
                "Resolve every goal that traces to nothing: link it to a parent or archive it.",
                link="orphans",
                evidence="No goal left without a parent or a reason",
            ),
            S(
                "Check alignment by unit; talk to the lead of any unit where little of the work "
                "traces to the vision.",
                link="alignment_coverage",
            ),
            S(
                "Chase agreements proposed more than two weeks ago and still open.",
                link="agreements",
            ),
            S(
                "Ask the owner of each goal whose metric has not moved for a month whether the "
                "goal is still the right one."
            ),
        ),
    ),
    TemplateSpec(
        slug="quarterly-goal-setting",
        title="Quarterly goal setting",
        purpose=(
            "Each quarter, close the goals of the last one honestly and set the next few, each "
            "with a parent goal and an explicit agreement, so that the unit's direction is "
            "chosen rather than inherited."
        ),
        domain="structure",
        dimension="objectives",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20",
        duration_minutes=120,
        steps=(
            S(
                "Read the parent unit's goals for next quarter on the alignment tree.",
                link="alignment",
            ),
            S(
                "Close this quarter's goals: mark the achieved ones, and for each missed one "
                "write what was learned in a last check-in.",
                link="goals",
            ),
            S(
                "Draft three to five goals for next quarter, each with a metric (start → "
                "target) or milestones, and a parent goal.",
                link="goals",
            ),
            S(
                "Propose each goal to the parent unit's lead, and agree contributions with peer "
                "units you depend on.",
                link="agreements",
                evidence="An agreement proposed for every new goal",
            ),
            S("Add the goals to the unit's operational plan for the quarter.", link="plans"),
        ),
    ),
    # --- purpose --------------------------------------------------------------------------
    TemplateSpec(
        slug="annual-purpose-review",
        title="Annual purpose and mission review",
        purpose=(
            "Purpose holds a community of effort together when plans change. Once a year, "
            "check that the written purpose still says why the unit exists and that its goals "
            "still serve it."
        ),
        domain="structure",
        dimension="purpose",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15",
        duration_minutes=120,
        steps=(
            S(
                "Reread the mission and purpose; write in one sentence whom the unit serves and "
                "why.",
                link="vision",
            ),
            S(
                "Ask three people at different levels to say in their own words why the unit "
                "exists; compare their answers with the written statement."
            ),
            S(
                "Check that each of the unit's top goals clearly serves that purpose; flag the "
                "ones that do not.",
                link="goals",
            ),
            S(
                "Update the statement if the words no longer match reality, and explain the "
                "change to the team.",
                link="vision",
                evidence="Statement confirmed or changed, and the team told",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-purpose-story",
        title="Monthly purpose story",
        purpose=(
            "People stay connected to the purpose when they see it in their own work. Once a "
            "month, tell one concrete story of the work making a difference for someone."
        ),
        domain="structure",
        dimension="purpose",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;BYDAY=-1TH",
        duration_minutes=20,
        steps=(
            S(
                "Pick one result of the past month that made a difference to a customer or "
                "colleague; get the facts: who, what, how much.",
                link="scorecards",
            ),
            S("Tell the story at the team meeting and tie it explicitly to the mission."),
            S(
                "Ask the team for one story of their own and keep them for the annual purpose "
                "review."
            ),
        ),
    ),
    TemplateSpec(
        slug="quarterly-personal-purpose",
        title="Quarterly personal purpose reflection",
        purpose=(
            "Leading yourself starts with knowing why you do the work. Once a quarter, check "
            "that your own goals and your time point where you want your work to lead."
        ),
        domain="structure",
        dimension="purpose",
        levels=("self",),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28",
        duration_minutes=30,
        steps=(
            S(
                "Write one sentence: why you do this work and what you want it to lead to in "
                "three years."
            ),
            S(
                "Check that your self-level goals serve that sentence; adjust one or add one.",
                link="goals",
            ),
            S(
                "Look back at the quarter's leading-vs-doing check-ins: does your time go where "
                "your purpose points?",
                link="time_checkin",
            ),
            S("Share the sentence with your manager at your next 1:1."),
        ),
    ),
    # --- ecosystem ------------------------------------------------------------------------
    TemplateSpec(
        slug="quarterly-ecosystem-scan",
        title="Quarterly ecosystem scan",
        purpose=(
            "No unit succeeds alone. Once a quarter, map who the unit depends on and who "
            "depends on it, and put attention where a relationship is weakening."
        ),
        domain="structure",
        dimension="ecosystem",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10",
        duration_minutes=90,
        steps=(
            S(
                "List the customers, partners, suppliers, regulators and peer units the unit "
                "depends on, and those that depend on it."
            ),
            S(
                "Note for each what changed this quarter and whether the relationship is "
                "getting stronger or weaker."
            ),
            S(
                "Check the horizontal agreements with peer units: which are open, which are "
                "not being kept.",
                link="agreements",
            ),
            S(
                "Choose the two relationships that need attention most and assign a contact "
                "with each as a commitment.",
                link="commitments",
            ),
            S(
                "Record any risk to a goal as a check-in on that goal.",
                link="goals",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-peer-unit-sync",
        title="Monthly peer-unit sync",
        purpose=(
            "Most delays sit between units, not inside them. Meet the leads of the units your "
            "work depends on, and turn every promise into a recorded horizontal agreement."
        ),
        domain="structure",
        dimension="ecosystem",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;BYDAY=2WE",
        duration_minutes=45,
        steps=(
            S(
                "Pick the peer units whose work yours depends on, or that depend on yours.",
                link="units",
            ),
            S(
                "Before meeting, list your goals that rely on them and theirs that rely on you.",
                link="alignment",
            ),
            S("Meet each peer lead: confirm dependencies, dates and handovers."),
            S(
                "Record each new promise as a horizontal agreement or a commitment with an "
                "owner and a due date.",
                link="agreements",
                evidence="Every promise recorded with an owner",
            ),
        ),
    ),
    # --- work methods ---------------------------------------------------------------------
    TemplateSpec(
        slug="monthly-process-walk",
        title="Monthly process walk",
        purpose=(
            "How work really flows is only visible where it happens. Once a month, follow one "
            "process end to end and improve one thing with the people who run it."
        ),
        domain="structure",
        dimension="work_methods",
        levels=("functional_team", "process"),
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        duration_minutes=60,
        steps=(
            S("Pick one recurring process and follow one item through it from start to end."),
            S("Note waits, handoffs, rework and workarounds, with counts where you can."),
            S(
                "Compare what you saw with the efficiency and quality measurables on the unit's "
                "scorecard.",
                link="scorecards",
            ),
            S(
                "Agree one change with the people who run the process, with an owner and a date.",
                link="commitments",
                evidence="A commitment for the change",
            ),
            S(
                "If nothing measures the step you changed, add a measurable for it.",
                link="measurables",
            ),
        ),
    ),
    TemplateSpec(
        slug="biweekly-project-method-check",
        title="Project working-method check",
        purpose=(
            "Projects slip for reasons of method as often as of effort. Every two weeks, look "
            "at what slipped and change one thing in how the project works."
        ),
        domain="structure",
        dimension="work_methods",
        levels=("project",),
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        duration_minutes=30,
        steps=(
            S(
                "Review the project goal's milestones: which were reached, which slipped.",
                link="goals",
            ),
            S(
                "For each slip, ask whether the method (handoffs, reviews, approvals, tools) or "
                "the plan caused it."
            ),
            S("Change one thing in how the project works for the next two weeks."),
            S(
                "Record the change as a check-in on the project goal so the next check can "
                "judge it.",
                link="goals",
            ),
        ),
    ),
    TemplateSpec(
        slug="quarterly-working-agreements-review",
        title="Quarterly working agreements review",
        purpose=(
            "Team rules accumulate and rot. Once a quarter, keep the ones that help, fix the "
            "ones people work around, and drop the rest."
        ),
        domain="structure",
        dimension="work_methods",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=5",
        duration_minutes=60,
        steps=(
            S(
                "List the team's working agreements: meeting rhythm, definition of done, "
                "handover rules, tools."
            ),
            S("Ask the team which they follow, which they work around, and which are missing."),
            S("Drop one rule that no longer helps and fix one that is worked around."),
            S(
                "Write the changed agreements where the team looks for them and announce them.",
                evidence="Changed agreements published to the team",
            ),
        ),
    ),
    # --- organizational structure ---------------------------------------------------------
    TemplateSpec(
        slug="quarterly-structure-review",
        title="Quarterly units and roles review",
        purpose=(
            "Structure should follow the strategy, not history. Once a quarter, check that each "
            "unit is a real community of effort with a lead, a manager and clear decision "
            "rights."
        ),
        domain="structure",
        dimension="organizational_structure",
        levels=("strategy", "functional_team"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
        duration_minutes=90,
        steps=(
            S(
                "Walk the units tree: does each unit still exist for a purpose and own goals?",
                link="units",
            ),
            S(
                "Check that every unit has someone who leads and someone who manages; fill "
                "gaps or name an interim.",
                link="units",
                evidence="Every live unit has a lead and a manager",
            ),
            S("Archive project units whose work has ended.", link="units"),
            S(
                "Look at reporting lines: who manages too many people, who has no manager.",
                link="people",
            ),
            S(
                "For the three most frequent decisions in each unit, name who decides and "
                "write it in the unit's description."
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-roles-check",
        title="Monthly people and roles check",
        purpose=(
            "Joiners, leavers and moves make the recorded structure wrong within weeks. A "
            "monthly check keeps roles, reporting lines and ownership true."
        ),
        domain="structure",
        dimension="organizational_structure",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
        duration_minutes=30,
        steps=(
            S(
                "Check titles, managers and org roles of the unit's people.",
                link="people",
            ),
            S(
                "Give each joiner a role assignment on the units they work in.",
                link="units",
            ),
            S(
                "Before someone leaves or moves, reassign their goals and open commitments.",
                link="commitments",
                evidence="No open commitment owned by someone who left",
            ),
            S(
                "Scan the month's history for structure changes you did not expect.",
                link="history",
            ),
        ),
    ),
    # --- rewards and recognition ----------------------------------------------------------
    TemplateSpec(
        slug="weekly-recognition",
        title="Weekly recognition round",
        purpose=(
            "Behaviour that is noticed is repeated. Recognize real contribution every week, "
            "specifically and soon, and spread it beyond the usual few."
        ),
        domain="structure",
        dimension="rewards_recognition",
        levels=("strategy", "functional_team", "process", "project"),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        duration_minutes=15,
        steps=(
            S(
                "Look at commitments evaluated as met this week and goals that reached a "
                "milestone.",
                link="commitments",
            ),
            S(
                "Thank at least two people specifically: what they did and what it made possible.",
                evidence="At least two specific recognitions",
            ),
            S(
                "Where a commitment was met in an exemplary way, act on its evaluation with "
                "'recognize'.",
                link="commitments",
            ),
            S("Check you are not recognizing the same people as last week."),
        ),
    ),
    TemplateSpec(
        slug="quarterly-rewards-calibration",
        title="Quarterly rewards calibration",
        purpose=(
            "What gets rewarded is the real strategy. Once a quarter, check that pay, "
            "promotion and praise follow results and values, not visibility or heroics."
        ),
        domain="structure",
        dimension="rewards_recognition",
        levels=("strategy", "functional_team"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=25",
        duration_minutes=90,
        steps=(
            S(
                "Review each person's follow-through on commitments for the quarter.",
                link="commitments",
            ),
            S(
                "Compare with goal results and the people measurables on the scorecard.",
                link="scorecards",
            ),
            S(
                "Check that planned rewards match the values and the goals, not only visible "
                "firefighting.",
                link="vision",
            ),
            S("Calibrate with peer leads so that similar contribution gets similar reward."),
            S(
                "Tell each person what was recognized and why before any number reaches them.",
                evidence="Every person told in person",
            ),
        ),
    ),
    # --- knowledge and capabilities -------------------------------------------------------
    TemplateSpec(
        slug="quarterly-capability-review",
        title="Quarterly capability review",
        purpose=(
            "Goals fail when the skills they need are missing or held by one person. Once a "
            "quarter, match the skills the next goals need with the team you have."
        ),
        domain="structure",
        dimension="knowledge_capabilities",
        levels=("functional_team", "process"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
        duration_minutes=90,
        steps=(
            S("List the skills next quarter's goals require.", link="goals"),
            S("Rate each person on each skill: can teach, can do, learning, none."),
            S("Mark the single points of failure: skills that only one person has."),
            S(
                "Pair someone to learn each single-point skill, and agree one development step "
                "per person; record both as commitments.",
                link="commitments",
                evidence="A cross-training commitment per single point of failure",
            ),
            S("Put training and hiring needs into the plan's budget.", link="plans"),
        ),
    ),
    TemplateSpec(
        slug="monthly-knowledge-share",
        title="Monthly knowledge share",
        purpose=(
            "Know-how that stays in one head leaves with that person. Once a month, have "
            "someone teach what they know and have someone else practise it on real work."
        ),
        domain="structure",
        dimension="knowledge_capabilities",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;BYDAY=-1WE",
        duration_minutes=45,
        steps=(
            S("Ask one team member to teach a method, tool or lesson learned in 20 minutes."),
            S("Store the material where newcomers will find it and tell the team where."),
            S(
                "Pair a volunteer with the teacher on a real task within two weeks.",
                link="commitments",
            ),
            S("Choose next month's topic and teacher before the session ends."),
        ),
    ),
    TemplateSpec(
        slug="monthly-personal-learning",
        title="Monthly personal learning review",
        purpose=(
            "Every step up leads away from your craft and toward leading. Keep building the "
            "capabilities your role will need, one deliberate step a month."
        ),
        domain="structure",
        dimension="knowledge_capabilities",
        levels=("self",),
        rrule="FREQ=MONTHLY;BYDAY=1FR",
        duration_minutes=30,
        steps=(
            S("Post a check-in on your development goal.", link="goals"),
            S("Name one capability your role will need within a year that you lack now."),
            S(
                "Pick this month's learning step (course, book, shadowing, stretch task) and "
                "make it a commitment with a date.",
                link="commitments",
            ),
            S("Ask one person for feedback on what you practised last month."),
        ),
    ),
)

_OPERATE: tuple[TemplateSpec, ...] = (
    # --- planning -------------------------------------------------------------------------
    TemplateSpec(
        slug="weekly-planning",
        title="Weekly planning",
        purpose=(
            "A week that is not planned fills with the team's work. Before the week starts, "
            "reserve time for leading and tie the week's outcomes to goals."
        ),
        domain="operate",
        dimension="planning",
        levels=("functional_team", "process", "project", "self"),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        duration_minutes=30,
        steps=(
            S("Review My week: what got done and what slipped.", link="my_week"),
            S(
                "Check commitments due next week, yours and your team's; raise any at risk now.",
                link="commitments",
            ),
            S(
                "Block next week's leading time first: 1:1s, reviews and the routines that "
                "fall due.",
                link="sops",
            ),
            S("Pick the three outcomes that matter most next week and tie each to a goal."),
        ),
    ),
    TemplateSpec(
        slug="monthly-budget-review",
        title="Monthly budget review",
        purpose=(
            "A budget only steers when it is compared with actuals while there is still time "
            "to act. Review spend against plan monthly and move money deliberately."
        ),
        domain="operate",
        dimension="planning",
        levels=("strategy", "functional_team", "project"),
        rrule="FREQ=MONTHLY;BYMONTHDAY=10",
        duration_minutes=60,
        steps=(
            S(
                "Compare each budget line of the financial plan with the month's actuals.",
                link="plans",
            ),
            S(
                "Explain every line more than 10% off plan in a note on the line.",
                evidence="A note on every line more than 10% off",
            ),
            S(
                "Check the forecast of the financial measurables: is the year's target still "
                "in reach?",
                link="scorecards",
            ),
            S(
                "Decide reallocations; assign each follow-up as a commitment.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="annual-operating-plan",
        title="Annual operating plan and budget",
        purpose=(
            "Strategy becomes real in the operating plan: who does what, when, with which "
            "money. Build it from the strategic goals and check it against real capacity."
        ),
        domain="operate",
        dimension="planning",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=1",
        duration_minutes=240,
        steps=(
            S(
                "Start from next year's strategy-level goals and the parent unit's plan.",
                link="alignment",
            ),
            S(
                "Draft the operational plan: initiatives with owners and timeframes, each linked "
                "to a goal.",
                link="plans",
            ),
            S(
                "Draft the budget lines: one per initiative plus the running cost.",
                link="plans",
            ),
            S(
                "Check capacity against people's available time; cut or delay what does not fit.",
                link="people",
            ),
            S(
                "Agree the plan with the parent unit's lead.",
                link="agreements",
                evidence="Plan agreed with the parent lead",
            ),
        ),
    ),
    # --- accountability -------------------------------------------------------------------
    TemplateSpec(
        slug="daily-accountability-check",
        title="Daily accountability check",
        purpose=(
            "Monitoring is the step of the loop that slips first. Ten minutes each working "
            "day catches blocked and overdue commitments while help can still change the "
            "outcome."
        ),
        domain="operate",
        dimension="accountability",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        duration_minutes=10,
        steps=(
            S("Open My week: what is due today and what is overdue.", link="my_week"),
            S(
                "In your team's commitments, look at those at risk or overdue.",
                link="commitments",
            ),
            S("Contact each owner today: what is blocking, what help is needed?"),
            S(
                "Answer proposed commitments and change requests waiting for you.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="weekly-accountability-loop",
        title="Weekly accountability loop",
        purpose=(
            "Plans turn into results through assign, execute, monitor, evaluate and act. Run "
            "the whole loop every week so that no commitment is left without a decision."
        ),
        domain="operate",
        dimension="accountability",
        levels=("strategy", "functional_team", "process", "project"),
        rrule="FREQ=WEEKLY;BYDAY=TU",
        duration_minutes=45,
        steps=(
            S(
                "Assign: turn last week's decisions into commitments, each with one owner and "
                "a due date.",
                link="commitments",
            ),
            S(
                "Monitor: go through open commitments by state; ask for an update on any without "
                "one this week.",
                link="commitments",
            ),
            S(
                "Evaluate each completed commitment: met, partially met or missed.",
                link="commitments",
                evidence="Every completed commitment evaluated",
            ),
            S(
                "Act on each evaluation: close, renew, escalate or recognize.",
                link="commitments",
            ),
            S(
                "Note patterns in each person's follow-through to raise at the next 1:1.",
                link="people",
            ),
        ),
    ),
    TemplateSpec(
        slug="weekly-scorecard-review",
        title="Weekly scorecard review",
        purpose=(
            "A scorecard says whether success is in reach or whether strategy or execution "
            "must shift. Read it every week, complete, and act on red before it becomes a "
            "missed quarter."
        ),
        domain="operate",
        dimension="accountability",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=WEEKLY;BYDAY=MO",
        duration_minutes=30,
        steps=(
            S(
                "Make sure every measurable has last week's value; chase missing ones with "
                "their owners.",
                link="scorecards",
                evidence="No value missing for last week",
            ),
            S(
                "Go through red and yellow rows and ask each owner for the cause.",
                link="scorecards",
            ),
            S(
                "Check the 'in reach?' forecast of each measurable with a target this quarter.",
                link="measurables",
            ),
            S(
                "Agree one action per red row as a commitment with an owner and a due date.",
                link="commitments",
            ),
        ),
    ),
    # --- stakeholder engagement -----------------------------------------------------------
    TemplateSpec(
        slug="weekly-stakeholder-contacts",
        title="Weekly stakeholder contacts",
        purpose=(
            "Stakeholders who hear from you only when something goes wrong stop trusting you. "
            "Make regular contact a weekly habit and keep what you promise."
        ),
        domain="operate",
        dimension="stakeholder_engagement",
        levels=("strategy", "functional_team", "process", "project"),
        rrule="FREQ=WEEKLY;BYDAY=WE",
        duration_minutes=30,
        steps=(
            S("List the stakeholders you have not spoken to for longer than you intended."),
            S(
                "Contact at least two: ask what they need from the unit and what they see coming.",
                evidence="Two conversations held",
            ),
            S("Note what you heard and what you promised."),
            S(
                "Turn each promise into a commitment with an owner and a due date.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-skip-level-conversations",
        title="Monthly skip-level conversations",
        purpose=(
            "What reaches the top is filtered at every level. Talk monthly with people two "
            "levels down to hear the obstacles and customer signals directly."
        ),
        domain="operate",
        dimension="stakeholder_engagement",
        levels=("strategy", "functional_team"),
        rrule="FREQ=MONTHLY;BYDAY=3TU",
        duration_minutes=60,
        steps=(
            S("Pick two or three people two levels below you.", link="people"),
            S(
                "Ask each: what gets in your way, what do you hear from customers, what would "
                "you change first?"
            ),
            S("Do not fix things on the spot; write down what you heard and thank them."),
            S(
                "Share themes, not names, with their managers and agree the follow-ups as "
                "commitments.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="quarterly-customer-review",
        title="Quarterly customer review",
        purpose=(
            "Customers, internal or external, judge the unit by what it delivers to them. "
            "Once a quarter, hear them directly and let what they say change priorities."
        ),
        domain="operate",
        dimension="stakeholder_engagement",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20",
        duration_minutes=120,
        steps=(
            S(
                "Review the customer satisfaction measurables and their trend over the quarter.",
                link="scorecards",
            ),
            S(
                "Speak with three customers: what should we start, stop and continue?",
                evidence="Three customer conversations",
            ),
            S(
                "Compare what you heard with the unit's goals; adjust priorities where it matters.",
                link="goals",
            ),
            S(
                "Tell those customers what will change because of their input, and commit to a "
                "date.",
                link="commitments",
            ),
        ),
    ),
)

_PERFECT: tuple[TemplateSpec, ...] = (
    # --- explore --------------------------------------------------------------------------
    TemplateSpec(
        slug="weekly-one-on-one",
        title="Weekly 1:1",
        purpose=(
            "Development starts with listening. A regular 1:1 set by the other person's agenda "
            "shows how they work, what holds them back and what they are ready for."
        ),
        domain="perfect",
        dimension="explore",
        levels=("strategy", "functional_team", "process", "project"),
        rrule="FREQ=WEEKLY;BYDAY=TH",
        duration_minutes=30,
        steps=(
            S(
                "Before the meeting, look at the person's goals, commitments and recent check-ins.",
                link="people",
            ),
            S("Let them set the agenda; start with 'what is on your mind?' and listen."),
            S("Ask one question about how they work, not what: what is hard, what energizes."),
            S(
                "Agree at most two actions and record each as a commitment.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-listening-walk",
        title="Monthly listening walk",
        purpose=(
            "Reports show what is measured; the floor shows what is happening. Once a month, "
            "go where the work is done, ask, and bring back questions rather than answers."
        ),
        domain="perfect",
        dimension="explore",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=MONTHLY;BYDAY=2TH",
        duration_minutes=60,
        steps=(
            S("Choose the area you know least about and spend an hour where its work happens."),
            S("Ask open questions: what works, what does not, what would you change first?"),
            S("Write down facts and quotes, not conclusions."),
            S(
                "Compare what you saw with the area's scorecard and goals.",
                link="scorecards",
            ),
            S("Take away one question to investigate, and tell the area when you will answer."),
        ),
    ),
    TemplateSpec(
        slug="quarterly-team-health-check",
        title="Quarterly team health check",
        purpose=(
            "Teams rarely say unprompted what holds them back. A short, repeated health check "
            "shows where the team stands and whether it is getting better."
        ),
        domain="perfect",
        dimension="explore",
        levels=("functional_team", "project"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10",
        duration_minutes=60,
        steps=(
            S(
                "Ask the team to rate, anonymously, from 1 to 5: clarity of goals, workload, "
                "trust, how decisions are made, how we learn.",
                evidence="Ratings from most of the team",
            ),
            S("Compare with last quarter's ratings."),
            S("Discuss the lowest two with the team; ask for causes before solutions."),
            S(
                "Keep the findings for your next development priorities.",
                link="goals",
            ),
        ),
    ),
    # --- clarify --------------------------------------------------------------------------
    TemplateSpec(
        slug="weekly-leading-vs-doing",
        title="Weekly leading-vs-doing check-in",
        purpose=(
            "The more time a leader spends on the team's work, the less is left for leading. "
            "Record the split every week and choose where next week's leading time goes."
        ),
        domain="perfect",
        dimension="clarify",
        levels=("strategy", "functional_team", "process", "project", "self"),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        duration_minutes=10,
        steps=(
            S(
                "Record last week's split: time spent leading (structure, operate, perfect) "
                "and time spent doing the team's work.",
                link="time_checkin",
                evidence="Time check-in saved for the week",
            ),
            S(
                "If doing took more than you planned, name the task that pulled you in and who "
                "should own it."
            ),
            S(
                "Open the coverage map and pick the dimension you have neglected longest.",
                link="coverage",
            ),
            S("Block time for it in next week's calendar now."),
        ),
    ),
    TemplateSpec(
        slug="monthly-development-priorities",
        title="Monthly development priorities",
        purpose=(
            "Everything noticed in 1:1s and walks is useless until it is prioritized. Once a "
            "month, choose the one development need per person and for the team that matters "
            "most, and plan it with them."
        ),
        domain="perfect",
        dimension="clarify",
        levels=("strategy", "functional_team", "process", "project"),
        rrule="FREQ=MONTHLY;BYDAY=-1MO",
        duration_minutes=45,
        steps=(
            S("Collect what you learned this month from 1:1s, walks and the health check."),
            S(
                "Choose one development need per person, and one for the team, that matters "
                "most for next quarter's goals.",
                link="goals",
            ),
            S(
                "Write each person's need as a goal at their Self level, with a visible outcome.",
                link="goals",
            ),
            S(
                "Agree it with the person: it is their goal, not yours.",
                link="agreements",
                evidence="The person accepted the goal",
            ),
        ),
    ),
    TemplateSpec(
        slug="quarterly-development-plan",
        title="Quarterly development plan conversation",
        purpose=(
            "Growth needs a plan the person owns. Each quarter, agree one or two development "
            "goals with each direct report, and the concrete steps and time to reach them."
        ),
        domain="perfect",
        dimension="clarify",
        levels=("functional_team", "process", "self"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=5",
        duration_minutes=60,
        steps=(
            S("Ask the person to prepare: strengths, one area to grow, what they want next."),
            S(
                "Agree one or two development goals with evidence of progress you both can see.",
                link="goals",
            ),
            S(
                "Plan the how: stretch task, training, mentor, reading, each with a date.",
                link="commitments",
            ),
            S("Check the plan fits their time; take work off their plate if it does not."),
        ),
    ),
    # --- transform ------------------------------------------------------------------------
    TemplateSpec(
        slug="biweekly-team-experiment",
        title="Team experiment review",
        purpose=(
            "Teams improve by trying things, not by discussing them. Every two weeks, judge "
            "the running experiment by its measure and start the next one."
        ),
        domain="perfect",
        dimension="transform",
        levels=("functional_team", "process", "project"),
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        duration_minutes=45,
        steps=(
            S(
                "Review the running experiment: what did we try, what happened, what does its "
                "measurable say?",
                link="measurables",
            ),
            S("Decide: adopt, adapt or abandon, and tell the team why."),
            S(
                "Frame the next experiment: one change, the expected effect, how it is "
                "measured, two weeks."
            ),
            S(
                "Give it an owner as a commitment due at the next review.",
                link="commitments",
                evidence="A commitment for the next experiment",
            ),
        ),
    ),
    TemplateSpec(
        slug="biweekly-retrospective",
        title="Team retrospective",
        purpose=(
            "A team that never looks back repeats its problems. Every two weeks, reframe one "
            "recurring problem and commit to at most two changes."
        ),
        domain="perfect",
        dimension="transform",
        levels=("functional_team", "project"),
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
        duration_minutes=60,
        steps=(
            S(
                "Gather the facts: milestones reached, commitments met and missed in the two "
                "weeks.",
                link="commitments",
            ),
            S("Ask: what helped, what hindered, what will we do differently?"),
            S("Reframe one recurring problem: which assumption sits behind it?"),
            S(
                "Choose at most two changes and give each an owner.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-feedback-practice",
        title="Monthly feedback practice",
        purpose=(
            "Leaders hear less honest feedback the higher they rise. Ask for it every month, "
            "turn it into one habit to try, and show that asking was worth it."
        ),
        domain="perfect",
        dimension="transform",
        levels=("strategy", "functional_team", "self"),
        rrule="FREQ=MONTHLY;BYDAY=3TH",
        duration_minutes=30,
        steps=(
            S(
                "Ask two colleagues for one thing to keep doing and one to change as a leader.",
                evidence="Feedback from two people",
            ),
            S("Reframe it as a habit to try, not a verdict on you."),
            S(
                "Make trying the habit a self-level goal and check in on it weekly.",
                link="goals",
            ),
            S("Tell the people who gave feedback what you are trying."),
        ),
    ),
    # --- master ---------------------------------------------------------------------------
    TemplateSpec(
        slug="quarterly-sop-improvement",
        title="Quarterly routine improvement",
        purpose=(
            "Routines get better only if they are reviewed. Once a quarter, look at which "
            "routines actually ran, improve or retire the rest, and cover every dimension."
        ),
        domain="perfect",
        dimension="master",
        levels=("strategy", "functional_team", "process", "project", "self"),
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=25",
        duration_minutes=60,
        steps=(
            S(
                "Review your routines' adherence: which ran on time, which were skipped or missed?",
                link="sops",
            ),
            S(
                "For each skipped routine decide: wrong routine, too long, or wrong time? "
                "Change it or retire it."
            ),
            S(
                "Turn the improvement ideas noted in runs into a new version where they help.",
                link="sops",
            ),
            S(
                "Open the coverage map; adopt a routine for any dimension you do not cover.",
                link="coverage",
                evidence="Every dimension covered by a routine",
            ),
        ),
    ),
    TemplateSpec(
        slug="monthly-mentoring",
        title="Monthly mentoring session",
        purpose=(
            "Mastery shows when you can pass it on. Mentor a less experienced leader every "
            "month, using your own routines as the teaching material."
        ),
        domain="perfect",
        dimension="master",
        levels=("strategy", "functional_team", "process"),
        rrule="FREQ=MONTHLY;BYDAY=2FR",
        duration_minutes=45,
        steps=(
            S("Ask your mentee which leading challenge is hardest for them right now."),
            S(
                "Show them the routine of yours that handles a similar situation, step by step.",
                link="sops",
            ),
            S("Let them adapt it to their level and unit; do not hand it over unchanged."),
            S(
                "Agree when they will run it first and when you will review the run together.",
                link="commitments",
            ),
        ),
    ),
    TemplateSpec(
        slug="annual-practice-exchange",
        title="Annual leadership practice exchange",
        purpose=(
            "Good routines stay local unless someone spreads them. Once a year, collect the "
            "routines that worked best across units and make them part of how the whole "
            "organization leads."
        ),
        domain="perfect",
        dimension="master",
        levels=("strategy", "functional_team"),
        rrule="FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=15",
        duration_minutes=90,
        steps=(
            S(
                "Ask each unit lead to bring the one routine that made the biggest difference "
                "this year."
            ),
            S(
                "Compare the adherence and results of those routines across units.",
                link="sops",
            ),
            S(
                "Publish the best ones to the organization's library, adapted to each level.",
                link="sops",
            ),
            S(
                "Name a leader to own and mentor each adopted routine.",
                evidence="An owner for each adopted routine",
            ),
            S("Check the coverage map for dimensions nobody covers.", link="coverage"),
        ),
    ),
)

LIBRARY: tuple[TemplateSpec, ...] = _STRUCTURE + _OPERATE + _PERFECT

_BY_SLUG: dict[str, TemplateSpec] = {template.slug: template for template in LIBRARY}


def template_by_slug(slug: str) -> TemplateSpec | None:
    return _BY_SLUG.get(slug)
