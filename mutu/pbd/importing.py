"""Checking a read Rapor Pendidikan file against Mutu and saving it: whole or not at all.

Every problem is named by its Excel row: an unknown NPSN, a school or region outside the
uploader's scope, an unknown indicator code (named at its header row), a score outside 0–100, a
value for an indicator the school's jenjang does not have. A file with any problem saves nothing.
Saving writes only what differs from what is stored, so importing the same file again changes
nothing; the stored shares per region are refreshed in the same transaction.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DateTimeField, DecimalField
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mutu.core.services import record_audit
from mutu.core.signals import results_changed
from mutu.regions.models import Province, Regency
from mutu.schools.models import School

from . import aggregates, examples, reading
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
        rows, provinces = _check_regions(parsed, scope, indicators, report)
        model, unique, fields = RegionAchievement, REGION_KEY, REGION_FIELDS
    else:
        rows, provinces = _check_schools(parsed, scope, indicators, report, npsn)
        model, unique, fields = Achievement, SCHOOL_KEY, _covered(parsed)
    if report.errors:
        return report
    writes = _diff(model, unique, fields, rows, report)  # a dry run counts what would change, too
    if not commit:
        return report
    if examples.is_example(path):
        report.problem("—", _("file"), _(
            "This is an example file from Mutu: its figures are made up, so it is only checked, never "
            "saved. Upload the official download from Rapor Pendidikan."
        ))  # fmt: skip
        return report
    with transaction.atomic():
        _write(model, unique, fields, writes)
        if model is Achievement and writes:
            touched = aggregates.refresh(report.year, {key[0] for key, _values in writes})
            results_changed.send(Achievement, province_ids=sorted(touched))
        record_audit(
            actor=actor,
            action="rp.import",
            obj=job or framework,
            changes={"kind": report.kind, "year": report.year, "created": report.created, "changed": report.changed},
            province_id=next(iter(provinces)) if len(provinces) == 1 else None,
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
            shown = number_format(number, 2)  # as the person wrote it: 155,00
            report.problem(row, code, _("The %(what)s %(value)s is outside 0–100.") % {"what": label, "value": shown})
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
            return {}, set()
    npsns = {row.npsn for row in parsed.rows}
    known = dict(School.objects.filter(npsn__in=npsns).values_list("npsn", "pk"))
    levels = dict(School.objects.filter(npsn__in=npsns).values_list("npsn", "level"))
    allowed = set(School.objects.filter(scope.school_q(), npsn__in=known).values_list("npsn", flat=True))
    provinces = set(School.objects.filter(npsn__in=allowed).values_list("province_id", flat=True).distinct())
    rows, refused = {}, set()
    for row in parsed.rows:
        if row.npsn not in known:
            refusal = _("NPSN %(npsn)s is not a school in Mutu.") % {"npsn": row.npsn}
        elif row.npsn not in allowed:
            refusal = _("School %(npsn)s is outside your area.") % {"npsn": row.npsn}
        else:
            refusal = None
        if refusal:
            if row.npsn not in refused:  # once per school: a school's own report has it on every row
                refused.add(row.npsn)
                report.problem("—" if parsed.kind == Kind.SCHOOL_REPORT else row.number, "NPSN", refusal)
            continue
        level = levels[row.npsn]
        for code, value in row.values.items():
            indicator = indicators.get(code)
            if indicator is None or not _in_range(report, row.number, code, value):
                continue
            if level not in indicator.levels:
                if not _empty(value):
                    message = _("%(code)s is not an indicator of %(level)s.") % {"code": code, "level": level}
                    report.problem(row.number, code, message)
                continue  # a list's column of another jenjang, left empty for this school
            rows[(known[row.npsn], indicator.pk)] = {
                "year": indicator.framework.year,
                "capaian": _derived(indicator, value),
                "score": value.score,
                "previous_score": value.previous,
                "change": value.change,
                "rank_regency": value.rank_regency,
                "rank_national": value.rank_national,
                "description": value.description,
                "data_source": value.data_source,
            }
    return rows, provinces


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
    rows, seen, touched = {}, {}, set()
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
        touched.add(province.pk)
        for code, value in row.values.items():
            if code in indicators:
                rows[(indicators[code].pk, *key[:3], region["slice"][:150])] = {
                    "year": indicators[code].framework.year,
                    "province_id": province.pk,
                    "regency_id": regency.pk if regency else None,
                    "capaian": value.capaian,
                    "change": value.change,
                }
    return rows, touched


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


SCHOOL_KEY = ["school_id", "indicator_id"]
REGION_KEY = ["indicator_id", "area_code", "level", "status", "slice"]
CHUNK = 2000


def _diff(model, unique, fields, rows, report):
    """The rows ({key: values}) that are new or differ from what is stored, counted on the report.
    What is stored is read as plain tuples, a chunk of the first key at a time."""
    firsts = sorted({key[0] for key in rows})
    stored = {}
    for start in range(0, len(firsts), CHUNK):
        query = model.objects.filter(**{f"{unique[0]}__in": firsts[start : start + CHUNK]})
        for found in query.values_list(*unique, *fields).iterator(chunk_size=CHUNK):
            stored[found[: len(unique)]] = found[len(unique) :]
    writes = []
    for key, values in rows.items():
        old = stored.get(key)
        if old is None:
            report.created += 1
        elif old != tuple(values[name] for name in fields):
            report.changed += 1
        else:
            report.unchanged += 1
            continue
        writes.append((key, values))
    return writes


def _write(model, unique, fields, writes):
    """Upsert the rows with one INSERT … ON CONFLICT … DO UPDATE statement run over each chunk (the
    same SQL on SQLite and PostgreSQL); Django's bulk_create spent most of a national import building
    and compiling objects for it."""
    if not writes:
        return
    now = timezone.now()
    stamped = model is Achievement
    names = [*unique, *writes[0][1], *(["updated_at"] if stamped else [])]
    columns = [model._meta.get_field(name.removesuffix("_id")).column for name in names]
    prepare = {
        index: model._meta.get_field(name).get_db_prep_save
        for index, name in enumerate(names)
        if isinstance(model._meta.get_field(name.removesuffix("_id")), DecimalField | DateTimeField)
    }
    refreshed = [*fields, "year", *(["updated_at"] if stamped else [])]
    conflict = ", ".join(model._meta.get_field(name.removesuffix("_id")).column for name in unique)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(f'{name} = excluded.{name}' for name in refreshed)}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(writes), CHUNK):
            rows = []
            for key, values in writes[start : start + CHUNK]:
                row = [*key, *values.values(), *([now] if stamped else [])]
                for index, prep in prepare.items():
                    row[index] = prep(row[index], connection)
                rows.append(row)
            cursor.executemany(sql, rows)
