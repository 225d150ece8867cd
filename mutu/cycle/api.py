"""The API's SPMI cycles (mounted at /api/cycles by config/api.py): the golden thread of an indicator."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from mutu.accounts.permissions import Perm
from mutu.core.api import ERRORS, ErrorOut, require
from mutu.instruments.models import Node

from . import selectors, thread
from .models import SchoolCycle

router = Router(tags=["cycles"])


class TrendOut(Schema):
    year: int
    round: str
    score: float | None


class ProblemOut(Schema):
    problem: str
    root_cause: str
    recommendation: str


class ActivityOut(Schema):
    name: str
    year: int
    total: float
    fund_source: str
    status: str
    actual_cost: float | None
    evidence: int


class DecisionOut(Schema):
    decision: str
    own_target: float | None


class ThreadOut(Schema):
    code: str
    trend: list[TrendOut]
    problem: ProblemOut | None
    activities: list[ActivityOut]
    budget: float
    spent: float
    decision: DecisionOut | None
    moved: float | None


@router.get("/{npsn}/{year}/thread/{code}", response={200: ThreadOut, ERRORS: ErrorOut})
def golden_thread(request, npsn: str, year: int, code: str):
    """Score and trend → problem → activities and budget → evidence → standard decision, for one
    sub-indicator of one school's cycle."""
    require(request, Perm.CYCLE_VIEW)
    school = selectors.cycle_school(request.user, npsn)
    if school is None:
        raise Http404
    cycle = get_object_or_404(SchoolCycle, school=school, year=year)
    if not Node.objects.filter(code=code, kind=Node.Kind.SUBINDICATOR).exists():
        raise Http404
    data = thread.school_thread(cycle, code)
    return {
        "code": code,
        "trend": [{"year": y, "round": name, "score": value} for y, name, value in data["trend"]],
        "problem": data["problem"]
        and {
            "problem": data["problem"].problem,
            "root_cause": data["problem"].root_cause,
            "recommendation": data["problem"].recommendation,
        },
        "activities": [
            {
                "name": a.name,
                "year": a.year,
                "total": float(a.total),
                "fund_source": a.fund_source,
                "status": a.status,
                "actual_cost": None if a.actual_cost is None else float(a.actual_cost),
                "evidence": len(a.evidence.all()),
            }
            for a in data["activities"]
        ],
        "budget": float(data["budget"]),
        "spent": float(data["spent"]),
        "decision": data["decision"]
        and {"decision": data["decision"].decision, "own_target": data["decision"].own_target},
        "moved": data["moved"],
    }
