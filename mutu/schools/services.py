"""Every write to schools: edits, and the import workflow (upload → map → check → save)."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core import jobs, uploads
from mutu.core.services import model_changes, record_audit
from mutu.core.signals import results_changed

from . import importing
from .models import School, SchoolImport

logger = logging.getLogger(__name__)

# Attribute names compared for the audit trail.
EDITABLE_FIELDS = [
    "name",
    "level",
    "status",
    "district_id",
    "address",
    "accreditation",
    "latitude",
    "longitude",
    "principal_name",
]


@transaction.atomic
def update_school(*, actor, school, data):
    """Apply cleaned form data to a school and audit the difference; no-op saves write nothing.

    The old values are read from the database: a bound ModelForm has already copied the new ones
    onto `school`.
    """
    before = School.objects.filter(pk=school.pk).values(*EDITABLE_FIELDS, "province_id").get()
    for name, value in data.items():
        setattr(school, name, value)
    changes = model_changes(school, EDITABLE_FIELDS, before)
    if changes:
        school.save()
        record_audit(actor=actor, action="school.update", obj=school, changes=changes, province_id=school.province_id)
        if {"district_id", "level"} & set(changes):  # counted in another kab/kota or jenjang now
            from mutu.mapping.services import refresh_open_rounds

            refresh_open_rounds([school.province_id, before["province_id"]])
            results_changed.send(School, province_ids=[school.province_id, before["province_id"]])
    return changes


def start_import(*, actor, upload):
    """Store an uploaded file and queue the reading of its header row (in the worker, like every parse).
    Raises ImportFileError with a user message when the size or type is wrong."""
    try:
        uploads.check_named(upload, {"csv", "xlsx"})
    except uploads.UploadRefused as exc:
        raise importing.ImportFileError(str(exc)) from exc
    job = SchoolImport(uploaded_by=actor, original_name=upload.name[:255], state=SchoolImport.State.READING)
    job.file.save(upload.name, upload, save=False)
    job.save()
    from .tasks import read_import

    jobs.queue(job, read_import)
    return job


def set_mapping(*, job, mapping, all_or_nothing):
    """Record the column mapping and queue the check. Repeated submits while busy change nothing."""
    job = SchoolImport.objects.get(pk=job.pk)
    if jobs.advance(job, "validate", mapping, all_or_nothing):
        from .tasks import validate_import

        jobs.queue(job, validate_import)
    return job


def request_commit(*, job):
    """Queue the save of a checked import; a second click finds it already queued or saved."""
    job = SchoolImport.objects.get(pk=job.pk)
    if jobs.advance(job, "commit"):
        from .tasks import commit_import

        jobs.queue(job, commit_import)
    return job


def settle(job):
    """The job, ended as failed if its step can no longer finish (mutu/core/jobs.py)."""
    return jobs.settle(job)


def _mapping(job):
    return {key: int(index) for key, index in job.mapping.items()}


def _guarded(job, work):
    """Run one import step so that it always ends: a whole-file problem marks the job failed with its
    message, anything unexpected with a general one (and the log keeps the traceback)."""
    try:
        return work()
    except importing.ImportFileError as exc:
        jobs.advance(job, "fail", str(exc))
    except Exception:
        logger.exception("School import %s failed", job.pk)
        jobs.advance(job, "fail", _(jobs.UNEXPECTED))
    return None


def read_job(job_id):
    job = SchoolImport.objects.get(pk=job_id)
    if job.state != SchoolImport.State.READING:
        return

    def work():
        headers = importing.read_headers(job.file.path)
        jobs.advance(job, "read", headers, importing.encoding_name(job.file.path), importing.guess_mapping(headers))
        return job

    _guarded(job, work)


def validate_job(job_id):
    job = SchoolImport.objects.select_related("uploaded_by").get(pk=job_id)
    if job.state != SchoolImport.State.VALIDATING:
        return
    scope = area_for(job.uploaded_by, Perm.SCHOOL_IMPORT)
    report = _guarded(job, lambda: importing.run_import(job.file.path, _mapping(job), scope=scope))
    if report is not None:
        jobs.advance(job, "checked", report)


def commit_job(job_id):
    job = SchoolImport.objects.select_related("uploaded_by").get(pk=job_id)
    if job.state != SchoolImport.State.COMMITTING:
        return
    scope = area_for(job.uploaded_by, Perm.SCHOOL_IMPORT)

    def audit(report):
        province_id = next(iter(report.province_ids)) if len(report.province_ids) == 1 else None
        record_audit(
            actor=job.uploaded_by,
            action="school.import",
            obj=job,
            changes={"created": report.created, "updated": report.updated, "rejected": report.rejected_rows},
            province_id=province_id,
        )

    report = _guarded(
        job,
        lambda: importing.run_import(
            job.file.path,
            _mapping(job),
            scope=scope,
            commit=True,
            all_or_nothing=job.all_or_nothing,
            in_transaction=audit,
        ),
    )
    if report is not None:
        jobs.advance(job, "committed" if report.committed else "checked", report)
        if report.committed and (report.created or report.updated):
            from mutu.mapping.services import refresh_open_rounds

            refresh_open_rounds(report.province_ids)
            results_changed.send(School, province_ids=report.province_ids)
