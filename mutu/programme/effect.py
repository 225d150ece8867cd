"""The programme's effect per kab/kota, stored: the mean change from the cohort's year of the rapor
mutu score and of the Rapor Pendidikan's main indicators, of model schools, their imbas schools and
the other schools of the province.

Computing it reads every school score of the province, so a task does it (`refresh`) whenever those
change (`mutu.core.signals.results_changed`: scoring, corrections, publication, Rapor Pendidikan
imports, school moves) or the cohort's schools do, and the evaluation page reads one stored row per
kab/kota (`stored`)."""

from collections import defaultdict
from statistics import mean

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from mutu.pbd import effects
from mutu.schools.models import School

from .evaluation import change, published_scores
from .models import Cohort, CohortEffect, ModelSchoolStatus

GROUPS = ("model", "imbas", "other")
QUEUED_FOR = 300  # seconds: a page asking for an effect not computed yet queues it once in this time


def years(cohort):
    """The years a cohort is evaluated in: from its own to this one (at most ten)."""
    return range(cohort.year, max(cohort.year, min(timezone.localdate().year, cohort.year + 10)) + 1)


def compute(cohort, until_years):
    """{year: {regency id: cells}} for each of `until_years` after the cohort's year: per group the
    mean change and how many schools have both scores, of the rapor mutu and (under "rp") of the
    Rapor Pendidikan; a group of fewer than MUTU_MIN_GROUP_SIZE schools has no mean (it would show
    one school's own change). The province's scores are read once for every year."""
    model_ids = set(
        cohort.model_schools.filter(status__in=[ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED]).values_list(
            "school_id", flat=True
        )
    )
    imbas_ids = set(cohort.imbas_schools.values_list("school_id", flat=True))
    schools = dict(School.objects.filter(province=cohort.province_id).values_list("pk", "regency_id"))
    scores = published_scores(list(schools))
    group_of = {
        school_id: "model" if school_id in model_ids else "imbas" if school_id in imbas_ids else "other"
        for school_id in schools
    }
    smallest = settings.MUTU_MIN_GROUP_SIZE
    result = {}
    for year in until_years:
        if year <= cohort.year:
            continue
        sources = {
            "rapor": {school_id: change(scores.get(school_id, []), cohort.year, year) for school_id in schools},
            "rp": effects.mean_changes(list(schools), cohort.year, year),
        }
        values = defaultdict(lambda: {source: {group: [] for group in GROUPS} for source in ("rapor", "rp")})
        for school_id, regency_id in schools.items():
            values[regency_id]  # every kab/kota has its row, with or without changes: computed, not missing
            for source, deltas in sources.items():
                if deltas.get(school_id) is not None:
                    values[regency_id][source][group_of[school_id]].append(deltas[school_id])
        result[year] = {
            regency_id: {
                source: {
                    group: {"mean": round(mean(v), 2) if len(v) >= smallest else None, "n": len(v)}
                    for group, v in by_group.items()
                }
                for source, by_group in by_source.items()
            }
            for regency_id, by_source in values.items()
        }
    return result


@transaction.atomic
def refresh(cohort_id):
    """Compute the cohort's effect for each of its years and replace the stored rows."""
    cohort = Cohort.objects.select_for_update().filter(pk=cohort_id).first()  # one refresh of a cohort at a time
    if cohort is None:
        return 0
    now = timezone.now()
    rows = [
        CohortEffect(cohort=cohort, year=year, regency_id=regency_id, cells=cells, refreshed_at=now)
        for year, regencies in compute(cohort, years(cohort)).items()
        for regency_id, cells in regencies.items()
    ]
    CohortEffect.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cohort", "year", "regency"],
        update_fields=["cells", "refreshed_at"],
    )
    CohortEffect.objects.filter(cohort=cohort, refreshed_at__lt=now).delete()  # a year or kab/kota gone
    return len(rows)


def stored(cohort, year):
    """(rows by kab/kota name, when computed) as the page shows them: {"regency", "model", "imbas",
    "other", "rp": {…}}; no rows before a later year or when no school has scores in both years; None
    when not computed yet (it is queued)."""
    if year <= cohort.year:
        return [], None
    rows = list(CohortEffect.objects.filter(cohort=cohort, year=year).select_related("regency"))
    if not rows:
        if cache.add(f"programme-effect-queued:{cohort.pk}", 1, QUEUED_FOR):
            queue([cohort.pk])
        return None
    at = max(row.refreshed_at for row in rows)
    if not any(cell["n"] for row in rows for cells in row.cells.values() for cell in cells.values()):
        return [], at  # no school has scores in both years
    rows.sort(key=lambda row: row.regency.name)
    return [{"regency": row.regency.name} | row.cells["rapor"] | {"rp": row.cells["rp"]} for row in rows], at


def queue(cohort_ids):
    """Refresh these cohorts' effect by a task once the caller's transaction commits."""
    from .tasks import refresh_effect

    for cohort_id in sorted(set(cohort_ids)):
        transaction.on_commit(lambda cohort_id=cohort_id: refresh_effect.enqueue(cohort_id))


def results_changed(sender, province_ids, **kwargs):
    queue(Cohort.objects.filter(province__in=province_ids).values_list("pk", flat=True))
