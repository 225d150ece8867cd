"""Pengawas monitoring visits: recorded for the schools they supervise, followed up by the schools,
counted when late."""

from datetime import date, timedelta

from django.urls import reverse

from mutu.core.models import Notification
from mutu.cycle.models import Visit


def test_a_pengawas_records_a_visit_and_the_school_closes_its_follow_up(client, personas, schools):
    client.force_login(personas["pengawas"])
    data = {
        "visited_on": "2026-04-02", "schools": [schools["a"].pk], "findings": "RKAS belum memuat indikator",
        "recommendations": "Kaitkan kegiatan dengan rapor", "follow_up_due": "2026-04-30",
    }  # fmt: skip
    client.post(reverse("cycle:visits"), data)
    visit = Visit.objects.get()
    assert list(visit.schools.all()) == [schools["a"]]
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"kepsek_a", "tpmps_a"}
    client.post(reverse("cycle:visits"), data | {"schools": [schools["b"].pk]})  # not one of theirs
    assert Visit.objects.count() == 1
    client.force_login(personas["kepsek_b"])
    assert client.post(reverse("cycle:visit_follow_up", args=[visit.pk]), {"note": "x"}).status_code == 404
    client.force_login(personas["tpmps_a"])
    page = client.post(reverse("cycle:visit_follow_up", args=[visit.pk]), {"note": " "}, follow=True)
    assert "Tuliskan apa yang dilakukan" in page.content.decode()
    client.post(reverse("cycle:visit_follow_up", args=[visit.pk]), {"note": "RKAS direvisi, lihat versi 2"})
    visit.refresh_from_db()
    assert visit.follow_up == "selesai" and "versi 2" in visit.follow_up_note
    assert client.post(reverse("cycle:visits"), data).status_code == 403  # schools do not record visits


def test_late_follow_ups_are_counted_for_the_region(client, personas, schools):
    visit = Visit.objects.create(
        pengawas=personas["pengawas"], visited_on=date.today() - timedelta(days=30), findings="f",
        recommendations="r", follow_up_due=date.today() - timedelta(days=1),
    )  # fmt: skip
    visit.schools.set([schools["a"]])
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
    visit = Visit.objects.create(
        pengawas=personas["pengawas"], visited_on=date.today() - timedelta(days=30), findings="f",
        recommendations="r", follow_up_due=date.today() - timedelta(days=2),
    )  # fmt: skip
    visit.schools.set([schools["a"], schools["d"]])
    client.force_login(personas["dinas_kampar"])
    page = client.get(reverse("cycle:overview"), {"year": year}).content.decode()
    assert schools["a"].name in page and "perencanaan (batas" in page.lower()
    assert schools["d"].name not in page  # Jambi is outside Kampar's view
    client.force_login(personas["lpmp_jambi"])
    page = client.get(reverse("cycle:overview"), {"year": year}).content.decode()
    assert schools["d"].name in page and schools["a"].name not in page
    client.force_login(personas["dinas_pekanbaru"])
    assert "Tidak ada batas waktu" in client.get(reverse("cycle:overview")).content.decode()  # no cycle, no deadline
