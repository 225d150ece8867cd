"""Implementation with evidence: recorded by the team while the step is open, evidence checked by its
content and size, downloaded only within scope and never inline, removed with the trail kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutu.core.models import AuditEntry
from mutu.cycle import implementation, services
from mutu.cycle.models import ActivityStatus, CycleDocument, Evidence, State, Step
from mutu.cycle.tests.test_transitions import accept_before, analysed
from mutu.factories import ActivityFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def activity(personas, schools, open_round):
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    analysed(cycle, open_round)
    accept_before(cycle, Step.IMPLEMENTATION)
    return ActivityFactory(program__cycle=cycle, name="Pelatihan", volume=2, unit_cost=1_000_000, months=[3])


def urls(activity):
    npsn = activity.program.cycle.school.npsn
    return {
        "page": reverse("cycle:implementation", args=[npsn, 2026]),
        "record": reverse("cycle:implementation_record", args=[npsn, 2026, activity.pk]),
        "evidence": reverse("cycle:evidence_add", args=[npsn, 2026, activity.pk]),
    }


def attach(client, activity, name, content, **extra):
    upload = SimpleUploadedFile(name, content)
    return client.post(urls(activity)["evidence"], {f"e{activity.pk}-file": upload, **extra}, follow=True)


def test_the_team_records_progress_with_evidence(client, personas, activity):
    client.force_login(personas["tpmps_a"])
    data = {"status": "selesai", "started_on": "2026-03-02", "finished_on": "2026-03-03", "actual_cost": "1500000"}
    client.post(urls(activity)["record"], {f"i{activity.pk}-{k}": v for k, v in data.items()})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.actual_cost == 1_500_000
    made = implementation.realisation([activity], 2026)
    assert (made.done, made.realised) == (1.0, 0.75)
    document = CycleDocument.objects.get(cycle=activity.program.cycle, step=Step.IMPLEMENTATION)
    assert implementation.unfinished(document) == ["Kegiatan “Pelatihan” sudah selesai tetapi belum memiliki bukti."]
    page = attach(client, activity, "daftar-hadir.pdf", PDF).content.decode()
    assert "Bukti terlampir" in page and "daftar-hadir.pdf" in page
    assert implementation.unfinished(document) == []
    evidence = Evidence.objects.get()
    response = client.get(reverse("cycle:evidence", args=[activity.program.cycle.school.npsn, 2026, evidence.pk]))
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("laporan.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "application/x-executable"),
        ("foto.png", b"<html><script>alert(1)</script></html>", "Isi berkas ini teks,"),
        (
            "gambar.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "Isi berkas ini teks,",
        ),
    ],
    ids=["renamed-executable", "html-as-png", "svg"],
)
def test_evidence_of_a_forbidden_type_is_refused_by_its_content(client, personas, activity, name, content, reason):
    client.force_login(personas["kepsek_a"])
    page = attach(client, activity, name, content).content.decode()
    assert "Bukti tidak terlampir" in page and reason in page and not Evidence.objects.exists()


def test_evidence_over_the_size_limit_is_refused(client, personas, activity, settings):
    settings.MUTU_MAX_UPLOAD_BYTES = 1024
    client.force_login(personas["kepsek_a"])
    page = attach(client, activity, "besar.pdf", PDF + b" " * 2048).content.decode()
    assert "Berkas lebih besar dari 1,0" in page
    assert not Evidence.objects.exists()


def test_evidence_stays_within_its_school_even_by_direct_url(client, personas, activity):
    client.force_login(personas["kepsek_a"])
    attach(client, activity, "bukti.pdf", PDF)
    evidence = Evidence.objects.get()
    url = reverse("cycle:evidence", args=[activity.program.cycle.school.npsn, 2026, evidence.pk])
    for name, status in [
        ("pengawas", 200),
        ("lpmp", 200),
        ("kepsek_b", 404),
        ("lpmp_jambi", 404),
        ("pengawas_other", 404),
    ]:
        client.force_login(personas[name])
        assert client.get(url).status_code == status, name
    assert not evidence.file.url.startswith("/static")  # stored through the storage API, not served by it


def test_removed_evidence_keeps_its_record(client, personas, activity):
    client.force_login(personas["kepsek_a"])
    attach(client, activity, "bukti.pdf", PDF)
    evidence = Evidence.objects.get()
    npsn = activity.program.cycle.school.npsn
    client.post(reverse("cycle:evidence_remove", args=[npsn, 2026, evidence.pk]))
    evidence.refresh_from_db()
    assert evidence.removed_by == personas["kepsek_a"] and evidence.removed_at is not None
    assert client.get(reverse("cycle:evidence", args=[npsn, 2026, evidence.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="cycle.evidence.remove").exists()


def test_implementation_is_refused_outside_its_open_step_and_for_others(client, personas, activity):
    client.force_login(personas["pengawas"])
    assert client.post(urls(activity)["record"], {f"i{activity.pk}-status": "selesai"}).status_code == 403
    CycleDocument.objects.filter(cycle=activity.program.cycle, step=Step.IMPLEMENTATION).update(state=State.ACCEPTED)
    client.force_login(personas["kepsek_a"])
    page = client.post(urls(activity)["record"], {f"i{activity.pk}-status": "selesai"}, follow=True).content.decode()
    assert "hanya dapat diubah selagi" in page
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED
    bad = {f"i{activity.pk}-status": "berjalan", f"i{activity.pk}-started_on": "2026-05-02",
           f"i{activity.pk}-finished_on": "2026-05-01", f"i{activity.pk}-actual_cost": "-1"}  # fmt: skip
    CycleDocument.objects.filter(cycle=activity.program.cycle, step=Step.IMPLEMENTATION).update(state=State.DRAFT)
    page = client.post(urls(activity)["record"], bad, follow=True).content.decode()
    assert "Tidak ada yang disimpan untuk “Pelatihan”" in page and "lebih besar dari atau sama dengan 0" in page


def test_dates_come_back_as_saved_and_only_this_years_activities_are_recorded(client, personas, activity):
    client.force_login(personas["kepsek_a"])
    record = urls(activity)["record"]
    client.post(record, {f"i{activity.pk}-status": "berjalan", f"i{activity.pk}-started_on": "2026-03-02"})
    page = client.get(urls(activity)["page"]).content.decode()
    assert 'value="2026-03-02"' in page  # a date field shows ISO dates; the locale's would come back empty
    later = ActivityFactory(program=activity.program, year=2027, name="Tahun depan")
    url = reverse("cycle:implementation_record", args=[activity.program.cycle.school.npsn, 2026, later.pk])
    assert client.post(url, {f"i{later.pk}-status": "selesai"}).status_code == 404


def test_implementation_waits_for_the_accepted_plan(client, personas, activity):
    CycleDocument.objects.filter(cycle=activity.program.cycle, step=Step.PLANNING).update(state=State.SUBMITTED)
    client.force_login(personas["kepsek_a"])
    page = client.post(urls(activity)["record"], {f"i{activity.pk}-status": "selesai"}, follow=True).content.decode()
    assert "Langkah sebelumnya harus diterima dahulu: perencanaan" in page
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED
