"""Example downloads for the import page, built like the official files from the user's own schools
and region (the demo's figures), so a user sees what Mutu reads before uploading the real one."""

from types import SimpleNamespace

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.regions.models import Regency
from mutu.schools.models import School

from . import samples
from .models import Framework

KINDS = {
    "sekolah": _("a school's PBD workbook"),
    "daftar": _("a school list"),
    "daerah": _("a regional report"),
}
LIST_ROWS = 50


def _main(framework, level=None):
    return [(i.code, i.name) for i in framework.indicators.filter(main=True) if level is None or level in i.levels]


# Written into an example's document properties: its figures are made up, so the import only
# checks it (dry run) and never saves it over a school's real Rapor Pendidikan.
MARK = "Mutu: contoh, angka rekaan"


def is_example(path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 — not a workbook (a CSV): never an example
        return False
    try:
        return book.properties.subject == MARK
    finally:
        book.close()


def _marked(path):
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.properties.subject = MARK
    book.save(path)


def build(kind, user, path):
    """Write the example of `kind` to `path` (marked as an example); returns its file name."""
    name = _build(kind, user, path)
    _marked(path)
    return name


def _build(kind, user, path):
    framework = Framework.objects.order_by("-year").first()
    year = framework.year
    schools = School.objects.filter(area_for(user, Perm.RP_IMPORT).school_q()).select_related("district")
    if kind == "sekolah":
        school = schools.order_by("npsn").first()
        indicators = _main(framework, school.level if school else "SD")
        npsn = school.npsn if school else "00000000"
        if school is not None:
            samples.pbd_workbook(
                path,
                school=school,
                year=year,
                indicators=indicators,
                scores=samples.figures(npsn, year, [c for c, _n in indicators]),
                previous=samples.figures(npsn, year - 1, [c for c, _n in indicators]),
            )
        else:  # nobody's school: the layout alone
            example = SimpleNamespace(name="SD Contoh", npsn=npsn)
            samples.pbd_workbook(path, school=example, year=year, indicators=indicators, scores={})
        return f"RAPOR-PBD-{npsn}-DATA-{year}.xlsx"
    indicators = _main(framework)
    codes = [code for code, _name in indicators]
    if kind == "daftar":
        chosen = list(schools.order_by("regency__code", "npsn")[:LIST_ROWS])
        levels = {i.code: i.levels for i in framework.indicators.filter(main=True)}
        rows = [
            (school, samples.figures(school.npsn, year, [c for c in codes if school.level in levels[c]]))
            for school in chosen
        ]
        samples.school_list(path, year=year, region_name=str(_("Example")), indicators=indicators, rows=rows)
        return f"rapor-pendidikan-daftar-sekolah-{year}.xlsx"
    scope = area_for(user, Perm.RP_IMPORT)
    regencies = Regency.objects.select_related("province").order_by("code")
    if not scope.national:
        regencies = regencies.filter(
            Q(province_id__in=scope.provinces | scope.province_levels) | Q(pk__in=scope.regencies)
        )
    rows = []
    for regency in regencies[:LIST_ROWS]:
        whole = scope.national or regency.province_id in scope.provinces or regency.pk in scope.regencies
        scores = samples.figures(regency.code.replace(".", ""), year, codes)
        found = {code: (samples.label_of(score), "Naik" if score > 50 else "Turun") for code, score in scores.items()}
        rows.append((regency.province.name, regency.name, "SD" if whole else "SMA", "Semua", found))
    samples.region_report(path, year=year, indicators=indicators, rows=rows)
    return f"rapor-pendidikan-daerah-{year}.xlsx"
