"""A document whose worker dies while drawing it is drawn again by another worker (issue #24 §5): the
drawing worker holds the document's row lock (its lease) until the file is kept; once the worker is
dead, `recover_documents` queues it again, and the second worker makes it whole."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import stuck_worker
from mutu.core import documents, jobs
from mutu.core.models import DocumentJob

# A worker whose drawing of "test.document" never ends (it says when it is inside).
STUCK_WORKER = """
import pathlib, sys, time
import django
django.setup()
from django.core.management import call_command
from mutu.core import documents

def stuck(params):
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(600)

documents.BUILDERS["test.document"] = stuck
call_command("db_worker", "--no-startup-delay", "--interval", "0")
"""


@pytest.fixture
def quick_builder(monkeypatch):
    monkeypatch.setitem(documents.BUILDERS, "test.document", lambda params: (b"%PDF-1.4 dokumen", "dokumen.pdf", 1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lease is a PostgreSQL row lock")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_drawing_leaves_the_document_to_another(
    personas, settings, monkeypatch, tmp_path, quick_builder
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(jobs, "LEASE_GRACE", timedelta(0))
    job, _queued = documents.request(actor=personas["lpmp"], kind="test.document", params={}, title="Dokumen uji")
    with stuck_worker(STUCK_WORKER, tmp_path / "drawing"):
        job.refresh_from_db()
        assert job.state == "running" and documents.recover() == 0  # alive: its lease holds
    for _ in range(100):  # its connection goes with it, and the lock with the connection
        if documents.recover():
            break
        time.sleep(0.1)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("queued", 1) and "berhenti" in job.failure
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert (job.state, job.attempts, job.failure) == ("done", 2, "")
    assert job.file.read() == b"%PDF-1.4 dokumen"


@pytest.mark.django_db
def test_a_document_whose_worker_died_twice_ends_saying_so(personas, monkeypatch, quick_builder):
    monkeypatch.setattr(jobs, "LEASE_GRACE", timedelta(0))
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", True)  # the PostgreSQL path
    job = DocumentJob.objects.create(kind="test.document", key="k", title="Dokumen uji", requested_by=personas["lpmp"])
    assert jobs.advance(job, "start") and jobs.advance(job, "retry", "x") and jobs.advance(job, "start")
    assert documents.recover() == 1
    job.refresh_from_db()
    assert job.state == "failed" and "dua kali" in job.failure


@pytest.mark.django_db
def test_on_sqlite_there_is_no_lease_and_nothing_is_recovered(personas, monkeypatch, quick_builder):
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    job = DocumentJob.objects.create(kind="test.document", key="k", title="Dokumen uji", requested_by=personas["lpmp"])
    jobs.advance(job, "start")
    assert documents.recover() == 0  # a dead worker's document waits for the timeout (jobs.settle)
    job.refresh_from_db()
    assert job.state == "running" and job.attempts == 1
