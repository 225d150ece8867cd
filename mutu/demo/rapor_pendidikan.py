"""The demo's Rapor Pendidikan: every Riau school's 2024 and 2025 figures from school lists built like
the official download, SD Negeri 001's own 2025 PBD workbook, and the province's regional report.
Each file goes through the real import, so the demo shows what an upload does; loading again
changes nothing."""

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import translation

from mutu.accounts.models import Role
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
        _benahi(first_sd, Path(folder) / "lembar-kerja.xlsx")
    _acted(first_sd.regency)
    with translation.override("id"):  # the practices' texts are written as the schools would
        _practices(first_sd.regency)


ACTED = 6  # Kampar SD schools that worked on literacy in 2024, for the effect view (≥ MUTU_MIN_GROUP_SIZE)


def _acted(regency):
    """Schools that chose A.1 from their Rapor Pendidikan 2024 in their 2024 cycle, so that the region's
    page compares their change to 2025 with the others'."""
    from datetime import date

    from mutu.cycle import analysis
    from mutu.cycle.models import SchoolCycle
    from mutu.cycle.services import start_cycle
    from mutu.demo.services import _membership, _persona
    from mutu.pbd.models import Indicator

    literacy = Indicator.objects.get(framework__year=YEARS[0], code="A.1")
    schools = School.objects.filter(regency=regency, level="SD").order_by("npsn")[10 : 10 + ACTED]
    for school in schools:
        if SchoolCycle.objects.filter(school=school, year=YEARS[0]).exists():
            continue
        team = school.memberships.filter(role__in=[Role.KEPALA_SEKOLAH, Role.TPMPS]).first()
        user = team.user if team else _persona(f"tpmps.{school.npsn}", f"TPMPS {school.name}")
        if team is None:
            _membership(user, Role.TPMPS, school=school)
        cycle = start_cycle(actor=user, school=school, year=YEARS[0], today=date(YEARS[0], 8, 1))
        problem = analysis.choose_indicator(actor=user, cycle=cycle, indicator_id=literacy.pk)
        analysis.save(actor=user, problem=problem, data={**REFLECTION, "root_indicator": literacy.children.first()})


def _practices(regency):
    """Two acted schools whose literacy rose in 2025 carry their 2024 cycle through implementation;
    each proposes its activity as a good practice, and the LPMP publishes the first to the province
    (the second waits for its review)."""
    from mutu.accounts.models import User
    from mutu.cycle import implementation, planning
    from mutu.cycle.models import STEPS
    from mutu.cycle.services import move
    from mutu.pbd import practices
    from mutu.pbd.models import Achievement, Practice

    if Practice.objects.filter(school__regency=regency).exists():
        return
    lpmp = User.objects.get(username="lpmp.riau")
    rose = []
    for school in School.objects.filter(regency=regency, level="SD").order_by("npsn")[10 : 10 + ACTED]:
        scores = dict(Achievement.objects.filter(school=school, indicator__code="A.1").values_list("year", "score"))
        if None not in (scores.get(YEARS[0]), scores.get(YEARS[1])) and scores[YEARS[1]] > scores[YEARS[0]]:
            rose.append(school)
    for number, school in enumerate(rose[:2]):
        cycle = school.cycles.get(year=YEARS[0])
        team = school.memberships.filter(role__in=[Role.KEPALA_SEKOLAH, Role.TPMPS]).first().user
        problem = cycle.problems.get(indicator__code="A.1")
        documents = sorted(cycle.documents.all(), key=lambda d: STEPS.index(d.step))
        move(actor=team, document=documents[0], name="submit")
        move(actor=lpmp, document=documents[0], name="accept", comment="Sudah sesuai.")
        program = planning.save_program(
            actor=team, cycle=cycle, data={"name": "Gerakan literasi kelas awal", "problems": [problem]}
        )
        activity = planning.save_activity(actor=team, program=program, data=PRACTICE_ACTIVITIES[number])
        move(actor=team, document=documents[1], name="submit")
        move(actor=lpmp, document=documents[1], name="accept", comment="Sudah sesuai.")
        implementation.record(
            actor=team,
            activity=activity,
            data={
                "status": "selesai",
                "started_on": date(YEARS[0], 8, 5),
                "finished_on": date(YEARS[0], 11, 28),
                "actual_cost": activity.total,
                "people": "Guru kelas 1–3, pustakawan, komite sekolah",
                "notes": "Terlaksana; 9 dari 10 kelas menjalankan membaca berjenjang setiap hari.",
            },
        )
        implementation.add_evidence(
            actor=team,
            activity=activity,
            link=f"https://drive.sekolah.example/bukti/{school.npsn}/literasi-2024",
            description="Jurnal membaca harian dan foto pojok baca",
        )
        move(actor=team, document=documents[2], name="submit")
        move(actor=lpmp, document=documents[2], name="accept", comment="Bukti lengkap.")
        effect = practices.improved(activity)
        practice = practices.propose(actor=team, activity=activity, data=practices.draft(activity, effect))
        if number == 0:
            practices.review(actor=lpmp, practice=practice, decision="publish", reach="province", note="Layak ditiru.")


