"""Scoped reads of the Rapor Pendidikan: a user sees the schools and regions their memberships that
grant RP_VIEW cover, as everywhere (mutu/accounts/scopes.py)."""

from dataclasses import dataclass
from decimal import Decimal

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.schools.models import School

from .models import Achievement, Change, Framework, RaporImport


def schools_for(user):
    return School.objects.filter(area_for(user, Perm.RP_VIEW).school_q())


def imports_for(user):
    """Import jobs are their uploader's."""
    return RaporImport.objects.filter(uploaded_by=user)


def years():
    return list(Framework.objects.order_by("-year").values_list("year", flat=True))


def school_years(school):
    return sorted(set(Achievement.objects.filter(school=school).values_list("year", flat=True)), reverse=True)


@dataclass
class Line:
    indicator: object
    achievement: Achievement
    previous: Decimal | None  # last year's score: Mutu's stored one for the same code, else the file's
    change: str


def change_between(previous, score):
    if previous is None or score is None:
        return ""
    return Change.UP if score > previous else Change.DOWN if score < previous else Change.SAME


def school_report(school, year):
    """The school's indicators of `year` with their achievement, in the framework's order."""
    stored = list(
        Achievement.objects.filter(school=school, year=year).select_related("indicator").order_by("indicator__position")
    )
    before = dict(
        Achievement.objects.filter(school=school, year=year - 1, score__isnull=False).values_list(
            "indicator__code", "score"
        )
    )
    lines = []
    for achievement in stored:
        previous = before.get(achievement.indicator.code, achievement.previous_score)
        lines.append(
            Line(
                indicator=achievement.indicator,
                achievement=achievement,
                previous=previous,
                change=change_between(previous, achievement.score) or achievement.change,
            )
        )
    return lines


def history(school, codes):
    """{code: [(year, score)]} over every year the school has, for the chart."""
    series = {code: [] for code in codes}
    rows = Achievement.objects.filter(school=school, indicator__code__in=codes, score__isnull=False).order_by("year")
    for code, year, score in rows.values_list("indicator__code", "year", "score"):
        series[code].append((year, score))
    return series
