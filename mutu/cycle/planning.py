"""Planning: programs answering the analysed problems, activities with their budget lines.

The RKS spans four years from the cycle's year, the RKT is one of them, the RKAS is the RKT's budget
grouped by standard with totals per fund source and per month (an activity's total is spread evenly
over its months). Every activity names at least one sub-indicator of the instrument: the plan page
flags those that do not and the problems no activity answers, and the planning step cannot be
submitted while an activity has no indicator.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from mutu.core.services import record_audit
from mutu.instruments.models import Node

from .analysis import analysis_document, rapor_for
from .models import Activity, BudgetLine, CycleDocument, FundSource, Program, SchoolCycle, Step
from .selectors import WAITING_FOR_REVIEW
from .services import CycleError, open_step, permitted

RKS_YEARS = 4


def plan_years(cycle):
    return list(range(cycle.year, cycle.year + RKS_YEARS))


def planning_document(cycle):
    return CycleDocument.objects.filter(cycle=cycle, step=Step.PLANNING).first()


def _check(actor, cycle):
    open_step(
        actor,
        cycle,
        planning_document(cycle),
        not_team=_("Only the school's own team writes its plan."),
        closed=_("The plan can be changed only while the planning step is a draft or returned for revision."),
    )
    analysis = analysis_document(cycle)
    if analysis.step != Step.PLANNING and analysis.state in WAITING_FOR_REVIEW:
        raise CycleError(
            _("The analysis the plan builds on is “%(state)s”: the plan waits until it is accepted or returned.")
            % {"state": analysis.get_state_display()}
        )


def editable(user, cycle):
    return permitted(_check, user, cycle)


def indicator_nodes(cycle):
    """The sub-indicators an activity may name: those of the instrument of the school's rapor."""
    rapor = rapor_for(cycle)
    if rapor is None:
        return Node.objects.none()
    return Node.objects.filter(version=rapor.round.instrument_id, kind=Node.Kind.SUBINDICATOR).order_by("position")


@transaction.atomic
def save_program(*, actor, cycle, data, program=None):
    _check(actor, cycle)
    created = program is None
    program = program or Program(cycle=cycle, position=cycle.programs.count() + 1)
    program.name, program.goal = data["name"], data.get("goal", "")
    program.save()
    program.problems.set(data.get("problems", []))
    record_audit(
        actor=actor,
        action="cycle.program.add" if created else "cycle.program.change",
        obj=program,
        province_id=cycle.school.province_id,
    )
    return program


@transaction.atomic
def delete_program(*, actor, program):
    _check(actor, program.cycle)
    record_audit(actor=actor, action="cycle.program.delete", obj=program, province_id=program.cycle.school.province_id)
    program.delete()


@transaction.atomic
def save_activity(*, actor, program, data, activity=None):
    _check(actor, program.cycle)
    created = activity is None
    activity = activity or Activity(program=program)
    for name in ("year", "name", "indicator", "target", "volume", "unit", "unit_cost", "fund_source"):
        setattr(activity, name, data[name])
    activity.months = sorted(int(m) for m in data["months"])
    activity.person_in_charge = data["person_in_charge"]
    for name in ("description", "needs_budget", "arkas_post"):
        setattr(activity, name, data.get(name, getattr(activity, name)))
    activity.save()
    activity.nodes.set(data.get("nodes", []))
    record_audit(
        actor=actor,
        action="cycle.activity.add" if created else "cycle.activity.change",
        obj=activity,
        changes={"total": str(activity.total), "fund_source": activity.fund_source},
        province_id=program.cycle.school.province_id,
    )
    return activity


@transaction.atomic
def delete_activity(*, actor, activity):
    _check(actor, activity.program.cycle)
    record_audit(
        actor=actor, action="cycle.activity.delete", obj=activity, province_id=activity.program.cycle.school.province_id
    )
    activity.delete()


@transaction.atomic
def save_budget_line(*, actor, activity, data):
    """Add a line of the ARKAS design to an activity that needs a budget."""
    _check(actor, activity.program.cycle)
    if not activity.needs_budget:
        raise CycleError(_("“%(name)s” needs no budget: it has no ARKAS lines.") % {"name": activity.name})
    last = activity.budget_lines.count()
    line = BudgetLine.objects.create(activity=activity, position=last + 1, **data)
    record_audit(
        actor=actor,
        action="cycle.budget_line.add",
        obj=line,
        changes={"code": line.code, "total": str(line.total)},
        province_id=activity.program.cycle.school.province_id,
    )
    return line


@transaction.atomic
def delete_budget_line(*, actor, line):
    _check(actor, line.activity.program.cycle)
    record_audit(
        actor=actor,
        action="cycle.budget_line.delete",
        obj=line,
        changes={"code": line.code, "total": str(line.total)},
        province_id=line.activity.program.cycle.school.province_id,
    )
    line.delete()