PRACTICE_ACTIVITIES = [
    {
        "year": YEARS[0],
        "name": "Membaca berjenjang 15 menit setiap pagi",
        "indicator": "Peserta didik kelas awal yang membaca lancar",
        "target": "80%",
        "volume": Decimal(120),
        "unit": "buku",
        "unit_cost": Decimal(35_000),
        "fund_source": "bos",
        "months": [8, 9, 10, 11],
        "person_in_charge": "Koordinator literasi",
        "description": "Asesmen awal kemampuan membaca, pengelompokan per tingkat dan buku bacaan berjenjang per kelas",
        "needs_budget": True,
        "arkas_post": "Pengembangan perpustakaan",
        "nodes": [],
    },
    {
        "year": YEARS[0],
        "name": "Pojok baca kelas dan jurnal membaca",
        "indicator": "Kelas yang memiliki pojok baca aktif",
        "target": "10 kelas",
        "volume": Decimal(10),
        "unit": "kelas",
        "unit_cost": Decimal(250_000),
        "fund_source": "bos",
        "months": [8, 9],
        "person_in_charge": "Wali kelas",
        "description": "Rak dan buku di tiap kelas, jurnal membaca yang diparaf orang tua setiap pekan",
        "needs_budget": True,
        "arkas_post": "Pengembangan perpustakaan",
        "nodes": [],
    },
]


REFLECTION = {
    "strengths": "Guru kelas rutin membaca bersama peserta didik setiap pagi.",
    "weaknesses": "Bahan bacaan belum berjenjang dan pembelajaran belum dibedakan per kemampuan.",
    "problem": "Capaian indikator ini Kurang/Sedang dan turun dari tahun lalu.",
    "root_cause": "Pembelajaran belum disesuaikan dengan tingkat kemampuan peserta didik.",
    "recommendation": "Asesmen diagnostik di awal semester dan pembelajaran berdiferensiasi.",
}


def _benahi(school, path):
    """SD Negeri 001's PBD of 2025 in its 2026 cycle: the two first indicators by the PBD rule,
    reflected on, and their activities with ARKAS lines read in from a filled worksheet."""
    from mutu.cycle import analysis
    from mutu.cycle.models import SchoolCycle
    from mutu.pbd import planning, worksheets

    cycle = SchoolCycle.objects.filter(school=school, year=YEARS[-1] + 1).first()
    if cycle is None or cycle.problems.filter(indicator__isnull=False).exists():
        return
    team = school.memberships.filter(role=Role.KEPALA_SEKOLAH).select_related("user").first().user
    _year, lines = planning.propose(cycle)
    rows_rkt, rows_arkas = [], []
    for number, line in enumerate(lines[:2], start=1):
        problem = analysis.choose_indicator(actor=team, cycle=cycle, indicator_id=line.indicator.pk)
        root = line.indicator.children.order_by("position").first()
        analysis.save(actor=team, problem=problem, data={**REFLECTION, "root_indicator": root})
        label = samples.CAPAIAN_WORDS.get(line.achievement.capaian, "Tidak Tersedia")
        rows_rkt.append(
            [number, f"{line.indicator.code} {line.indicator.name}", label,
             f"{root.code} {root.name}" if root else "", f"Penguatan {line.indicator.name.lower()}",
             "Asesmen diagnostik, pengelompokan peserta didik dan pendampingan guru", "Ya",
             "Pengembangan standar proses", "Kepala sekolah"]
        )  # fmt: skip
        rows_arkas += [
            [number, rows_rkt[-1][4], rows_rkt[-1][5], "03.01.05", "Kegiatan pembelajaran", "Buku bacaan berjenjang",
             "Agustus", 60, "buah", 45000, 2700000],
            [number, rows_rkt[-1][4], rows_rkt[-1][5], "02.04.01", "Pengembangan kompetensi guru",
             "Konsumsi lokakarya guru", "September", 25, "orang", 30000, 750000],
        ]  # fmt: skip
    samples.worksheet(path, rows_rkt, rows_arkas)
    report = worksheets.apply(actor=team, cycle=cycle, path=path)
    if report.errors:
        raise RuntimeError(f"{path.name}: {report.errors[:3]}")
    # Literacy too, not yet planned: the Benahi page suggests what other Kampar schools did on it.
    if not cycle.problems.filter(indicator__code="A.1").exists():
        literacy = next(line.indicator for line in lines if line.indicator.code == "A.1")
        problem = analysis.choose_indicator(actor=team, cycle=cycle, indicator_id=literacy.pk)
        root = literacy.children.order_by("position").first()
        analysis.save(actor=team, problem=problem, data={**REFLECTION, "root_indicator": root})


def _labels(code, indicators):
    now = samples.figures(code.replace(".", ""), YEARS[-1], [c for c, _n in indicators])
    before = samples.figures(code.replace(".", ""), YEARS[0], [c for c, _n in indicators])
    return {
        c: (samples.label_of(score), "Naik" if score > before[c] else "Turun" if score < before[c] else "Tidak berubah")
        for c, score in now.items()
    }
