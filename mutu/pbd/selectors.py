"""Scoped reads of the Rapor Pendidikan: a user sees the schools and regions their memberships that
grant RP_VIEW cover, as everywhere (mutu/accounts/scopes.py)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import PROVINCE_LEVELS, REGENCY_LEVELS, area_for
from mutu.regions.models import District, Province, Regency
from mutu.schools.models import Level, School

from .models import Achievement, Change, Framework, Practice, RaporImport, RegionAchievement, RegionShare


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


# Regions ----------------------------------------------------------------------------------------

ALL_LEVELS = tuple(Level.values)


@dataclass
class Region:
    area: str  # nation, province, regency, district
    obj: object  # the Province, Regency or District; None for the nation
    levels: tuple  # the jenjang of this region the user sees

    @property
    def code(self):
        return self.obj.code if self.obj else "id"

    @property
    def name(self):
        return self.obj.name if self.obj else _("Indonesia")

    @property
    def area_id(self):
        return self.obj.pk if self.obj else 0

    def school_q(self):
        field = {"nation": None, "province": "province_id", "regency": "regency_id", "district": "district_id"}
        q = Q(level__in=self.levels)
        return q & Q(**{field[self.area]: self.obj.pk}) if self.obj else q

    def parents(self, user):
        """(area, code, name) from the nation down to this region's parent, those the user may open."""
        chain, obj = [], self.obj
        if self.area == "district":
            chain.append(("regency", obj.regency))
            obj = obj.regency
        if self.area in {"district", "regency"}:
            chain.append(("province", obj.province))
        steps = [("nation", None), *reversed(chain)] if self.area != "nation" else []
        scope = area_for(user, Perm.RP_VIEW)
        seen = []
        for area, parent in steps:
            if area == "nation":
                if scope.national:
                    seen.append(("nation", "id", _("Indonesia")))
            elif area == "province" and _levels_seen(scope, parent.pk, None):
                seen.append((area, parent.code, parent.name))
            elif area == "regency" and _levels_seen(scope, parent.province_id, parent.pk):
                seen.append((area, parent.code, parent.name))
        return seen

    def children(self):
        if self.area == "nation":
            return "province", Province.objects.all()
        if self.area == "province":
            return "regency", self.obj.regencies.all()
        if self.area == "regency":
            return "district", self.obj.districts.all()
        return None, []


def _levels_seen(scope, province_id, regency_id):
    if scope.national or province_id in scope.provinces:
        return ALL_LEVELS
    if regency_id is not None and regency_id in scope.regencies:
        return REGENCY_LEVELS
    if province_id in scope.province_levels:
        return PROVINCE_LEVELS
    return ()


def region_for(user, area, code):
    """The region as this user may see it; Http404 when it is outside their scope."""
    scope = area_for(user, Perm.RP_VIEW)
    if area == "nation" and code == "id":
        obj, levels = None, ALL_LEVELS if scope.national else ()
    elif area == "province":
        obj = get_object_or_404(Province, code=code)
        levels = _levels_seen(scope, obj.pk, None)
    elif area == "regency":
        obj = get_object_or_404(Regency, code=code)
        levels = _levels_seen(scope, obj.province_id, obj.pk)
    elif area == "district":
        obj = get_object_or_404(District.objects.select_related("regency__province"), code=code)
        levels = _levels_seen(scope, obj.regency.province_id, obj.regency_id)
    else:
        raise Http404
    if not levels:
        raise Http404
    return Region(area, obj, levels)


def home_region(user):
    """The largest region the user sees (None for those who see schools, not regions)."""
    scope = area_for(user, Perm.RP_VIEW)
    if scope.national:
        return "nation", "id"
    for ids, model, area in (
        (scope.provinces, Province, "province"),
        (scope.province_levels, Province, "province"),
        (scope.regencies, Regency, "regency"),
    ):
        if ids:
            return area, model.objects.filter(pk__in=ids).order_by("code").first().code
    return None


@dataclass
class ShareRow:
    indicator: object
    schools: int = 0
    baik: int = 0
    sedang: int = 0
    kurang: int = 0
    unavailable: int = 0
    scored: int = 0
    score_sum: Decimal = Decimal(0)
    own: str = ""  # the region's own capaian, from the regional report
    own_level: str = ""  # the jenjang of that row ("" for all)
    before: object = None  # last year's ShareRow of the same code

    @property
    def mean(self):
        return self.score_sum / self.scored if self.scored else None

    def share(self, capaian):
        return 100 * getattr(self, capaian) / self.schools if self.schools else 0

    def _width(self, count):
        return f"{100 * count / self.schools:.2f}" if self.schools else "0"

    # The stacked bar: Baik, Sedang, Kurang, then the schools without data, as widths out of 100.
    @property
    def baik_width(self):
        return self._width(self.baik)

    @property
    def sedang_width(self):
        return self._width(self.sedang)

    @property
    def kurang_x(self):
        return self._width(self.baik + self.sedang)

    @property
    def kurang_width(self):
        return self._width(self.kurang)

    @property
    def rest_x(self):
        return self._width(self.baik + self.sedang + self.kurang)

    @property
    def rest_width(self):
        return self._width(self.schools - self.baik - self.sedang - self.kurang)

    def _share_change(self, capaian):
        """Percentage points since last year of the share of schools with this capaian."""
        if self.before is None or not self.before.schools or not self.schools:
            return None
        return self.share(capaian) - self.before.share(capaian)

    @property
    def baik_change(self):
        return self._share_change("baik")

    @property
    def sedang_change(self):
        return self._share_change("sedang")

    @property
    def kurang_change(self):
        return self._share_change("kurang")

    @property
    def mean_change(self):
        if self.before is None or self.mean is None or self.before.mean is None:
            return None
        return self.mean - self.before.mean


