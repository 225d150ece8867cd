"""The API's rounds: progress, school rapor mutu and region figures (mounted at /api/rounds by mutu/core/api.py)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core.api import ERRORS, ErrorOut, require
from mutu.instruments.models import LevelBand
from mutu.schools.selectors import school_for_user

from . import selectors
from .models import Milestone, PendingScore, RaporVersion, RegionScore, SchoolScore
from .rapor import region_figures, region_schools
from .scoring import ENGINE

router = Router(tags=["rounds"])


class RoundOut(Schema):
    id: int
    name: str
    year: int
    province: str | None
    instrument: str
    opens_on: str
    closes_on: str
    quotas: dict


class LaggingOut(Schema):
    npsn: str
    name: str
    sent: int
    quota: int


class ScoringOut(Schema):
    state: str  # queued, running, done, failed
    requested_at: str
    finished_at: str | None
    rapor: int | None


class ProgressOut(Schema):
    schools: int
    complete: int
    lagging_count: int
    # least advanced first, `limit` rows from `offset`; of schools in several provinces, those of
    # `?province=<code>` only (none without it), as on the page
    lagging: list[LaggingOut]
    scoring: ScoringOut | None  # the last request to compute the rapor: poll it to know when scores change


class NodeScoreOut(Schema):
    code: str
    kind: str
    score: float | None


class PendingOut(Schema):
    total: float | None
    total_published: float | None
    computed_at: str
    set_aside: bool  # the pengawas kept the published rapor; the newer answers wait for the next round


class RaporOut(Schema):
    npsn: str
    round: int
    engine: str
    total: float | None  # full precision
    total_published: float | None  # rounded half up to 2 decimals, as the rapor shows it; `level` is its band
    level: str | None
    respondents: dict
    flags: list
    status: list[str]
    nodes: list[NodeScoreOut]
    version: int | None  # the published version these figures are (None while provisional)
    published_at: str | None
    newer_provisional: PendingOut | None  # a re-score since publication, not published: it changes nothing above


class RegionOut(Schema):
    kind: str
    code: str
    complete: bool  # the figures cover every school of the region, not only those in the caller's scope
    total: float | None
    schools: int
    with_rapor: int
    not_sent: int
    levels: dict
    standards: list[NodeScoreOut]


def _round_out(round_):
    return RoundOut(
        id=round_.pk,
        name=round_.name,
        year=round_.year,
        province=round_.province.code if round_.province else None,
        instrument=round_.instrument.code,
        opens_on=round_.opens_on.isoformat(),
        closes_on=round_.closes_on.isoformat(),
        quotas=round_.quotas,
    )


def _scores(round_, values, only_standards=False):
    nodes = selectors.nodes_of(round_)
    decoded = selectors.decode(values)
    return [
        NodeScoreOut(code=n.code, kind=n.kind, score=None if decoded[i] != decoded[i] else float(decoded[i]))
        for i, n in enumerate(nodes)
        if not only_standards or n.parent_id is None
    ]


@router.get("", response={200: list[RoundOut], ERRORS: ErrorOut})
def rounds(request):
    require(request, Perm.ROUND_VIEW)
    return [_round_out(r) for r in selectors.rounds_for_user(request.user)]


@router.get("/{round_id}/progress", response={200: ProgressOut, ERRORS: ErrorOut})
def progress(
    request,
    round_id: int,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(100, ge=1, le=1000),
    province: str = Query("", max_length=2),
):
    require(request, Perm.ROUND_VIEW)
    round_ = selectors.round_for_user(request.user, round_id)
    area = area_for(request.user, Perm.ROUND_VIEW)
    result = selectors.region_progress(round_, selectors.round_schools(request.user, round_), area, province=province)
    run = round_.scoring_runs.first()
    return ProgressOut(
        schools=result["total"],
        complete=result["complete"],
        lagging_count=result["lagging_count"],
        lagging=[
            LaggingOut(npsn=s.npsn, name=s.name, sent=s.sent, quota=s.quota)
            for s in result["lagging"][offset : offset + limit]
        ],
        scoring=run
        and ScoringOut(
            state=run.state,
            requested_at=run.requested_at.isoformat(),
            finished_at=run.finished_at and run.finished_at.isoformat(),
            rapor=run.rapor,
        ),
    )


@router.get("/{round_id}/schools/{npsn}/rapor", response={200: RaporOut, ERRORS: ErrorOut})
def school_rapor(request, round_id: int, npsn: str):
    require(request, Perm.ROUND_VIEW)
    round_ = selectors.round_for_user(request.user, round_id)
    school = school_for_user(request.user, npsn, Perm.ROUND_VIEW)
    score = get_object_or_404(SchoolScore, round=round_, school=school, engine=ENGINE)
    bands = list(LevelBand.objects.filter(version=round_.instrument_id).order_by("position"))
    version = RaporVersion.objects.filter(round=round_, school=school).order_by("number").last()
    pending = PendingScore.objects.filter(round=round_, school=school, engine=ENGINE).first()
    return RaporOut(
        npsn=school.npsn,
        round=round_.pk,
        engine=ENGINE,
        total=score.total,
        total_published=score.total_published,
        level=bands[score.level].name if score.level is not None else None,
        respondents=score.respondents,
        flags=score.flags,
        nodes=_scores(round_, score.values),
        status=list(Milestone.objects.filter(round=round_, school=school).values_list("step", flat=True)),
        version=version and version.number,
        published_at=version and version.published_at.isoformat(),
        newer_provisional=pending
        and PendingOut(
            total=pending.total,
            total_published=pending.total_published,
            computed_at=pending.computed_at.isoformat(),
            set_aside=not pending.open,
        ),
    )


@router.get("/{round_id}/regions/{kind}/{code}", response={200: RegionOut, ERRORS: ErrorOut})
def region(request, round_id: int, kind: str, code: str):
    """A region's figures over the schools of it in the caller's scope (`complete`: all of them, as the
    engine stored them), as the region page shows them."""
    require(request, Perm.ROUND_VIEW)
    round_ = selectors.round_for_user(request.user, round_id)
    if kind not in RegionScore.Kind.values:
        raise Http404
    if kind == RegionScore.Kind.NATION:  # the nation is `nation/-`, and only in a national round
        if code != "-" or round_.province_id:
            raise Http404
        code = ""
    schools = region_schools(request.user, round_, kind, code)
    if not schools.exists():
        raise Http404
    bands = list(LevelBand.objects.filter(version=round_.instrument_id).order_by("position"))
    figures = region_figures(round_, kind, code, schools, selectors.nodes_of(round_), bands)
    return RegionOut(
        kind=kind,
        code=code,
        complete=figures.complete,
        total=figures.total,
        schools=figures.schools,
        with_rapor=figures.with_rapor,
        not_sent=figures.not_sent,
        levels={b.name: c for b, c in zip(bands, figures.level_counts, strict=False)},
        standards=[NodeScoreOut(code=n.code, kind=n.kind, score=v) for n, v in figures.standards],
    )