def previous_plan(cycle):
    """Last year's cycle of the school when it has a plan to start from, else None."""
    return SchoolCycle.objects.filter(school=cycle.school, year=cycle.year - 1, programs__isnull=False).first()


def _same(problem):
    """What makes last year's problem this year's: its sub-indicator, or its indicator's code (the
    Rapor Pendidikan framework is a new one each year)."""
    return ("node", problem.node_id) if problem.node_id else ("rp", problem.indicator.code)


@transaction.atomic
def copy_previous(*, actor, cycle):
    """Start the plan from last year's: its programs, and its activities of this year and later."""
    _check(actor, cycle)
    if cycle.programs.exists():
        raise CycleError(_("The plan already has programs: the previous plan is copied only into an empty one."))
    previous = previous_plan(cycle)
    if previous is None:
        raise CycleError(_("There is no plan of %(year)s to copy.") % {"year": cycle.year - 1})
    problems = {_same(p): p for p in cycle.problems.select_related("indicator")}
    copied = 0
    for old in previous.programs.prefetch_related("problems__indicator", "activities__nodes"):
        program = Program.objects.create(cycle=cycle, name=old.name, goal=old.goal, position=old.position)
        program.problems.set([problems[_same(p)] for p in old.problems.all() if _same(p) in problems])
        for old_activity in old.activities.filter(year__gte=cycle.year):
            nodes = list(old_activity.nodes.all())
            old_activity.pk, old_activity.program = None, program
            old_activity.save()
            old_activity.nodes.set(nodes)
            copied += 1
    record_audit(
        actor=actor,
        action="cycle.plan.copy",
        obj=cycle,
        changes={"from": previous.year, "activities": copied},
        province_id=cycle.school.province_id,
    )


def flags(cycle):
    """(activities without an indicator, problems no activity answers) of the plan."""
    activities = Activity.objects.filter(program__cycle=cycle)
    # An activity answering a Rapor Pendidikan indicator improves that indicator instead.
    orphans = list(
        activities.filter(nodes__isnull=True)
        .exclude(program__problems__indicator__isnull=False)
        .select_related("program")
        .distinct()
    )
    improved = set(activities.values_list("nodes", flat=True))
    answered = set(Program.objects.filter(cycle=cycle, activities__isnull=False).values_list("problems", flat=True))
    unanswered = [
        p
        for p in cycle.problems.select_related("node", "indicator")
        if p.pk not in answered and (p.node_id is None or p.node_id not in improved)
    ]
    return orphans, unanswered


def unfinished(document):
    """Why the planning step cannot be submitted yet: [] when it can."""
    if document.step != Step.PLANNING:
        return []
    activities = Activity.objects.filter(program__cycle=document.cycle)
    if not activities.exists():
        return [_("The plan has no activity yet.")]
    orphans, _unanswered = flags(document.cycle)
    return [
        _("The activity “%(name)s” improves no sub-indicator: link it to at least one sub-indicator of the rapor.")
        % {"name": a.name}
        for a in orphans
    ]


def rkas(cycle, year):
    """The budget of `year`: rows per standard with their activities, and totals per fund source and
    per month (an activity's total spread evenly over its months)."""
    activities = (
        Activity.objects.filter(program__cycle=cycle, year=year)
        .select_related("program")
        .prefetch_related("nodes__parent__parent", "budget_lines", "program__problems__indicator")
    )
    by_standard = defaultdict(list)
    per_source = defaultdict(Decimal)
    per_month = defaultdict(Decimal)
    for activity in activities:
        standards = sorted({_standard(node) for node in activity.nodes.all()}, key=lambda s: s.position)
        standard = standards[0] if standards else None
        activity.codes = sorted({line.code for line in activity.budget_lines.all()})  # BOSP kode kegiatan
        activity.rp_codes = [p.code for p in activity.program.problems.all() if p.indicator_id]
        by_standard[standard].append(activity)
        per_source[activity.fund_source] += activity.total
        for month in activity.months:
            per_month[month] += activity.total / len(activity.months)
    groups = [
        {"standard": standard, "activities": rows, "total": sum((a.total for a in rows), Decimal(0))}
        for standard, rows in sorted(by_standard.items(), key=lambda item: item[0].position if item[0] else 10**9)
    ]
    return {
        "groups": groups,
        "per_source": [(label, per_source[value]) for value, label in FundSource.choices if per_source[value]],
        "per_month": [(month, per_month[month].quantize(Decimal(1))) for month in range(1, 13)],
        "total": sum(per_source.values(), Decimal(0)),
    }


def _standard(node):
    while node.parent_id:
        node = node.parent
    return node
