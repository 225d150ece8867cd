"""PBD inside the SPMI cycle: Identifikasi by the PBD rule, reordering only with a reason, Refleksi by
sub-indicator with its library of causes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mutu.accounts.scopes import UNRESTRICTED
from mutu.core.models import AuditEntry
from mutu.cycle import analysis
from mutu.cycle.services import CycleError, start_cycle
from mutu.pbd import importing, planning, samples, worksheets
from mutu.pbd.models import Achievement, Indicator
from mutu.pbd.selectors import Line

D = Decimal


def line(position, capaian="", score=None, previous=None, regency=None, national=None):
    indicator = Indicator(code=f"X.{position}", position=position, name="x")
    achievement = Achievement(capaian=capaian, score=score, rank_regency=regency, rank_national=national)
    return Line(indicator=indicator, achievement=achievement, previous=previous, change="")


def order(*lines):
    return [item.indicator.position for item in sorted(lines, key=planning.priority_key)]


def test_kurang_comes_before_sedang_before_baik_and_no_data_last():
    assert order(line(1, "baik", D(90)), line(2), line(3, "sedang", D(50)), line(4, "kurang", D(30))) == [4, 3, 1, 2]


def test_a_tie_in_capaian_goes_to_the_lower_rank_bucket():
    # the worse of the two buckets counts; a rank not given counts as none
    assert order(
        line(1, "kurang", D(30), regency=2), line(2, "kurang", D(30), national=5), line(3, "kurang", D(30))
    ) == [
        2,
        1,
        3,
    ]


def test_a_tie_in_rank_goes_to_the_larger_decline():
    lines = (
        line(1, "sedang", D(50), previous=D(52), regency=3),  # −2
        line(2, "sedang", D(50), previous=D(60), regency=3),  # −10
        line(3, "sedang", D(50), previous=D(47), regency=3),  # +3
        line(4, "sedang", D(50), regency=3),  # no last year: as unchanged
    )
    assert order(*lines) == [2, 1, 4, 3]


def test_a_tie_in_decline_goes_to_the_lower_score_then_the_framework_order():
    lines = (
        line(3, "kurang", D(35), previous=D(40)),
        line(1, "kurang", D(30), previous=D(35)),
        line(2, "kurang", D(30), previous=D(35)),
    )
    assert order(*lines) == [1, 2, 3]


@pytest.fixture
def cycle(personas, schools, tmp_path):
    path = tmp_path / "RAPOR-PBD-SD-10400001-DATA-2025.xlsx"
    main = [("A.1", "Literasi"), ("A.2", "Numerasi"), ("A.3", "Karakter")]
    samples.pbd_workbook(
        path,
        school=schools["a"],
        year=2025,
        indicators=main,
        scores={"A.1": D("36.67"), "A.2": D("55"), "A.3": D("80")},
        previous={"A.1": D("40"), "A.2": D("50")},
    )
    assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved
    return start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)


def test_identify_reorder_with_a_reason_and_reflect_by_sub_indicator(cycle, personas):
    kepsek = personas["kepsek_a"]
    year, lines = planning.propose(cycle)
    assert year == 2025 and [item.indicator.code for item in lines] == ["A.1", "A.2", "A.3"]
    first = analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    again = analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    assert first.pk == again.pk and (first.capaian, first.score) == ("kurang", 36.67)  # a double click: one problem
    second = analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[1].indicator.pk)
    with pytest.raises(CycleError, match="Jelaskan mengapa A.2"):
        analysis.reorder(actor=kepsek, problem=second, offset=-1)
    analysis.reorder(actor=kepsek, problem=second, offset=-1, reason="Numerasi lebih mendesak bagi kelas 4")
    second.refresh_from_db()
    assert second.position == 1 and second.order_reason == "Numerasi lebih mendesak bagi kelas 4"
    assert AuditEntry.objects.filter(action="cycle.problem.reorder").count() == 1
    document = analysis.analysis_document(cycle)
    assert "Sebutkan sub-indikator tempat akar masalah A.1 berada." in analysis.unfinished(document)
    wrong = Indicator.objects.get(framework__year=2025, code="A.2.4")
    data = {"problem": "Rendah", "root_cause": "Bahan bacaan terbatas", "recommendation": "Pojok baca"}
    data = {**data, "strengths": "", "weaknesses": ""}
    with pytest.raises(CycleError, match="A.2.4 bukan sub-indikator dari A.1"):
        analysis.save(actor=kepsek, problem=first, data={**data, "root_indicator": wrong})
    root = Indicator.objects.get(framework__year=2025, code="A.1.1")
    analysis.save(actor=kepsek, problem=first, data={**data, "root_indicator": root})
    first.refresh_from_db()
    assert first.root_indicator == root and first.complete
    assert "Bahan bacaan di kelas dan perpustakaan terbatas atau tidak sesuai jenjang" in analysis.root_causes(first)
    assert not [reason for reason in analysis.unfinished(document) if "A.1" in reason]


def test_the_analysis_page_starts_from_the_rapor_pendidikan(cycle, login, personas):
    client = login(personas["kepsek_a"])
    url = reverse("cycle:analysis", args=["10400001", 2026])
    page = client.get(url).content.decode()
    assert "Diusulkan dari Rapor Pendidikan 2025" in page and 'name="indicator"' in page
    a1 = Indicator.objects.get(framework__year=2025, code="A.1")
    client.post(reverse("cycle:analysis_choose", args=["10400001", 2026]), {"indicator": a1.pk})
    page = client.get(url).content.decode()
    assert 'class="capaian kurang"' in page and "A.1.1 Kompetensi membaca teks informasi" in page
    assert 'name="order_reason"' not in page  # a single problem has no order to leave


def _book_values(path):
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def test_benahi_worksheet_into_the_plan_and_out_again_exactly(cycle, personas, tmp_path):
    kepsek = personas["kepsek_a"]
    _year, lines = planning.propose(cycle)
    analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[1].indicator.pk)
    filled = tmp_path / "diisi.xlsx"
    samples.worksheet(
        filled,
        [
            [1, "A.1 Kemampuan literasi", "Kurang", "A.1.1 Kompetensi membaca teks informasi", "Pojok baca kelas",
             "Sudut baca di tiap kelas", "Ya", "Pengembangan perpustakaan", "Bu Rosmawati"],
            [2, "A.1 Kemampuan literasi", "Kurang", "A.1.1 Kompetensi membaca teks informasi", "Pelatihan guru",
             "Asesmen diagnostik literasi", "Tidak", "", "Pak Kepala"],
            [3, "A.2 Kemampuan numerasi", "Sedang", "", "", "", "", "", ""],
        ],
        [
            [1, "Pojok baca kelas", "Sudut baca di tiap kelas", "05.02.01", "Pengadaan buku", "Buku cerita anak",
             "Maret", 40, "buah", 35000, 1400000],
            [1, "Pojok baca kelas", "Sudut baca di tiap kelas", "05.02.02", "Rak buku", "Rak kayu", "Juli", "2,5",
             "unit", "350.000", "875.000"],
        ],
    )  # fmt: skip
    report = worksheets.apply(actor=kepsek, cycle=cycle, path=filled)
    assert report.errors == [] and (report.activities, report.lines) == (2, 2)
    problem = cycle.problems.get(indicator__code="A.1")
    assert problem.root_indicator.code == "A.1.1"
    out = tmp_path / "keluar.xlsx"
    worksheets.write(cycle, out)
    first = _book_values(out)
    assert first[worksheets.RKT_SHEET][1] == [1, "A.1 Kemampuan literasi", "Kurang", "A.1.1 Kompetensi membaca teks "
                                             "informasi", "Pojok baca kelas", "Sudut baca di tiap kelas", "Ya",
                                             "Pengembangan perpustakaan", "Bu Rosmawati"]  # fmt: skip
    assert first[worksheets.ARKAS_SHEET][2][6:] == ["Juli", 2.5, "unit", 350000, 875000]
    assert first[worksheets.RKT_SHEET][3][1:4] == ["A.2 Kemampuan numerasi", "Sedang", None]
    again = worksheets.apply(actor=kepsek, cycle=cycle, path=out)
    assert again.errors == [] and (again.activities, again.lines) == (2, 2)
    out2 = tmp_path / "lagi.xlsx"
    worksheets.write(cycle, out2)
    assert _book_values(out2) == first  # the round trip is exact
    assert (
        cycle.programs.count() == 1 and sum(a.budget_lines.count() for a in cycle.programs.get().activities.all()) == 2
    )


def test_a_bad_worksheet_names_each_row_and_saves_nothing(cycle, personas, tmp_path):
    kepsek = personas["kepsek_a"]
    _year, lines = planning.propose(cycle)
    analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    bad = tmp_path / "salah.xlsx"
    samples.worksheet(
        bad,
        [
            [1, "A.1 Kemampuan literasi", "Kurang", "A.2.4 Domain data", "Pojok baca", "", "Ya", "", "Bu R"],
            [2, "E.5 Program", "Kurang", "", "Kebijakan", "", "Ya", "", "Pak K"],
            [3, "A.1 Kemampuan literasi", "Kurang", "", "Pelatihan", "", "Tidak", "", "Pak K"],
        ],
        [
            [1, "Pojok baca", "", "5.2.1", "Buku", "Buku cerita", "Maret", 1, "buah", 1000, 1000],
            [1, "Pojok baca", "", "05.02.01", "Buku", "Buku cerita", "Maret", 2, "buah", 1000, 5000],
            [3, "Pelatihan", "", "05.02.01", "Buku", "Buku", "Maret", 1, "buah", 1000, 1000],
            [1, "Pojok baca", "", "05.02.01", "Buku", "Buku", "Smarch", 1, "buah", 1000, 1000],
        ],
    )
    report = worksheets.apply(actor=kepsek, cycle=cycle, path=bad)
    rkt, arkas = f"{worksheets.RKT_SHEET}: ", f"{worksheets.ARKAS_SHEET}: "
    assert [row[:2] for row in report.errors] == [
        [2, rkt + "Akar masalah"],
        [3, rkt + "Identifikasi"],
        [2, arkas + "Kode kegiatan"],
        [3, arkas + "Total"],
        [4, arkas + "Ref RKT"],
        [5, arkas + "Bulan"],
    ]
    assert "Total 5000 bukan Jumlah × Harga satuan." in report.errors[3][2]
    assert not report.saved and not cycle.programs.exists()


def test_numbers_no_budget_line_can_hold_are_named_not_a_500(cycle, personas, tmp_path, login):
    kepsek = personas["kepsek_a"]
    _year, lines = planning.propose(cycle)
    analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    rkt = [[1, "A.1 Kemampuan literasi", "Kurang", "", "Pojok baca", "", "Ya", "", "Bu R"]]
    line = [1, "Pojok baca", "", "05.02.01", "Buku", "Buku", "Maret"]
    for quantity, unit_cost in (("99999999999", 1000), ("NaN", 1000), (1, "Infinity"), (1, "1e30"), ("1e999999", 1)):
        bad = tmp_path / "angka.xlsx"
        samples.worksheet(bad, rkt, [line + [quantity, "buah", unit_cost, None]])
        report = worksheets.apply(actor=kepsek, cycle=cycle, path=bad)
        assert [row[:2] for row in report.errors] == [[2, f"{worksheets.ARKAS_SHEET}: Jumlah"]], report.errors
        assert not cycle.programs.exists()
    renamed = tmp_path / "kolom.xlsx"
    samples.worksheet(renamed, rkt, [])
    from openpyxl import load_workbook

    book = load_workbook(renamed)
    book[worksheets.RKT_SHEET].cell(row=1, column=7, value="Perlu dana")
    book.save(renamed)
    report = worksheets.apply(actor=kepsek, cycle=cycle, path=renamed)
    assert report.errors[0][:2] == [1, worksheets.RKT_SHEET] and "Butuh biaya" in report.errors[0][2]


def test_the_effect_before_and_after_and_the_groups_with_suppression(personas, schools, tmp_path, settings, login):
    from mutu.cycle.models import ActivityStatus
    from mutu.factories import SchoolFactory
    from mutu.pbd import effects
    from mutu.schools.models import School

    kampar = [schools["a"]] + [
        SchoolFactory(npsn=f"1040010{n}", name=f"SD {n}", district_code="14.01.01") for n in range(1, 6)
    ]
    for year, step in ((2024, D(0)), (2025, D(1))):
        rows = [(school, {"A.1": D(40) + step * (10 if i < 3 else 2) + i}) for i, school in enumerate(kampar)]
        path = tmp_path / f"{year}.xlsx"
        samples.school_list(path, year=year, region_name="Kampar", indicators=[("A.1", "Literasi")], rows=rows)
        assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved
    literacy = Indicator.objects.get(framework__year=2024, code="A.1")
    for school in kampar[:3]:  # three acted: their change is +10, the others' +2
        member = personas["kepsek_a"] if school == schools["a"] else None
        if member is None:
            from mutu.accounts.models import Membership, Role, User

            member = User.objects.create_user(f"kepsek{school.npsn}", password="x")
            Membership.objects.create(user=member, role=Role.KEPALA_SEKOLAH, school=school)
        from datetime import date

        cycle = start_cycle(actor=member, school=school, year=2024, today=date(2024, 8, 1))
        problem = analysis.choose_indicator(actor=member, cycle=cycle, indicator_id=literacy.pk)
    from mutu.factories import ActivityFactory

    activity = ActivityFactory(program__cycle=problem.cycle, status=ActivityStatus.DONE, actual_cost=1500000)
    activity.program.problems.add(problem)
    (effect,) = effects.school_effects(kampar[2])
    assert (effect.before, effect.after, effect.change) == (D("42.00"), D("52.00"), D("10.00"))
    assert (effect.done, effect.activities, effect.spent) == (1, 1, D(1500000))
    acted, others = effects.region_effect(School.objects.filter(regency__code="14.01"), "A.1", 2024)
    assert (acted.size, acted.mean, acted.spread) == (3, 10.0, 0.0)
    assert (others.size, others.mean) == (3, 2.0)
    settings.MUTU_MIN_GROUP_SIZE = 4
    acted, others = effects.region_effect(School.objects.filter(regency__code="14.01"), "A.1", 2024)
    assert acted.suppressed and acted.mean is None and others.suppressed
    page = login(personas["dinas_kampar"]).get(
        reverse("pbd:region", args=["regency", "14.01"]) + "?tahun=2025&indikator=A.1"
    )
    assert "terlalu sedikit sekolah untuk ditampilkan" in page.content.decode()
    settings.MUTU_MIN_GROUP_SIZE = 3
    page = (
        login(personas["dinas_kampar"])
        .get(reverse("pbd:region", args=["regency", "14.01"]) + "?tahun=2025&indikator=A.1")
        .content.decode()
    )
    assert "+10,00" in page and "+2,00" in page and "bukan bukti" in page


def test_an_activitys_total_follows_its_arkas_lines(cycle, personas, tmp_path):
    kepsek = personas["kepsek_a"]
    _year, lines = planning.propose(cycle)
    analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    rkt = [[1, "A.1 Kemampuan literasi", "Kurang", "", "Pojok baca", "", "Ya", "", "Bu R"]]
    for quantity in (2, 5):  # the second upload changes the quantity of the same activity's line
        sheet = tmp_path / f"isi-{quantity}.xlsx"
        samples.worksheet(
            sheet, rkt, [[1, "Pojok baca", "", "05.02.01", "Buku", "Buku", "Maret", quantity, "buah", 1000, None]]
        )
        assert worksheets.apply(actor=kepsek, cycle=cycle, path=sheet).errors == []
        activity = cycle.programs.get().activities.get()
        assert activity.total == sum(line.total for line in activity.budget_lines.all()) == quantity * 1000


def test_an_empty_root_cell_keeps_the_root_chosen(cycle, personas, tmp_path):
    """A problem's second activity (or a later upload) leaves Akar masalah empty: the root stays."""
    kepsek = personas["kepsek_a"]
    _year, lines = planning.propose(cycle)
    analysis.choose_indicator(actor=kepsek, cycle=cycle, indicator_id=lines[0].indicator.pk)
    sheet = tmp_path / "akar.xlsx"
    samples.worksheet(
        sheet,
        [
            [1, "A.1 Kemampuan literasi", "Kurang", "A.1.1 Kompetensi membaca teks informasi", "Pojok baca", "",
             "Tidak", "", "Bu R"],
            [2, "A.1 Kemampuan literasi", "Kurang", "", "Pelatihan guru", "", "Tidak", "", "Pak K"],
        ],
        [],
    )  # fmt: skip
    assert worksheets.apply(actor=kepsek, cycle=cycle, path=sheet).errors == []
    assert cycle.problems.get(indicator__code="A.1").root_indicator.code == "A.1.1"
    samples.worksheet(sheet, [[1, "A.1 Kemampuan literasi", "Kurang", "", "Pojok baca", "", "Tidak", "", "Bu R"]], [])
    assert worksheets.apply(actor=kepsek, cycle=cycle, path=sheet).errors == []
    assert cycle.problems.get(indicator__code="A.1").root_indicator.code == "A.1.1"
