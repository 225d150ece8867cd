"""Planning: programs for the analysed problems, activities with budget lines linked to indicators,
the RKAS totals; bad input refused with a message and nothing saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mutu.cycle import planning, services
from mutu.cycle.models import Activity, CycleDocument, Problem, Program, SchoolCycle, State, Step
from mutu.cycle.tests.test_transitions import analysed
from mutu.instruments.models import Node


@pytest.fixture
def cycle(personas, schools, scored_round):
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    analysed(cycle, scored_round)
    return cycle


def activity_data(prefix, **changes):
    data = {
        "year": "2026",
        "name": "Pelatihan penilaian autentik",
        "indicator": "Guru yang menyusun rubrik",
        "target": "80%",
        "volume": "2",
        "unit": "kali",
        "unit_cost": "1500000",
        "fund_source": "bos",
        "months": ["2", "3"],
        "person_in_charge": "Wakasek kurikulum",
        "nodes": [str(Node.objects.get(code="1.1.1", version__code="tiny").pk)],
    } | changes
    return {f"{prefix}-{key}": value for key, value in data.items()}


def add_program(client, cycle, name="Peningkatan mutu penilaian"):
    problem = Problem.objects.get(cycle=cycle)
    url = reverse("cycle:program_add", args=[cycle.school.npsn, 2026])
    client.post(url, {"new-name": name, "new-problems": [problem.pk]})
    return Program.objects.get(cycle=cycle, name=name)


def test_the_team_plans_programs_and_activities_with_their_budget(client, personas, cycle):
    client.force_login(personas["tpmps_a"])
    program = add_program(client, cycle)
    url = reverse("cycle:activity_add", args=[cycle.school.npsn, 2026, program.pk])
    client.post(url, activity_data(f"n{program.pk}"))
    workshop = {"name": "Lokakarya", "unit_cost": "600000", "volume": "1", "fund_source": "komite", "months": ["3"]}
    client.post(url, activity_data(f"n{program.pk}", **workshop))
    assert Activity.objects.count() == 2
    budget = planning.rkas(cycle, 2026)
    assert budget["total"] == Decimal("3600000")
    assert budget["per_source"] == [("BOS", Decimal("3000000")), ("komite sekolah", Decimal("600000"))]
    assert dict(budget["per_month"])[2] == 1500000 and dict(budget["per_month"])[3] == 2100000
    assert [g["standard"].code for g in budget["groups"]] == ["1"]
    page = client.get(reverse("cycle:rkas", args=[cycle.school.npsn, 2026])).content.decode()
    assert "3.600.000" in page and "Standar satu" in page
    assert client.get(reverse("cycle:plan", args=[cycle.school.npsn, 2026])).status_code == 200


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"unit_cost": "-5000"}, "Pastikan nilai ini lebih besar dari atau sama dengan 0"),
        ({"months": ["13"]}, "Masukkan pilihan yang valid"),
        ({"year": "2031"}, "Masukkan pilihan yang valid"),
        ({"volume": "dua"}, "Masukkan angka"),
        ({"name": ""}, "Wajib diisi"),
    ],
    ids=["negative-cost", "month-13", "year-outside-the-plan", "volume-not-a-number", "no-name"],
)
def test_bad_activity_input_is_refused_and_nothing_saved(client, personas, cycle, changes, message):
    client.force_login(personas["kepsek_a"])
    program = add_program(client, cycle)
    url = reverse("cycle:activity_add", args=[cycle.school.npsn, 2026, program.pk])
    response = client.post(url, activity_data(f"n{program.pk}", **changes))
    assert response.status_code == 422 and message in response.content.decode()
    assert "Tidak ada yang disimpan" in response.content.decode() and not Activity.objects.exists()


def test_an_activity_without_indicator_is_flagged_and_blocks_the_submission(client, personas, cycle):
    client.force_login(personas["kepsek_a"])
    program = add_program(client, cycle)
    client.post(
        reverse("cycle:activity_add", args=[cycle.school.npsn, 2026, program.pk]),
        activity_data(f"n{program.pk}", nodes=[]),
    )
    page = client.get(reverse("cycle:plan", args=[cycle.school.npsn, 2026])).content.decode()
    assert "Kegiatan “Pelatihan penilaian autentik” belum dikaitkan dengan sub-indikator." in page
    program.problems.clear()  # a problem no program with activities answers is flagged too
    page = client.get(reverse("cycle:plan", args=[cycle.school.npsn, 2026])).content.decode()
    assert "Masalah 1.1.1 belum memiliki kegiatan" in page
    analysis_doc = CycleDocument.objects.get(cycle=cycle, step=Step.MAPPING)
    services.move(actor=personas["kepsek_a"], document=analysis_doc, name="submit")
    services.move(actor=personas["pengawas"], document=analysis_doc, name="accept")
    plan_doc = CycleDocument.objects.get(cycle=cycle, step=Step.PLANNING)
    with pytest.raises(
        services.CycleError, match="Kegiatan “Pelatihan penilaian autentik” belum memperbaiki sub-indikator apa pun"
    ):
        services.move(actor=personas["kepsek_a"], document=plan_doc, name="submit")
    assert CycleDocument.objects.get(pk=plan_doc.pk).state == State.DRAFT


def test_only_the_team_plans_and_only_while_the_step_is_open(client, personas, cycle):
    url = reverse("cycle:program_add", args=[cycle.school.npsn, 2026])
    client.force_login(personas["pengawas"])
    assert client.post(url, {"new-name": "X"}).status_code == 403
    client.force_login(personas["kepsek_b"])
    assert client.post(url, {"new-name": "X"}).status_code == 404
    CycleDocument.objects.filter(cycle=cycle, step=Step.PLANNING).update(state=State.SUBMITTED)
    client.force_login(personas["kepsek_a"])
    response = client.post(url, {"new-name": "X"}, follow=True)
    assert "hanya dapat diubah selagi" in response.content.decode() and not Program.objects.exists()


def test_a_new_year_starts_from_last_years_plan(client, personas, cycle, schools):
    client.force_login(personas["kepsek_a"])
    plan_url = reverse("cycle:plan", args=[cycle.school.npsn, 2026])
    # The first year has no earlier plan: no button offers to copy one (a wrong offer of issue 22).
    assert "Mulai dari rencana" not in client.get(plan_url).content.decode()
    program = add_program(client, cycle)
    client.post(
        reverse("cycle:activity_add", args=[cycle.school.npsn, 2026, program.pk]),
        activity_data(f"n{program.pk}", year="2027"),
    )
    next_year = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2027)
    next_plan = client.get(reverse("cycle:plan", args=[cycle.school.npsn, 2027])).content.decode()
    assert "Mulai dari rencana tahun 2026" in next_plan
    client.post(reverse("cycle:plan_copy", args=[cycle.school.npsn, 2027]))
    copied = Program.objects.get(cycle=next_year)
    assert copied.name == program.name and copied.activities.get().nodes.get().code == "1.1.1"
    response = client.post(reverse("cycle:plan_copy", args=[cycle.school.npsn, 2027]), follow=True)
    assert "hanya disalin ke rencana yang masih kosong" in response.content.decode()


def test_the_rkas_downloads_as_pdf_with_signatures_and_as_xlsx(client, personas, cycle, tmp_path):
    import io
    import subprocess

    from openpyxl import load_workbook

    client.force_login(personas["kepsek_a"])
    program = add_program(client, cycle)
    client.post(
        reverse("cycle:activity_add", args=[cycle.school.npsn, 2026, program.pk]), activity_data(f"n{program.pk}")
    )
    url = reverse("cycle:rkas", args=[cycle.school.npsn, 2026])
    pdf = client.get(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    (tmp_path / "rkas.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "rkas.pdf"), "-"], capture_output=True, text=True)
    if text.returncode == 0:  # poppler-utils present (CI installs it)
        for words in (
            "Pelatihan penilaian",  # the name wraps in its column
            "Februari–",  # months by name
            "3.000.000",
            "Disusun oleh",
            "Disetujui",
            "Diketahui",
            "Rosmawati",
        ):
            assert words in text.stdout, words
    xlsx = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert any(row[1] == "Pelatihan penilaian autentik" and row[7] == 3_000_000 for row in rows)


def test_the_plan_waits_while_its_analysis_is_under_review(client, personas, cycle):
    client.force_login(personas["kepsek_a"])
    mapping = CycleDocument.objects.get(cycle=cycle, step=Step.MAPPING)
    services.move(actor=personas["kepsek_a"], document=mapping, name="submit")
    CycleDocument.objects.filter(cycle=cycle, step=Step.PLANNING).update(state=State.DRAFT)
    with pytest.raises(services.CycleError, match="sedang ditelaah|diajukan"):
        planning.save_program(
            actor=personas["kepsek_a"], cycle=cycle, data={"name": "X", "problems": list(cycle.problems.all())}
        )
    assert not planning.editable(personas["kepsek_a"], cycle) and not Program.objects.exists()
    services.move(actor=personas["pengawas"], document=mapping, name="take")
    assert not planning.editable(personas["kepsek_a"], cycle)
    services.move(actor=personas["pengawas"], document=mapping, name="send_back", comment="Lengkapi akar masalah.")
    assert planning.editable(personas["kepsek_a"], cycle)  # returned: the analysis and the plan move again


def test_a_cycle_starts_only_for_the_current_or_next_school_year(client, personas, schools):
    from datetime import date

    assert services.school_years(date(2026, 12, 6)) == [2026, 2027]
    assert services.school_years(date(2027, 3, 1)) == [2026, 2027]  # the 2026/2027 school year runs to June
    with pytest.raises(services.CycleError, match="2026 atau 2027"):
        services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2024, today=date(2026, 12, 6))
    with pytest.raises(services.CycleError):
        services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2031, today=date(2026, 12, 6))
    client.force_login(personas["kepsek_a"])
    this_year = services.school_years(date.today())[0]
    page = client.get(reverse("cycle:school", args=[schools["a"].npsn, this_year - 3])).content.decode()
    assert "Mulai siklus" not in page and f"tahun ajaran berjalan ({this_year})" in page
    client.post(reverse("cycle:start", args=[schools["a"].npsn, this_year - 3]))
    assert not SchoolCycle.objects.filter(year=this_year - 3).exists()


def test_a_plan_without_chosen_problems_says_where_to_choose_them(client, personas, schools, scored_round):
    services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("cycle:plan", args=[schools["a"].npsn, 2026])).content.decode()
    assert "Belum ada masalah yang dipilih: pilih dulu di analisis rapor." in page
