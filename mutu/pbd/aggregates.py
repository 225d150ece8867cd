"""The stored shares of Baik / Sedang / Kurang per indicator and region, refreshed after an import.

Only the regions an import touched are recounted: the kecamatan from the achievements of their
schools (one grouped query), then each kab/kota, province and the nation from the stored rows one
level down, so a national refresh never scans the country's achievements.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from mutu.regions.models import District, Regency
from mutu.schools.models import School

from .models import Achievement, Capaian, RegionShare

Area = RegionShare.Area
COUNTS = ["schools", "baik", "sedang", "kurang", "unavailable", "scored", "score_sum"]


def refresh(year, school_ids):
    districts = set(School.objects.filter(pk__in=school_ids).values_list("district_id", flat=True))
    regencies = set(District.objects.filter(pk__in=districts).values_list("regency_id", flat=True))
    provinces = set(Regency.objects.filter(pk__in=regencies).values_list("province_id", flat=True))
    grouped = (
        Achievement.objects.filter(year=year, school__district_id__in=districts)
        .values("indicator_id", "school__district_id", "school__level")
        .annotate(
            schools=Count("pk"),
            baik=Count("pk", filter=Q(capaian=Capaian.BAIK)),
            sedang=Count("pk", filter=Q(capaian=Capaian.SEDANG)),
            kurang=Count("pk", filter=Q(capaian=Capaian.KURANG)),
            unavailable=Count("pk", filter=Q(score__isnull=True)),
            scored=Count("score"),
            score_sum=Sum("score"),
        )
    )
    rows = [{**row, "area_id": row["school__district_id"], "level": row["school__level"]} for row in grouped.iterator()]
    _replace(year, Area.DISTRICT, districts, _with_totals(rows))
    _roll_up(year, Area.DISTRICT, Area.REGENCY, regencies, District, "regency_id")
    _roll_up(year, Area.REGENCY, Area.PROVINCE, provinces, Regency, "province_id")
    _roll_up(year, Area.PROVINCE, Area.NATION, {0}, None, None)


def _with_totals(rows):
    """The rows per jenjang and, for each indicator and area, their sum over jenjang (level "")."""
    totals = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for row in rows:
        total = totals[(row["indicator_id"], row["area_id"])]
        for name in COUNTS:
            total[name] += row[name] or 0
    return rows + [{"indicator_id": i, "area_id": a, "level": "", **counts} for (i, a), counts in totals.items()]


def _roll_up(year, lower, upper, ids, parent_model, parent_field):
    """Sum the stored rows of `lower` into their parents of kind `upper` (the nation is parent 0)."""
    children = RegionShare.objects.filter(year=year, area=lower, level__gt="")
    if parent_model is not None:
        parent_of = dict(parent_model.objects.filter(**{f"{parent_field}__in": ids}).values_list("pk", parent_field))
        children = children.filter(area_id__in=parent_of)
    else:
        parent_of = None
    sums = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for child in children.values("indicator_id", "area_id", "level", *COUNTS).iterator():
        parent = parent_of[child["area_id"]] if parent_of is not None else 0
        total = sums[(child["indicator_id"], parent, child["level"])]
        for name in COUNTS:
            total[name] += child[name]
    rows = [{"indicator_id": i, "area_id": a, "level": level, **c} for (i, a, level), c in sums.items()]
    _replace(year, upper, ids, _with_totals(rows))


def _replace(year, area, ids, rows):
    RegionShare.objects.filter(year=year, area=area, area_id__in=ids).delete()
    RegionShare.objects.bulk_create(
        [
            RegionShare(
                year=year,
                area=area,
                area_id=row["area_id"],
                indicator_id=row["indicator_id"],
                level=row["level"],
                **{name: row[name] or (Decimal(0) if name == "score_sum" else 0) for name in COUNTS},
            )
            for row in rows
        ],
        batch_size=2000,
    )
