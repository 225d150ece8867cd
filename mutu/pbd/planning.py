"""PBD (Perencanaan Berbasis Data) inside the SPMI cycle: what the Rapor Pendidikan proposes.

*Identifikasi* orders the school's main indicators by the PBD rule: Kurang before Sedang before
Baik (no data last); ties by the lower rank bucket (the worse of the kab/kota and the national
quintile), then the larger decline from last year, then the lower score. The team may reorder its
chosen problems, saying why. *Refleksi* names the sub-indicator where the cause lies and writes the
root cause, from a library of common causes per indicator (`data/akar_masalah.yaml`) and what other
schools of the province wrote for the same indicator.
"""

from functools import cache
from pathlib import Path

import yaml

from .models import Achievement
from .selectors import school_report

CAUSES = Path(__file__).parent / "data" / "akar_masalah.yaml"
CAPAIAN_ORDER = {"kurang": 0, "sedang": 1, "baik": 2, "": 3}


def rapor_year(cycle):
    """The latest year up to the cycle's with the school's Rapor Pendidikan in Mutu, or None."""
    years = Achievement.objects.filter(school=cycle.school, year__lte=cycle.year).values_list("year", flat=True)
    return max(years, default=None)


def priority_key(line):
    """The PBD order of one indicator (a `selectors.Line`): smaller comes first."""
    achievement = line.achievement
    bucket = max(achievement.rank_regency or 0, achievement.rank_national or 0)  # 5: the bottom 20 %
    decline = 0
    if achievement.score is not None and line.previous is not None:
        decline = achievement.score - line.previous  # most negative: the largest decline
    score = achievement.score if achievement.score is not None else 101
    return (CAPAIAN_ORDER[achievement.capaian], -bucket, decline, score, line.indicator.position)


def propose(cycle):
    """(year, the school's main indicators in PBD order) — ([], None) without a Rapor Pendidikan."""
    year = rapor_year(cycle)
    if year is None:
        return None, []
    lines = [line for line in school_report(cycle.school, year) if line.indicator.main]
    return year, sorted(lines, key=priority_key)


@cache
def _library():
    with CAUSES.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def common_causes(code):
    return list(_library().get(code, []))
