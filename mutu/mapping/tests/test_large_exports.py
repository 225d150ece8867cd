"""An export of more than EXPORT_ROWS_IN_REQUEST rows (a nation's scores, raw responses, a region's
or the nation's school list) is made by the worker in the asking user's scope: the request answers
with the job's page, the file is the one the request would have sent, downloaded by whoever asked."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mutu.core import documents
from mutu.core.models import DocumentJob


def body(response):
    return b"".join(response.streaming_content)


def through_the_worker(client, url, params, monkeypatch, capture):
    """(the file sent in the request, the job made when every export counts as large, its download)."""
    inline = client.get(url, params)
    assert inline.status_code == 200 and not DocumentJob.objects.exists()
    monkeypatch.setattr(documents, "EXPORT_ROWS_IN_REQUEST", 0)
    with capture(execute=True):
        response = client.get(url, params)
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("document", args=[job.pk])
    job.refresh_from_db()
    assert job.state == "done", job.failure
    return inline, job, client.get(reverse("document_download", args=[job.pk]))


@pytest.mark.parametrize("what", ["scores", "responses"])
def test_a_large_csv_export_is_the_same_file_made_by_the_worker(
    client, personas, scored_round, what, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(personas["lpmp"])
    url = reverse("mapping:export", args=[scored_round.pk, what])
    inline, job, download = through_the_worker(client, url, {}, monkeypatch, django_capture_on_commit_callbacks)
    assert body(download) == body(inline)
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert job.filename.endswith(".csv") and job.requested_by == personas["lpmp"] and job.pages > 0
    page = client.get(reverse("document", args=[job.pk])).content.decode()
    assert f"{job.pages} baris" in page and "Unduh" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.get(url, {"csv": "standard"})  # another convention: another file
    assert again.status_code == 302 and DocumentJob.objects.count() == 2
    standard = DocumentJob.objects.exclude(pk=job.pk).get()
    assert b"," in body(client.get(reverse("document_download", args=[standard.pk]))).split(b"\n")[0]
    client.force_login(personas["lpmp_jambi"])  # somebody else's file
    assert client.get(reverse("document_download", args=[job.pk])).status_code == 404


def test_raw_responses_stay_refused_outside_the_analysts(client, personas, scored_round, monkeypatch):
    monkeypatch.setattr(documents, "EXPORT_ROWS_IN_REQUEST", 0)
    client.force_login(personas["dinas_kampar"])
    assert client.get(reverse("mapping:export", args=[scored_round.pk, "responses"])).status_code == 404
    client.force_login(personas["lpmp_jambi"])  # an analyst, of another province's round
    assert client.get(reverse("mapping:export", args=[scored_round.pk, "scores"])).status_code == 404
    assert not DocumentJob.objects.exists()


def test_the_worker_refuses_what_the_user_may_no_longer_see(
    client, personas, scored_round, monkeypatch, django_capture_on_commit_callbacks
):
    """The scope is read again when the file is made: a membership ended meanwhile fails the job."""
    monkeypatch.setattr(documents, "EXPORT_ROWS_IN_REQUEST", 0)
    client.force_login(personas["lpmp"])
    with django_capture_on_commit_callbacks() as queued:
        client.get(reverse("mapping:export", args=[scored_round.pk, "responses"]))
    personas["lpmp"].memberships.update(valid_to=date.today() - timedelta(days=1))
    queued[0]()
    job = DocumentJob.objects.get()
    assert job.state == "failed" and not job.file and "tidak lagi dalam cakupan Anda" in job.failure


def test_a_large_region_xlsx_is_made_by_the_worker(
    client, personas, scored_round, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(personas["dinas_kampar"])
    url = reverse("mapping:region", args=[scored_round.pk, "province", "14"])
    inline, job, download = through_the_worker(
        client, url, {"format": "xlsx"}, monkeypatch, django_capture_on_commit_callbacks
    )
    files = body(inline), body(download)
    sheets = [list(load_workbook(io.BytesIO(made), read_only=True).worksheets[0].values) for made in files]
    assert sheets[0] == sheets[1] and any(row[0] == "10400001" for row in sheets[1])
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not any(row[0] == "10400002" for row in sheets[1])  # Pekanbaru: outside the dinas's scope


def test_a_large_school_list_keeps_its_filters_and_scope(
    client, personas, schools, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(personas["lpmp"])
    url = reverse("schools:export", args=["csv"])
    inline, job, download = through_the_worker(
        client, url, {"level": "SD", "csv": "standard"}, monkeypatch, django_capture_on_commit_callbacks
    )
    made = body(download)
    rows = made.decode().splitlines()
    assert made == body(inline) and job.pages == len(rows) - 1 == 2  # SD 001 and SD 002 of Riau
    assert "10500001" not in made.decode()  # Jambi: another province
