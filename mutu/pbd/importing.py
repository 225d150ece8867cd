"""Checking a read Rapor Pendidikan file against Mutu and saving it: whole or not at all.

Every problem is named by its Excel row: an unknown NPSN, a school or region outside the
uploader's scope, an unknown indicator code (named at its header row), a score outside 0–100, a
value for an indicator the school's jenjang does not have. A file with any problem saves nothing.
Saving writes only what differs from what is stored, so importing the same file again changes
nothing; the stored shares per region are refreshed in the same transaction.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mutu.core.services import record_audit
from mutu.regions.models import Province, Regency
from mutu.schools.models import School

from . import aggregates, reading
from .models import Achievement, Capaian, Framework, RaporImport, RegionAchievement

Kind = RaporImport.Kind
FIELDS = ["capaian", "score", "previous_score", "change", "rank_regency", "rank_national", "description", "data_source"]
REGION_FIELDS = ["capaian", "change"]
LOWEST, HIGHEST, CENT = Decimal(0), Decimal(100), Decimal("0.01")


@dataclass
class Report:
    kind: str = ""
    year: int | None = None
    total_rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # [row, field, message]
    saved: bool = False

    def problem(self, row, place, message):
        self.errors.append([row, place, message])


def run(path, *, scope, actor=None, original_name="", year=None, npsn="", commit=True, job=None):
    """Read, check and (with `commit`, when every row is good) save one file. Never raises for a bad
    file: the report says what is wrong."""
    report = Report()
    try:
        parsed = reading.read(path, original_name)
    except reading.ReadError as exc:
        report.problem("—", _("file"), str(exc))
        return report
    report.kind, report.total_rows, report.errors = parsed.kind, len(parsed.rows), list(parsed.problems)
    report.year = _year(parsed, year, report)
    framework = Framework.objects.filter(year=report.year).first() if report.year else None
    if report.year and framework is None:
        report.problem("—", _("year"), _("Mutu holds no indicator framework for %(year)s.") % {"year": report.year})
    if framework is None:
        return report
    indicators = {indicator.code: indicator for indicator in framework.indicators.all()}
    for code, (row, header) in parsed.columns.items():
        if code not in indicators:
            report.problem(
                row,
                header,
                _("Indicator code %(code)s is not in %(framework)s.") % {"code": code, "framework": framework.name},
            )
    if parsed.kind == Kind.REGION_REPORT:
        rows = _check_regions(parsed, scope, indicators, report)
    else:
        rows = _check_schools(parsed, scope, indicators, report, npsn)
    if report.errors or not commit:
        return report
    with transaction.atomic():
        if parsed.kind == Kind.REGION_REPORT:
            _save(
                RegionAchievement, rows, ["indicator", "area_code", "level", "status", "slice"], REGION_FIELDS, report
            )
        else:
            _save(Achievement, rows, ["school", "indicator"], _covered(parsed), report)
            aggregates.refresh(report.year, {row.school_id for row in rows})
        record_audit(
            actor=actor,
            action="rp.import",
            obj=job or framework,
            changes={"kind": report.kind, "year": report.year, "created": report.created, "changed": report.changed},
            province_id=_province_of(rows),
        )
    report.saved = True
    return report


def _year(parsed, given, report):
    if parsed.year and given and int(given) != parsed.year:
        report.problem(
            "—", _("year"), _("The file is of %(file)s, not of %(given)s.") % {"file": parsed.year, "given": given}
        )
    year = parsed.year or (int(given) if given else None)
    if year is None:
        report.problem("—", _("year"), _("The file does not say its year: choose it when uploading."))
    return year


def _in_range(report, row, code, value):
    """Whether the scores lie in 0–100 (kept to two decimals, as stored: a re-import compares equal)."""
    value.score = value.score.quantize(CENT) if value.score is not None else None
    value.previous = value.previous.quantize(CENT) if value.previous is not None else None
    for number, label in (
        (value.score, pgettext("rapor pendidikan", "score")),
        (value.previous, _("last year's score")),
    ):
        if number is not None and not LOWEST <= number <= HIGHEST:
            report.problem(row, code, _("The %(what)s %(value)s is outside 0–100.") % {"what": label, "value": number})
            return False
    return True


def _derived(indicator, value):
    """The capaian the file states, else the one the framework's thresholds give its score."""
    if value.capaian or value.score is None or not indicator.thresholds:
        return value.capaian
    if value.score >= Decimal(str(indicator.thresholds["baik"])):
        return Capaian.BAIK
    return Capaian.SEDANG if value.score >= Decimal(str(indicator.thresholds["sedang"])) else Capaian.KURANG


def _empty(value):
    return value.score is None and not value.capaian and value.previous is None and not value.change


