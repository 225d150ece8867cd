"""The web import through the real database task queue and `db_worker`, as in production."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from mutu.schools.models import School, SchoolImport
from mutu.schools.tests.test_import import GOOD, HEADER


@pytest.mark.django_db(transaction=True)
def test_import_runs_in_db_worker(client, personas, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(personas["lpmp"])
    body = "\n".join(";".join(row) for row in [HEADER, *GOOD]).encode()
    client.post(reverse("schools:import"), {"file": SimpleUploadedFile("d.csv", body)})
    job = SchoolImport.objects.get()
    assert job.state == "reading"  # the upload is parsed by the worker, not in the web request
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    client.post(reverse("schools:import_job", args=[job.pk]), {f"col_{k}": str(v) for k, v in job.mapping.items()})
    job.refresh_from_db()
    assert job.state == "validating"
    page = client.get(reverse("schools:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page  # the page polls while the worker runs

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert (job.state, job.valid_rows) == ("validated", 3)

    client.post(reverse("schools:import_commit", args=[job.pk]))
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.state == "committed" and School.objects.filter(npsn__startswith="1049").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_a_failing_task_and_the_job_still_ends(client, personas, settings, monkeypatch):
    from mutu.schools import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(personas["lpmp"])
    body = "\n".join(";".join(row) for row in [HEADER, *GOOD]).encode()
    for name in ("satu.csv", "dua.csv"):
        client.post(reverse("schools:import"), {"file": SimpleUploadedFile(name, body)})
    first, second = SchoolImport.objects.order_by("pk")
    read_job = services.read_job

    def crash_on_first(job_id):
        if job_id == first.pk:
            raise MemoryError  # what no step catches: the task itself fails
        read_job(job_id)

    monkeypatch.setattr(services, "read_job", crash_on_first)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    second.refresh_from_db()
    assert second.state == "uploaded"  # the worker went on to the next task
    page = client.get(reverse("schools:import_job", args=[first.pk])).content.decode()
    first.refresh_from_db()
    assert first.state == "failed" and "berhenti tanpa hasil" in page