def _shares(year, area, area_ids, levels):
    """{(area id, code): ShareRow} summed over the levels seen (the stored "" row when all are)."""
    rows = RegionShare.objects.filter(year=year, area=area, area_id__in=area_ids).select_related("indicator")
    rows = rows.filter(level="") if tuple(levels) == ALL_LEVELS else rows.filter(level__in=levels)
    out = {}
    for share in rows:
        row = out.setdefault((share.area_id, share.indicator.code), ShareRow(indicator=share.indicator))
        for name in ("schools", "baik", "sedang", "kurang", "unavailable", "scored", "score_sum"):
            setattr(row, name, getattr(row, name) + getattr(share, name))
    return out


def region_report(region, year):
    """Per main indicator of `year` (of the jenjang seen): the shares, the mean, last year's, and the
    region's own capaian where the regional report gave it."""
    framework = Framework.objects.filter(year=year).first()
    if framework is None:
        return []
    indicators = [i for i in framework.indicators.filter(main=True) if set(i.levels) & set(region.levels)]
    now = _shares(year, region.area, [region.area_id], region.levels)
    before = _shares(year - 1, region.area, [region.area_id], region.levels)
    own = {}
    if region.obj:
        # The region's own row: for all jenjang, else that of a jenjang the user sees (named beside it).
        stated = RegionAchievement.objects.filter(year=year, area_code=region.code, status="", slice="")
        for code, level, capaian in (
            stated.filter(level__in=("", *region.levels))
            .order_by("-level")
            .values_list("indicator__code", "level", "capaian")
        ):
            if level == "" or code not in own:
                own[code] = (capaian, level)
    rows = []
    for indicator in indicators:
        row = now.get((region.area_id, indicator.code)) or ShareRow(indicator=indicator)
        row.before = before.get((region.area_id, indicator.code))
        row.own, row.own_level = own.get(indicator.code, ("", ""))
        rows.append(row)
    return rows


def children_report(region, year, code):
    """The child regions with their shares on one indicator."""
    area, children = region.children()
    if area is None:
        return None, []
    children = list(children.order_by("code"))
    shares = _shares(year, area, [child.pk for child in children], region.levels)
    return area, [(child, shares.get((child.pk, code))) for child in children]


def share_schools(user, region, year, code, capaian):
    """The schools in scope behind one share: those of the region whose capaian on `code` is it
    ("" for no data)."""
    found = Achievement.objects.filter(year=year, indicator__code=code)
    found = found.filter(capaian=capaian)  # "": no capaian stated (Tidak Tersedia)
    return (
        schools_for(user)
        .filter(region.school_q(), pk__in=found.values("school_id"))
        .select_related("district")
        .order_by("name")
    )


def sparkline(points):
    """SVG points (a 100 × 30 box, 0–100 upwards) of a score's years; empty under two years."""
    if len(points) < 2:
        return ""
    step = 100 / (len(points) - 1)
    return " ".join(f"{i * step:.1f},{30 - float(score) * 0.3:.1f}" for i, (_year, score) in enumerate(points))


def practice_provinces(user):
    """The provinces whose published good practices the user reads (None: every province)."""
    scope = area_for(user, Perm.RP_VIEW)
    if scope.national:
        return None
    provinces = set(scope.provinces | scope.province_levels)
    provinces |= set(Regency.objects.filter(pk__in=scope.regencies).values_list("province_id", flat=True))
    if scope.assignments or scope.schools:
        provinces |= set(School.objects.filter(scope.school_q()).values_list("province_id", flat=True).distinct())
    return provinces


def practices_for(user):
    """The good practices the user reads: the published ones of their provinces and the nation's; any
    state of the schools whose cycles they follow, and of the province they review."""
    provinces = practice_provinces(user)
    published = Q(state=Practice.State.PUBLISHED)
    if provinces is not None:
        published &= Q(reach=Practice.Reach.NATION) | Q(school__province_id__in=provinces)
    own = Q(school__in=School.objects.filter(area_for(user, Perm.CYCLE_VIEW).school_q()))
    mine = own | area_for(user, Perm.PRACTICE_REVIEW).province_q("school__province")
    return Practice.objects.filter(published | mine).select_related("school__regency", "indicator")


def practice_for(user, pk):
    return get_object_or_404(practices_for(user), pk=pk)


def suggested_practices(user, school, codes, limit=3):
    """Published practices on these indicator codes for the school's Benahi step: its own model
    school's first (when it is an imbas school), then the largest rise."""
    model_schools = School.objects.filter(model_school_records__imbas__school=school).values("pk")
    return list(
        practices_for(user)
        .filter(state=Practice.State.PUBLISHED, indicator__code__in=codes)
        .exclude(school=school)
        .annotate(from_model=Exists(model_schools.filter(pk=OuterRef("school_id"))))
        .order_by("-from_model", F("before") - F("after"), "-reviewed_at")[:limit]
    )
