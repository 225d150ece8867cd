"""The demo's Rapor Pendidikan: every Riau school's 2024 and 2025 figures from school lists built like
the official download, SD Negeri 001's own 2025 PBD workbook, and the province's regional report.
Each file goes through the real import, so the demo shows what an upload does; loading again
changes nothing."""

import tempfile
from pathlib import Path

from mutu.accounts.scopes import UNRESTRICTED
from mutu.pbd import importing, samples
from mutu.pbd.models import Framework
from mutu.schools.models import School

YEARS = (2024, 2025)


def _run(path):
    report = importing.run(path, scope=UNRESTRICTED, original_name=path.name)
    if report.errors:  # the demo's own files: a problem here is a bug, said loudly
        raise RuntimeError(f"{path.name}: {report.errors[:3]}")


def load(province, first_sd):
    schools = list(School.objects.filter(province=province).select_related("district", "regency").order_by("npsn"))
    with tempfile.TemporaryDirectory() as folder:
        for year in YEARS:
            framework = Framework.objects.get(year=year)
            indicators = list(framework.indicators.filter(main=True))
            main = [(i.code, i.name) for i in indicators]
            rows = []
            for school in schools:
                applicable = [i.code for i in indicators if school.level in i.levels]
                rows.append((school, samples.figures(school.npsn, year, applicable)))
            path = Path(folder) / f"rapor-pendidikan-satuan-{province.code}-{year}.xlsx"
            samples.school_list(path, year=year, region_name=f"Provinsi {province.name}", indicators=main, rows=rows)
            _run(path)
        framework = Framework.objects.get(year=YEARS[-1])
        indicators = [(i.code, i.name) for i in framework.indicators.all() if first_sd.level in i.levels]
        codes = [code for code, _name in indicators]
        path = Path(folder) / f"RAPOR-PBD-{first_sd.name.upper()}-{first_sd.npsn}-DATA-{YEARS[-1]}.xlsx"
        samples.pbd_workbook(
            path,
            school=first_sd,
            year=YEARS[-1],
            indicators=indicators,
            scores=samples.figures(first_sd.npsn, YEARS[-1], codes),
            previous=samples.figures(first_sd.npsn, YEARS[0], codes),
        )
        _run(path)
        main = [(i.code, i.name) for i in framework.indicators.filter(main=True) if "SD" in i.levels]
        rows = [(province.name, "", "Semua", "Semua", _labels(province.code, main))]
        for regency in province.regencies.order_by("code"):
            rows.append((province.name, regency.name, "SD", "Semua", _labels(regency.code, main)))
        path = Path(folder) / f"rapor-pendidikan-daerah-{province.code}-{YEARS[-1]}.xlsx"
        samples.region_report(path, year=YEARS[-1], indicators=main, rows=rows)
        _run(path)


def _labels(code, indicators):
    now = samples.figures(code.replace(".", ""), YEARS[-1], [c for c, _n in indicators])
    before = samples.figures(code.replace(".", ""), YEARS[0], [c for c, _n in indicators])
    return {
        c: (samples.label_of(score), "Naik" if score > before[c] else "Turun" if score < before[c] else "Tidak berubah")
        for c, score in now.items()
    }
