"""The API's Rapor Pendidikan: a school's indicators and a region's shares (mounted at
/api/rapor-pendidikan by config/api.py), scoped as the pages are."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from mutu.accounts.permissions import Perm
from mutu.core.api import ERRORS, ErrorOut, require

from . import selectors

router = Router(tags=["rapor-pendidikan"])


class IndicatorOut(Schema):
    code: str
    name: str
    capaian: str  # baik, sedang, kurang, or "" when not available
    score: float | None  # None: "Tidak Tersedia", never 0
    previous_score: float | None
    change: str  # naik, turun, tetap or ""
    rank_regency: int | None  # quintile bucket, 1 = top 20 %
    rank_national: int | None


class SchoolReportOut(Schema):
    npsn: str
    year: int
    indicators: list[IndicatorOut]


class ShareOut(Schema):
    code: str
    name: str
    schools: int
    baik: int
    sedang: int
    kurang: int
    unavailable: int
    mean: float | None
    mean_last_year: float | None
    own_capaian: str  # the region's own capaian from its regional report, "" when not imported


class RegionReportOut(Schema):
    area: str
    code: str
    name: str
    year: int
    levels: list[str]  # the jenjang counted: those of the region the caller covers
    indicators: list[ShareOut]


def _float(value):
    return float(value) if value is not None else None


@router.get("/sekolah/{npsn}/{year}", response={200: SchoolReportOut, ERRORS: ErrorOut}, url_name="rp_school")
def school_report(request, npsn: str, year: int):
    require(request, Perm.RP_VIEW)
    school = get_object_or_404(selectors.schools_for(request.user), npsn=npsn)
    lines = selectors.school_report(school, year)
    return {
        "npsn": school.npsn,
        "year": year,
        "indicators": [
            {
                "code": line.indicator.code,
                "name": line.indicator.name,
                "capaian": line.achievement.capaian,
                "score": _float(line.achievement.score),
                "previous_score": _float(line.previous),
                "change": line.change,
                "rank_regency": line.achievement.rank_regency,
                "rank_national": line.achievement.rank_national,
            }
            for line in lines
        ],
    }


@router.get("/wilayah/{area}/{code}/{year}", response={200: RegionReportOut, ERRORS: ErrorOut}, url_name="rp_region")
def region_report(request, area: str, code: str, year: int):
    require(request, Perm.RP_VIEW)
    region = selectors.region_for(request.user, area, code)
    if year not in selectors.years():
        raise Http404
    rows = selectors.region_report(region, year)
    return {
        "area": region.area,
        "code": region.code,
        "name": region.name,
        "year": year,
        "levels": list(region.levels),
        "indicators": [
            {
                "code": row.indicator.code,
                "name": row.indicator.name,
                "schools": row.schools,
                "baik": row.baik,
                "sedang": row.sedang,
                "kurang": row.kurang,
                "unavailable": row.unavailable,
                "mean": _float(row.mean),
                "mean_last_year": _float(row.before.mean) if row.before else None,
                "own_capaian": row.own,
            }
            for row in rows
        ],
    }
