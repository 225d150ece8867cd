"""The golden thread of one sub-indicator of one school: score and trend → problem and root cause →
activities → budget lines → evidence → monev → standard decision → the next rapor's score.

`school_thread` reads it in a fixed number of queries whatever the plan's size; `region_thread`
counts, over the schools in view, how many chosen problems have a planned, a funded, a done and an
evaluated activity.
"""

import math

from django.db.models import Prefetch

from mutu.instruments.models import Node
from mutu.mapping.models import SchoolScore
from mutu.mapping.scoring import ENGINE
from mutu.mapping.selectors import decode
from mutu.schools.models import School

from .implementation import realisation
from .models import Activity, ActivityStatus, Dimension, Evaluation, Evidence, Problem, SchoolCycle, StandardDecision


def _standard_code(code):
    return code.split(".")[0]


def score_trend(school, code):
    """[(year, round name, score)] of the sub-indicator `code` in the school's rapor, oldest first."""
    scores = list(
        SchoolScore.objects.filter(school=school, engine=ENGINE, total__isnull=False)
        .select_related("round")
        .order_by("round__year", "round__closes_on")
    )
    versions = {s.round.instrument_id for s in scores}
    positions = {
        version: list(Node.objects.filter(version=version).order_by("position").values_list("code", flat=True))
        for version in versions
    }
    trend = []
    for score in scores:
        codes = positions[score.round.instrument_id]
        if code in codes:
            value = float(decode(score.values)[codes.index(code)])
            trend.append((score.round.year, score.round.name, None if math.isnan(value) else value))
    return trend


def school_thread(cycle, code):
    """Everything the cycle did about the sub-indicator `code`."""
    problem = Problem.objects.filter(cycle=cycle, node__code=code).select_related("node").first()
    activities = list(
        Activity.objects.filter(program__cycle=cycle, nodes__code=code)
        .distinct()
        .select_related("program")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.filter(removed_at__isnull=True)),
            Prefetch("program__evaluations", queryset=Evaluation.objects.order_by("dimension")),
        )
    )
    decision = (
        StandardDecision.objects.filter(cycle=cycle, node__code=_standard_code(code)).select_related("node").first()
    )
    trend = score_trend(cycle.school, code)
    made = realisation(activities, cycle.year)  # later years show in their cycle
    order = list(Dimension.values)
    programs = {}
    for activity in activities:
        programs.setdefault(activity.program_id, activity.program)
    before = [value for year, _name, value in trend if year <= cycle.year and value is not None]
    after = [value for year, _name, value in trend if year > cycle.year and value is not None]
    return {
        "code": code,
        "problem": problem,
        "activities": activities,
        "budget": made.planned,
        "spent": made.spent,
        "programs": [
            (program, sorted(program.evaluations.all(), key=lambda e: order.index(e.dimension)))
            for program in programs.values()
        ],
        "decision": decision,
        "trend": trend,
        "moved": (after[0] - before[-1]) if before and after else None,
    }


def region_thread(school_q, year):
    """Over the cycles of `year` of the schools matching `school_q` (on School): chosen problems, and
    how many have an activity planned, funded (a budget above zero), done, and evaluated. Three
    set-shaped reads joined in Python: linear in the province's size (EXISTS per problem was not)."""
    cycles = SchoolCycle.objects.filter(year=year, school__in=School.objects.filter(school_q))
    problems = list(Problem.objects.filter(cycle__in=cycles).values_list("cycle_id", "node_id"))
    links = Activity.nodes.through.objects.filter(activity__program__cycle__in=cycles).values_list(
        "activity__program__cycle_id",
        "node_id",
        "activity__program_id",
        "activity__status",
        "activity__volume",
        "activity__unit_cost",
    )
    evaluated_programs = set(Evaluation.objects.filter(program__cycle__in=cycles).values_list("program_id", flat=True))
    planned, funded, done, evaluated = set(), set(), set(), set()
    # One plain read: a server-side cursor (iterator) makes PostgreSQL plan for the first rows (10× slower).
    for cycle_id, node_id, program_id, status, volume, unit_cost in links.order_by():
        key = (cycle_id, node_id)
        planned.add(key)
        if volume and unit_cost:
            funded.add(key)
        if status == ActivityStatus.DONE:
            done.add(key)
        if program_id in evaluated_programs:
            evaluated.add(key)
    return {
        "schools": cycles.count(),
        "problems": len(problems),
        "planned": sum(1 for p in problems if p in planned),
        "funded": sum(1 for p in problems if p in funded),
        "done": sum(1 for p in problems if p in done),
        "evaluated": sum(1 for p in problems if p in evaluated),
    }
