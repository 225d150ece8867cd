"""Pengawas monitoring visits: recorded for the schools they supervise, followed up by the schools,
counted when late."""

from datetime import date, timedelta

from django.urls import reverse

from mutu.core.models import Notification
from mutu.cycle.models import Visit, VisitSchool


def visit_to(pengawas, schools, visited_on, **report):
    """A visit with the same report for each school (tests of counting, not of the text)."""
    visit = Visit.objects.create(pengawas=pengawas, visited_on=visited_on)
    for school in schools:
        VisitSchool.objects.create(visit=visit, school=school, **{"findings": "f", "recommendations": "r"} | report)
    return visit


def test_a_pengawas_records_a_visit_and_the_school_closes_its_follow_up(client, personas, schools):
    client.force_login(personas["pengawas"])
    data = {"visited_on": "2026-04-02", "schools": [schools["a"].pk], "follow_up_due": "2026-04-30"}
    first = client.post(reverse("cycle:visits"), data)  # step 1: then the findings of each school
    assert first.status_code == 200 and "Temuan di SD Negeri 001" in first.content.decode()
    assert not Visit.objects.exists()
    findings = {
        "step": "findings",
        f"findings_{schools['a'].pk}": "RKAS belum memuat indikator",
        f"recommendations_{schools['a'].pk}": "Kaitkan kegiatan dengan rapor",
    }
    client.post(reverse("cycle:visits"), data | findings)
    visit = Visit.objects.get()
    assert list(visit.schools.all()) == [schools["a"]]
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"kepsek_a", "tpmps_a"}
    client.post(reverse("cycle:visits"), data | {"schools": [schools["b"].pk], "step": "findings"})  # not theirs
    assert Visit.objects.count() == 1
    report = visit.reports.get()
    client.force_login(personas["kepsek_b"])
    assert client.post(reverse("cycle:visit_follow_up", args=[report.pk]), {"note": "x"}).status_code == 404
    client.force_login(personas["tpmps_a"])
    page = client.post(reverse("cycle:visit_follow_up", args=[report.pk]), {"note": " "}, follow=True)
    assert "Tuliskan apa yang dilakukan" in page.content.decode()
    client.post(reverse("cycle:visit_follow_up", args=[report.pk]), {"note": "RKAS direvisi, lihat versi 2"})
    report.refresh_from_db()
    assert report.follow_up == "selesai" and "versi 2" in report.follow_up_note and report.closed_by
    assert client.post(reverse("cycle:visits"), data).status_code == 403  # schools do not record visits


def test_a_joint_visit_keeps_each_schools_findings_and_follow_up(client, personas, schools):
    """The worked example: one findings text went into each school's monev report, and one school
    closing the follow-up closed it for the other."""
    from mutu.cycle import documents
    from mutu.cycle.models import SchoolCycle
    from mutu.schools.models import School

    other = School.objects.create(
        npsn="10400009", name="SD Negeri 002 Bangkinang", level="SD", status="negeri",
        district=schools["a"].district, regency=schools["a"].regency, province=schools["a"].province,
    )  # fmt: skip
    personas["pengawas"].memberships.get().schools.add(other)
    client.force_login(personas["pengawas"])
    data = {"visited_on": "2026-04-02", "schools": [schools["a"].pk, other.pk], "follow_up_due": "2026-04-30"}
    client.post(reverse("cycle:visits"), data | {
        "step": "findings",
        f"findings_{schools['a'].pk}": "Rubrik penilaian belum dipakai",
        f"recommendations_{schools['a'].pk}": "Latih guru",
        f"findings_{other.pk}": "Perpustakaan tutup", f"recommendations_{other.pk}": "Jadwalkan petugas",
    })  # fmt: skip
    visit = Visit.objects.get()
    assert visit.reports.count() == 2
    for school, own, foreign in ((schools["a"], "Rubrik", "Perpustakaan"), (other, "Perpustakaan", "Rubrik")):
        monev = documents.build("monev", SchoolCycle.objects.create(school=school, year=2026))
        visits = monev.tables[-1]  # the visits, after the implementation and the evaluation
        text = " ".join(str(cell) for row in visits.rows for cell in row)
        assert own in text and foreign not in text, school.name  # each school's own findings
    # SD 002 closes its follow-up; SD 001's stays open.
    theirs = visit.reports.get(school=other)
    client.post(reverse("cycle:visit_follow_up", args=[theirs.pk]), {"note": "Petugas dijadwalkan"})
    assert set(visit.reports.values_list("school__npsn", "follow_up")) == {
        (schools["a"].npsn, "terbuka"),
        (other.npsn, "selesai"),
    }
    # The principal of SD 001 sees only SD 001's part of the joint visit.
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("cycle:visits")).content.decode()
    assert "Rubrik penilaian" in page and "Perpustakaan tutup" not in page


def test_late_follow_ups_are_counted_for_the_region(client, personas, schools):
    visit_to(
        personas["pengawas"], [schools["a"]], date.today() - timedelta(days=30),
        follow_up_due=date.today() - timedelta(days=1),
    )  # fmt: skip
    client.force_login(personas["dinas_kampar"])
    page = client.get(reverse("cycle:overview")).content.decode()
    assert "tindak lanjut kunjungan melewati batas waktu" in page
    from mutu.cycle import monitoring

    assert monitoring.behind(personas["dinas_kampar"], date.today().year)[1] == 1
    assert monitoring.behind(personas["lpmp_jambi"], date.today().year)[1] == 0


def test_the_overview_lists_the_schools_behind_schedule(client, personas, schools):
    from mutu.cycle import services
    from mutu.cycle.models import CycleDocument

    year = date.today().year
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=year)
    CycleDocument.objects.filter(cycle=cycle, step="perencanaan").update(due_on=date.today() - timedelta(days=3))
    visit_to(
        personas["pengawas"], [schools["a"], schools["d"]], date.today() - timedelta(days=30),
        follow_up_due=date.today() - timedelta(days=2),
    )  # fmt: skip
    client.force_login(personas["dinas_kampar"])
    page = client.get(reverse("cycle:overview"), {"year": year}).content.decode()
    assert schools["a"].name in page and "perencanaan (batas" in page.lower()
    assert schools["d"].name not in page  # Jambi is outside Kampar's view
    client.force_login(personas["lpmp_jambi"])
    page = client.get(reverse("cycle:overview"), {"year": year}).content.decode()
    assert schools["d"].name in page and schools["a"].name not in page
    client.force_login(personas["dinas_pekanbaru"])
    assert "Tidak ada batas waktu" in client.get(reverse("cycle:overview")).content.decode()  # no cycle, no deadline
