"""Invitation letters are drawn by the worker, never inside a request, and only for the LPMP that runs
the event's cohort: a facilitator of the event who is also the LPMP of another province gets nothing."""

from datetime import date, timedelta

from django.urls import reverse

from mutu.accounts.models import Membership
from mutu.core.models import DocumentJob
from mutu.programme.models import Participant


def add_people(event, schools, n=3):
    session = event.sessions.get()
    for i in range(n):
        Participant.objects.create(
            event=event,
            session=session,
            name=f"Peserta {i}",
            role="guru",
            regency=schools["a"].regency,
            school=schools["a"],
            key=f"p{i}",
            code=f"KODE{i}ABC",
        )


def test_the_letters_are_a_worker_job_the_requester_downloads(
    client, personas, event, schools, django_capture_on_commit_callbacks
):
    add_people(event, schools)
    client.force_login(personas["lpmp"])
    url = reverse("programme:invitations", args=[event.pk])
    assert client.get(url).status_code == 405  # never drawn by a GET inside the request
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url)
        client.post(url)  # a double click is the same job
    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("document", args=[job.pk]) and job.state == "queued"
    page = client.get(response["Location"]).content.decode()
    assert "dalam antrean" in page
    assert client.get(reverse("document_download", args=[job.pk])).status_code == 404  # not ready yet
    for callback in queued[:1]:
        callback()  # the worker draws it (the immediate task backend runs it here)
    job.refresh_from_db()
    assert job.state == "done" and job.pages == 3 and job.params["link"].endswith("/hadir/")
    download = client.get(reverse("document_download", args=[job.pk]))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"%PDF")
    assert "3 halaman" in client.get(reverse("document", args=[job.pk])).content.decode()
    # Another user, even of the same LPMP, does not see someone else's document.
    client.force_login(personas["pusat"])
    assert client.get(reverse("document_download", args=[job.pk])).status_code == 404


def test_a_facilitator_who_is_lpmp_elsewhere_gets_no_letters(client, personas, event, schools):
    add_people(event, schools)
    jambi = personas["lpmp_jambi"].memberships.get().province
    Membership.objects.create(
        user=personas["fasilitator"], role="admin_lpmp", province=jambi, valid_from=date.today() - timedelta(days=1)
    )
    client.force_login(personas["fasilitator"])
    assert client.post(reverse("programme:invitations", args=[event.pk])).status_code == 404
    assert not DocumentJob.objects.exists()


def test_a_drawn_document_is_kept_for_the_configured_days_then_removed(
    client, personas, event, schools, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Each letter carries its own participant's name and code; the file goes after its days."""
    from django.core.management import call_command

    from mutu.cycle.tests.test_documents import pdf_text

    add_people(event, schools, n=2)
    client.force_login(personas["lpmp"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programme:invitations", args=[event.pk]))
    job = DocumentJob.objects.get()
    assert job.state == "done"
    letters = pdf_text(tmp_path, job.file.read()).split("\f")
    assert ["Peserta 0" in letters[0], "KODE0ABC" in letters[0]] == [True, True]
    assert ["Peserta 1" in letters[1], "KODE1ABC" in letters[1], "Peserta 0" in letters[1]] == [
        True,
        True,
        False,
    ]
    stored = job.file.name
    page = client.get(reverse("document", args=[job.pk])).content.decode()
    from django.utils import timezone

    assert f"Disimpan sampai {timezone.localtime(job.kept_until):%-d} " in page  # the day in Mutu's time zone

    settings.MUTU_DOCUMENT_DAYS = 7
    DocumentJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - timedelta(days=6))
    call_command("prune_documents")
    assert DocumentJob.objects.get(pk=job.pk).state == "done"  # six days: still kept
    DocumentJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - timedelta(days=8))
    call_command("prune_documents")
    job.refresh_from_db()
    assert job.state == "expired" and not job.file and not job.file.storage.exists(stored)
    assert client.get(reverse("document_download", args=[job.pk])).status_code == 404
    page = client.get(reverse("document", args=[job.pk])).content.decode()
    assert "Berkas ini dihapus 7 hari setelah dibuat" in page
    call_command("prune_documents")  # again: nothing more happens
    assert DocumentJob.objects.get(pk=job.pk).state == "expired"


def test_letters_of_nobody_or_of_another_events_session_are_refused(client, personas, event, schools, cohort):
    from mutu.programme import events

    client.force_login(personas["lpmp"])
    url = reverse("programme:invitations", args=[event.pk])
    response = client.post(url, follow=True)
    assert "Belum ada peserta untuk diundang" in response.content.decode() and not DocumentJob.objects.exists()
    add_people(event, schools, n=1)
    other = events.save_event(
        actor=personas["lpmp"],
        cohort=cohort,
        data={"name": "Lain", "kind": "bimtek", "mode": "daring", "days": 1, "hours": 8},
    )
    elsewhere = events.save_session(
        actor=personas["lpmp"], event=other, data={"name": "Sesi lain"}, regencies=[schools["a"].regency]
    )
    response = client.post(url, {"session": elsewhere.pk}, follow=True)
    assert "Sesi ini bukan sesi kegiatan ini" in response.content.decode() and not DocumentJob.objects.exists()
    session = event.sessions.get()
    client.post(url, {"session": session.pk})
    assert DocumentJob.objects.get().title.endswith(session.name)
