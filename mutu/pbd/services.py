"""Writes of the Rapor Pendidikan: uploads are stored, then read, checked and saved by the worker."""

import logging
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core import jobs, uploads

from . import importing
from .models import RaporImport

logger = logging.getLogger(__name__)


class RaporError(Exception):
    """A request that cannot be done; the message says why, for people."""


def start_import(*, actor, upload, year=None, npsn="", dry_run=False):
    """Store an uploaded download and queue its reading in the worker."""
    from .tasks import import_rapor

    try:
        uploads.check_named(upload, ["xlsx", "csv"])
    except uploads.UploadRefused as exc:
        raise RaporError(str(exc)) from exc
    job = RaporImport.objects.create(
        uploaded_by=actor,
        original_name=upload.name[:255],
        file=upload,
        year_given=year,
        npsn_given=npsn,
        dry_run=dry_run,
    )
    jobs.queue(job, import_rapor)
    return job


def run_import_job(job_id):
    """The worker's step: the file is read and checked outside any transaction, saved in one."""
    job = RaporImport.objects.select_related("uploaded_by").get(pk=job_id)
    if not jobs.advance(job, "start"):
        return
    try:
        with tempfile.NamedTemporaryFile(suffix=Path(job.file.name).suffix.lower()) as handle:
            with job.file.open("rb") as stored:
                for chunk in stored.chunks():
                    handle.write(chunk)
            handle.flush()
            report = importing.run(
                handle.name,
                scope=area_for(job.uploaded_by, Perm.RP_IMPORT),
                actor=job.uploaded_by,
                original_name=job.original_name,
                year=job.year_given,
                npsn=job.npsn_given,
                commit=not job.dry_run,
                job=job,
            )
    except Exception:
        logger.exception("Rapor Pendidikan import %s failed", job.pk)
        jobs.advance(job, "fail", _(jobs.UNEXPECTED))
        raise
    jobs.advance(job, "finish" if report.saved or (job.dry_run and not report.errors) else "refuse", report)
