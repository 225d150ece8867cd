"""The stored shares of Baik / Sedang / Kurang per indicator and region, refreshed after an import.

Only the regions an import touched are recounted, each level inside the database with one
INSERT … SELECT … GROUP BY (the same SQL on SQLite and PostgreSQL; a national import would otherwise
build hundreds of thousands of objects): the kecamatan from their schools' achievements, then each
kab/kota, province and the nation from the stored rows one level down, and for each region its
total over the jenjang (level ""). A national refresh never scans the country's achievements.
"""

from django.db import connection

from mutu.regions.models import District, Regency
from mutu.schools.models import School

from .models import Achievement, RegionShare

CHUNK = 500  # region ids per statement
COLUMNS = "indicator_id, year, area, area_id, level, schools, baik, sedang, kurang, unavailable, scored, score_sum"
SUMS = "SUM(schools), SUM(baik), SUM(sedang), SUM(kurang), SUM(unavailable), SUM(scored), SUM(score_sum)"


def refresh(year, school_ids):
    """Recount the regions of these schools; the ids of their provinces."""
    school_ids = sorted(school_ids)
    districts = set()
    for start in range(0, len(school_ids), CHUNK):
        chunk = school_ids[start : start + CHUNK]
        districts |= set(School.objects.filter(pk__in=chunk).values_list("district_id", flat=True))
    regencies = set(District.objects.filter(pk__in=districts).values_list("regency_id", flat=True))
    provinces = set(Regency.objects.filter(pk__in=regencies).values_list("province_id", flat=True))
    shares, achievements = RegionShare._meta.db_table, Achievement._meta.db_table
    schools, district_table, regency_table = School._meta.db_table, District._meta.db_table, Regency._meta.db_table
    steps = [
        (
            RegionShare.Area.DISTRICT,
            districts,
            f"""SELECT a.indicator_id, a.year, %s, s.district_id, s.level, COUNT(*),
                SUM(CASE WHEN a.capaian = 'baik' THEN 1 ELSE 0 END),
                SUM(CASE WHEN a.capaian = 'sedang' THEN 1 ELSE 0 END),
                SUM(CASE WHEN a.capaian = 'kurang' THEN 1 ELSE 0 END),
                SUM(CASE WHEN a.capaian = '' THEN 1 ELSE 0 END),
                COUNT(a.score), COALESCE(SUM(a.score), 0)
            FROM {achievements} a JOIN {schools} s ON s.id = a.school_id
            WHERE a.year = %s AND s.district_id IN ({{ids}})
            GROUP BY a.indicator_id, a.year, s.district_id, s.level""",
        ),
        (
            RegionShare.Area.REGENCY,
            regencies,
            f"""SELECT r.indicator_id, r.year, %s, d.regency_id, r.level, {SUMS}
            FROM {shares} r JOIN {district_table} d ON d.id = r.area_id
            WHERE r.year = %s AND r.area = 'district' AND r.level <> '' AND d.regency_id IN ({{ids}})
            GROUP BY r.indicator_id, r.year, d.regency_id, r.level""",
        ),
        (
            RegionShare.Area.PROVINCE,
            provinces,
            f"""SELECT r.indicator_id, r.year, %s, k.province_id, r.level, {SUMS}
            FROM {shares} r JOIN {regency_table} k ON k.id = r.area_id
            WHERE r.year = %s AND r.area = 'regency' AND r.level <> '' AND k.province_id IN ({{ids}})
            GROUP BY r.indicator_id, r.year, k.province_id, r.level""",
        ),
        (
            RegionShare.Area.NATION,
            {0},
            f"""SELECT r.indicator_id, r.year, %s, 0, r.level, {SUMS}
            FROM {shares} r WHERE r.year = %s AND r.area = 'province' AND r.level <> '' AND 0 IN ({{ids}})
            GROUP BY r.indicator_id, r.year, r.level""",
        ),
    ]
    with connection.cursor() as cursor:
        for area, ids, select in steps:
            ids = sorted(ids)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {shares} WHERE year = %s AND area = %s AND area_id IN ({marks})",
                    [year, area, *chunk],
                )
                cursor.execute(f"INSERT INTO {shares} ({COLUMNS}) {select.format(ids=marks)}", [area, year, *chunk])
                cursor.execute(
                    f"""INSERT INTO {shares} ({COLUMNS})
                    SELECT indicator_id, year, area, area_id, '', {SUMS} FROM {shares}
                    WHERE year = %s AND area = %s AND level <> '' AND area_id IN ({marks})
                    GROUP BY indicator_id, year, area, area_id""",
                    [year, area, *chunk],
                )
    return provinces
