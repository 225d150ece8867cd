"""Did it work? Across years, what the Rapor Pendidikan says of the indicators a school worked on.

Per school: each indicator it chose in a cycle from the Rapor Pendidikan of year R shows its score of
R (before) and of R + 1 (after, when that year's file is in Mutu); each rapor mutu sub-indicator it
chose shows the score it was chosen with and that of its next rapor; with the activities planned and
done, and the money spent (the actual cost where recorded, else nothing is claimed).

Per region and indicator: the change from R to R + 1 of the schools that acted on it (chose it in a
cycle planned from R) against the schools that did not, each group's size, mean and spread
(standard deviation). A group smaller than MUTU_MIN_GROUP_SIZE is not shown. What is shown is an
observed difference between groups that chose themselves, not a proof that the activities caused it.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from mutu.cycle.models import ActivityStatus, Problem
from mutu.instruments.models import Node
from mutu.mapping.models import SchoolScore
from mutu.mapping.scoring import ENGINE, published
from mutu.mapping.selectors import decode

from .models import Achievement


@dataclass
class Effect:
    problem: Problem
    before: Decimal | None
    after: Decimal | None
    activities: int
    done: int
    spent: Decimal | None

    @property
    def change(self):
        return self.after - self.before if self.before is not None and self.after is not None else None


def school_effects(school):
    """Every Rapor Pendidikan indicator the school worked on, oldest cycle first."""
    return effects_by_school([school.pk]).get(school.pk, [])


def effects_by_school(school_ids):
    """{school id: [Effect]} for the indicators each school worked on: a Rapor Pendidikan indicator
    against the next year's file; a rapor mutu sub-indicator (matched by its code) against the
    school's first rapor of a later year. In a fixed number of queries."""
    problems = (
        Problem.objects.filter(cycle__school__in=school_ids)
        .filter(Q(indicator__isnull=False) | Q(round__isnull=False))
        .select_related("cycle", "indicator__framework", "node", "round")
        .annotate(
            planned=Count("programs__activities", distinct=True),
            done=Count(
                "programs__activities", filter=Q(programs__activities__status=ActivityStatus.DONE), distinct=True
            ),
            spent=Sum("programs__activities__actual_cost"),
        )
        .order_by("cycle__year", "position")
    )
    scores = {
        (school_id, year, code): score
        for school_id, year, code, score in Achievement.objects.filter(school__in=school_ids).values_list(
            "school_id", "year", "indicator__code", "score"
        )
    }
    rapors = _rapor_mutu(school_ids)
    effects = defaultdict(list)
    for problem in problems:
        school_id = problem.cycle.school_id
        if problem.indicator_id:
            year, code = problem.indicator.framework.year, problem.indicator.code
            before, after = scores.get((school_id, year, code)), scores.get((school_id, year + 1, code))
        else:
            before = published(problem.score) if problem.score is not None else None
            later = [by_code for year, by_code in rapors.get(school_id, []) if year > problem.round.year]
            after = later[0].get(problem.node.code) if later else None
        effects[school_id].append(
            Effect(
                problem=problem,
                before=before,
                after=after,
                activities=problem.planned,
                done=problem.done,
                spent=problem.spent,
            )
        )
    return effects


def _rapor_mutu(school_ids):
    """{school id: [(year, {node code: published score})]} of the schools' rapor mutu, oldest first."""
    rows = (
        SchoolScore.objects.filter(school__in=school_ids, engine=ENGINE, total__isnull=False)
        .order_by("round__year", "round__closes_on")
        .values_list("school_id", "round__year", "round__instrument_id", "values")
    )
    codes, found = {}, defaultdict(list)
    for school_id, year, version, values in rows.iterator():
        if version not in codes:
            codes[version] = list(
                Node.objects.filter(version=version).order_by("position").values_list("code", flat=True)
            )
        found[school_id].append(
            (
                year,
                {
                    code: published(v)
                    for code, v in zip(codes[version], decode(values), strict=True)
                    if not math.isnan(v)
                },
            )
        )
    return found


def mean_changes(school_ids, since, until):
    """{school id: the mean change of its main indicators from `since` to `until`}, over the indicators
    with a score in both years (a school with none is left out)."""
    pairs = defaultdict(dict)
    rows = Achievement.objects.filter(
        school__in=school_ids, indicator__main=True, year__in=(since, until), score__isnull=False
    ).values_list("school_id", "indicator__code", "year", "score")
    for school_id, code, year, score in rows.iterator():
        pairs[school_id].setdefault(code, {})[year] = float(score)
    changes = {}
    for school_id, by_code in pairs.items():
        deltas = [y[until] - y[since] for y in by_code.values() if since in y and until in y]
        if deltas:
            changes[school_id] = statistics.fmean(deltas)
    return changes


@dataclass
class Group:
    size: int
    mean: float | None = None
    spread: float | None = None
    suppressed: bool = False


def _group(changes):
    if len(changes) < settings.MUTU_MIN_GROUP_SIZE:
        return Group(size=len(changes), suppressed=True)
    return Group(
        size=len(changes),
        mean=statistics.fmean(changes),
        spread=statistics.stdev(changes) if len(changes) > 1 else 0.0,
    )


def region_effect(schools, code, year):
    """(acted, did not) for one indicator from `year` to the next, over `schools` (a queryset)."""
    pairs = {}
    rows = Achievement.objects.filter(
        school__in=schools, indicator__code=code, year__in=(year, year + 1), score__isnull=False
    ).values_list("school_id", "year", "score")
    for school_id, found_year, score in rows.iterator():
        pairs.setdefault(school_id, {})[found_year] = float(score)
    acted = set(
        Problem.objects.filter(
            cycle__school__in=schools, indicator__code=code, indicator__framework__year=year
        ).values_list("cycle__school_id", flat=True)
    )
    changes = {True: [], False: []}
    for school_id, by_year in pairs.items():
        if year in by_year and year + 1 in by_year:
            changes[school_id in acted].append(by_year[year + 1] - by_year[year])
    return _group(changes[True]), _group(changes[False])
