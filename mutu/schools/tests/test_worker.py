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