def _check_schools(parsed, scope, indicators, report, npsn_given):
    if parsed.kind == Kind.SCHOOL_REPORT:
        if npsn_given and parsed.npsn and npsn_given != parsed.npsn:
            report.problem(
                "—",
                "NPSN",
                _("The file is of NPSN %(file)s, not of %(given)s.") % {"file": parsed.npsn, "given": npsn_given},
            )
        for row in parsed.rows:
            row.npsn = parsed.npsn or npsn_given
        if not (parsed.npsn or npsn_given):
            report.problem("—", "NPSN", _("The workbook does not say its school's NPSN: choose the school."))
            return []
    npsns = {row.npsn for row in parsed.rows}
    known = {
        school.npsn: school
        for school in School.objects.filter(npsn__in=npsns).only("pk", "npsn", "level", "province_id")
    }
    allowed = set(School.objects.filter(scope.school_q(), npsn__in=known).values_list("npsn", flat=True))
    rows = []
    for row in parsed.rows:
        school = known.get(row.npsn)
        if school is None:
            report.problem(row.number, "NPSN", _("NPSN %(npsn)s is not a school in Mutu.") % {"npsn": row.npsn})
            continue
        if row.npsn not in allowed:
            report.problem(row.number, "NPSN", _("School %(npsn)s is outside your area.") % {"npsn": row.npsn})
            continue
        for code, value in row.values.items():
            indicator = indicators.get(code)
            if indicator is None or not _in_range(report, row.number, code, value):
                continue
            if _empty(value) and parsed.kind == Kind.SCHOOL_LIST and school.level not in indicator.levels:
                continue  # a school list's column of another jenjang, left empty for this school
            if school.level not in indicator.levels and not _empty(value):
                report.problem(
                    row.number,
                    code,
                    _("%(code)s is not an indicator of %(level)s.") % {"code": code, "level": school.level},
                )
                continue
            rows.append(
                Achievement(
                    school=school,
                    indicator=indicator,
                    year=indicator.framework.year,
                    capaian=_derived(indicator, value),
                    score=value.score,
                    previous_score=value.previous,
                    change=value.change,
                    rank_regency=value.rank_regency,
                    rank_national=value.rank_national,
                    description=value.description,
                    data_source=value.data_source,
                )
            )
    return rows


def _covered(parsed):
    """The fields a file states; the others keep what an earlier file said (a school list has no ranks)."""
    if parsed.kind == Kind.SCHOOL_REPORT:
        return FIELDS
    stated = {"capaian", "score", "description"}
    for row in parsed.rows:
        for value in row.values.values():
            stated |= {"change"} if value.change else set()
            stated |= {"previous_score"} if value.previous is not None else set()
    return [name for name in FIELDS if name in stated]


def _check_regions(parsed, scope, indicators, report):
    provinces = {reading.plain(p.name): p for p in Province.objects.all()}
    regencies = {}
    for regency in Regency.objects.all():
        for name in _regency_names(regency.name):
            regencies.setdefault((regency.province_id, name), regency)
    rows, seen = [], {}
    for row in parsed.rows:
        region = row.region
        province = provinces.get(_province_name(region["province"]))
        if province is None:
            report.problem(row.number, "Provinsi", _("“%(name)s” is not a province.") % {"name": region["province"]})
            continue
        regency = None
        if reading.plain(region["regency"]) not in {"", "semua", "-", "total"}:
            regency = regencies.get((province.pk, reading.plain(region["regency"])))
            if regency is None:
                report.problem(
                    row.number,
                    "Kabupaten/Kota",
                    _("“%(name)s” is not a kab/kota of %(province)s.")
                    % {"name": region["regency"], "province": province.name},
                )
                continue
        level, status = reading.level_of(region["level"]), reading.status_of(region["status"])
        if level is None or status is None:
            place, text = (
                ("Jenis Satuan Pendidikan", region["level"]) if level is None else ("Status", region["status"])
            )
            report.problem(row.number, place, _("“%(value)s” cannot be read.") % {"value": text})
            continue
        if not scope.covers_region(province.pk, regency.pk if regency else None, level):
            report.problem(row.number, "Kabupaten/Kota", _("This region is outside your area."))
            continue
        area_code = regency.code if regency else province.code
        key = (area_code, level, status, region["slice"])
        if key in seen:
            report.problem(
                row.number, "Kabupaten/Kota", _("The same region is already in row %(row)s.") % {"row": seen[key]}
            )
            continue
        seen[key] = row.number
        for code, value in row.values.items():
            if code in indicators:
                rows.append(
                    RegionAchievement(
                        indicator=indicators[code],
                        year=indicators[code].framework.year,
                        province=province,
                        regency=regency,
                        area_code=area_code,
                        level=level,
                        status=status,
                        slice=region["slice"][:150],
                        capaian=value.capaian,
                        change=value.change,
                    )
                )
    return rows


def _province_name(text):
    name = reading.plain(text)
    for prefix in ("provinsi ", "prov. ", "prov "):
        name = name.removeprefix(prefix)
    return name


def _regency_names(name):
    """The ways a file may write "Kabupaten Kampar": as is, "Kab. Kampar", "Kampar" (a city keeps "Kota")."""
    plain = reading.plain(name)
    names = {plain}
    if plain.startswith("kabupaten "):
        bare = plain.removeprefix("kabupaten ")
        names |= {f"kab. {bare}", f"kab {bare}", bare}
    return names


def _key(row, unique):
    return tuple(getattr(row, f"{name}_id" if name in {"school", "indicator"} else name) for name in unique)


def _save(model, rows, unique, fields, report):
    """Write the rows that are new or differ; count what stayed as it was."""
    lookup = {}
    for name in unique:
        ids = {getattr(row, f"{name}_id" if name in {"school", "indicator"} else name) for row in rows}
        lookup[f"{name}_id__in" if name in {"school", "indicator"} else f"{name}__in"] = ids
    stored = {_key(row, unique): row for row in model.objects.filter(**lookup)} if rows else {}
    writes = []
    for row in rows:
        old = stored.get(_key(row, unique))
        if old is None:
            report.created += 1
        elif any(getattr(old, name) != getattr(row, name) for name in fields):
            report.changed += 1
        else:
            report.unchanged += 1
            continue
        writes.append(row)
    model.objects.bulk_create(
        writes,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=unique,
        update_fields=[*fields, "year"] + (["updated_at"] if model is Achievement else []),
    )


def _province_of(rows):
    provinces = {row.school.province_id if isinstance(row, Achievement) else row.province_id for row in rows}
    return next(iter(provinces)) if len(provinces) == 1 else None
