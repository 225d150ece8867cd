"""Every background job moves through its django-fsm-2 machine with `jobs.advance`: one way, once."""

import pytest
from django.core.files.base import ContentFile

from mutu.core import jobs
from mutu.core.models import DocumentJob
from mutu.schools.models import SchoolImport


@pytest.fixture
def job(personas):
    return DocumentJob.objects.create(kind="test", key="test:{}", title="Surat", requested_by=personas["lpmp"])


def test_a_job_is_taken_by_one_worker_only(job):
    first, second = DocumentJob.objects.get(pk=job.pk), DocumentJob.objects.get(pk=job.pk)
    assert jobs.advance(first, "start")
    assert not jobs.advance(second, "start")  # read while queued, but another worker took it meanwhile
    assert second.state == "running"  # and it now sees the job as it stands
    assert not jobs.advance(second, "start")


def test_a_move_saves_what_it_changed_and_nothing_else(job):
    jobs.advance(job, "start")
    DocumentJob.objects.filter(pk=job.pk).update(task_id="task-7")  # written by the queue meanwhile
    assert jobs.advance(job, "finish", "surat.pdf", ContentFile(b"%PDF-1.7"), 3)
    job = DocumentJob.objects.get(pk=job.pk)
    assert (job.state, job.pages, job.filename, job.task_id) == ("done", 3, "surat.pdf", "task-7")
    assert job.file.read() == b"%PDF-1.7" and job.finished_at


def test_a_finished_job_cannot_fail_nor_be_set_by_hand(job):
    jobs.advance(job, "start")
    jobs.advance(job, "finish", "a.pdf", ContentFile(b"x"), 1)
    assert not jobs.advance(job, "fail", "late")
    assert DocumentJob.objects.get(pk=job.pk).failure == ""
    with pytest.raises(AttributeError):
        job.state = "queued"  # protected: only a transition moves it


def test_a_lost_step_ends_the_job_as_failed(job, settings):
    settings.MUTU_IMPORT_TIMEOUT_MINUTES = 0
    jobs.advance(job, "start")
    settled = jobs.settle(DocumentJob.objects.get(pk=job.pk))
    assert settled.state == "failed" and "berhenti" in DocumentJob.objects.get(pk=job.pk).failure


def test_an_import_commits_only_when_its_check_allows(personas):
    job = SchoolImport.objects.create(uploaded_by=personas["lpmp"], original_name="a.csv", state="validated")
    assert not jobs.advance(job, "commit")  # no valid row: the condition refuses
    SchoolImport.objects.filter(pk=job.pk).update(valid_rows=3)
    job = SchoolImport.objects.get(pk=job.pk)
    assert jobs.advance(job, "commit") and job.state == "committing"
