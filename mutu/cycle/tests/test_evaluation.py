"""Monev per program on four dimensions, and the new standards with the school's own targets, which
the next year's analysis uses."""

import pytest
from django.urls import reverse

from mutu.cycle import analysis, evaluation, services
from mutu.cycle.models import CycleDocument, Evaluation, Program, StandardDecision, Step
from mutu.cycle.tests.test_transitions import accept_before


@pytest.fixture
def cycle(personas, schools, scored_round):
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    Program.objects.create(cycle=cycle, name="Penilaian")
    accept_before(cycle, Step.STANDARDS)  # monev and standards follow what was done and accepted
    CycleDocument.objects.filter(cycle=cycle, step=Step.MONEV).update(state="draft")
    return cycle


def test_each_program_is_evaluated_on_four_dimensions_before_monev_is_submitted(client, personas, cycle):
    program = cycle.programs.get()
    document = CycleDocument.objects.get(cycle=cycle, step=Step.MONEV)
    assert evaluation.unfinished(document) == [
        "Program “Penilaian” belum dievaluasi pada input, outcome, output, proses."
    ]
    client.force_login(personas["tpmps_a"])
    for dimension in ("input", "proses", "output", "outcome"):
        data = {"target": "80%", "achieved": "85%", "met": "on"}
        client.post(
            reverse("cycle:monev_save", args=[cycle.school.npsn, 2026, program.pk, dimension]),
            {f"m{program.pk}-{dimension}-{k}": v for k, v in data.items()},
        )
    assert Evaluation.objects.filter(program=program, met=True).count() == 4
    assert evaluation.unfinished(document) == []
    page = client.get(reverse("cycle:monev", args=[cycle.school.npsn, 2026])).content.decode()
    assert "85%" in page
    client.force_login(personas["pengawas"])  # reviewers read, never write
    url = reverse("cycle:monev_save", args=[cycle.school.npsn, 2026, program.pk, "input"])
    assert client.post(url, {f"m{program.pk}-input-target": "x"}).status_code == 403


def test_the_standards_page_before_monev_says_why_nothing_can_be_decided(client, personas, cycle):
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("cycle:standards", args=[cycle.school.npsn, 2026])).content.decode()
    assert "Keputusan belum dapat diambil di sini: Langkah sebelumnya harus diterima dahulu: " in page
    assert "monitoring dan evaluasi" in page.split("belum dapat diambil")[1][:200]


def test_standard_decisions_and_own_targets_feed_next_years_analysis(client, personas, cycle, schools):
    accept_before(cycle, Step.STANDARDS + "")
    CycleDocument.objects.filter(cycle=cycle, step=Step.MONEV).update(state="diterima")
    standard = evaluation.standards(cycle)[0]
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("cycle:standards", args=[cycle.school.npsn, 2026])).content.decode()
    assert "Keputusan belum dapat diambil" not in page
    url = reverse("cycle:standards_save", args=[cycle.school.npsn, 2026, standard.pk])
    page = client.post(url, {f"s{standard.pk}-decision": "tingkatkan", f"s{standard.pk}-own_target": "5"}, follow=True)
    assert "Target sendiri berada di atas tingkat nasional (6,66)" in page.content.decode()
    assert not StandardDecision.objects.exists()
    client.post(url, {f"s{standard.pk}-decision": "tingkatkan", f"s{standard.pk}-own_target": "6,95"})
    assert StandardDecision.objects.get().own_target == pytest.approx(6.95)
    document = CycleDocument.objects.get(cycle=cycle, step=Step.STANDARDS)
    missing = evaluation.unfinished(document)
    assert missing and standard.code not in missing[0].split("standar ")[1]
    next_year = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2027)
    assert evaluation.own_targets(next_year) == {standard.code: pytest.approx(6.95)}
    before = {p.node.code for p in analysis.propose(cycle)[1]}
    after = {p.node.code for p in analysis.propose(next_year)[1]}
    raised = {code for code in after - before}
    assert all(code.startswith(f"{standard.code}.") for code in raised)


def test_spmi_documents_keep_their_versions_and_stay_in_scope(client, personas, cycle):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mutu.cycle.models import SchoolDocument

    client.force_login(personas["kepsek_a"])
    url = reverse("cycle:document_upload", args=[cycle.school.npsn, 2026])
    for n in (1, 2):
        pdf = SimpleUploadedFile("kebijakan.pdf", b"%PDF-1.4 versi " + str(n).encode())
        client.post(url, {"kind": "kebijakan", "title": "Kebijakan SPMI", "file": pdf})
    page = client.post(url, {"kind": "kebijakan", "title": "X", "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")},
                       follow=True).content.decode()  # fmt: skip
    assert "Tidak ada yang disimpan" in page
    assert list(SchoolDocument.objects.values_list("version", flat=True)) == [2, 1]
    page = client.get(reverse("cycle:standards", args=[cycle.school.npsn, 2026])).content.decode()
    assert page.count('id="documents"') == 1  # once, in the page's content (not in its title or breadcrumbs)
    assert "<section" not in page.split("<title>")[1].split("</title>")[0]
    latest = SchoolDocument.objects.get(version=2)
    download = reverse("cycle:document", args=[cycle.school.npsn, 2026, latest.pk])
    response = client.get(download)
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(personas["kepsek_b"])
    assert client.get(download).status_code == 404
    client.force_login(personas["kepsek_a"])
    CycleDocument.objects.filter(cycle=cycle, step=Step.MONEV).update(state="diterima")
    client.post(reverse("cycle:distinctive", args=[cycle.school.npsn, 2026]), {"text": "Sekolah adiwiyata"})
    cycle.refresh_from_db()
    assert cycle.distinctive_program == "Sekolah adiwiyata"
