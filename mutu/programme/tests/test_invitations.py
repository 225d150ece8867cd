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
