"""Documents drawn by the worker instead of a web request: the web process stays small and within its
timeout however large the event or region. An app registers a builder per kind; a request makes one
job per user and kind with its parameters (a double click or a retry queues nothing more), the worker
draws it into a file, and its page shows the state until the file is downloaded by whoever asked.
The file is kept for MUTU_DOCUMENT_DAYS after it is made (`prune`).
A job that never ends (a killed worker) is ended as failed when its page is opened (`jobs.settle`)."""

import json
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import jobs
from .models import DocumentJob

BUILDERS = {}


def builder(kind):
    """Register `function(params) -> (pdf bytes, filename, pages)` for the kind of document."""

    def register(function):
        BUILDERS[kind] = function
        return function

    return register


def request(*, actor, kind, params, title):
    """The user's job for this document: the one under way, or a new one queued for the worker."""
    from .tasks import draw_document

    key = f"{kind}:{json.dumps(params, sort_keys=True)}"
    for active in DocumentJob.objects.filter(requested_by=actor, key=key, state__in=DocumentJob.ACTIVE):
        jobs.settle(active)  # one whose worker is gone ends here, so asking again starts anew
    try:
        with transaction.atomic():
            job = DocumentJob.objects.create(kind=kind, params=params, key=key, title=title, requested_by=actor)
    except IntegrityError:  # already queued or being drawn for this user
        return DocumentJob.objects.get(requested_by=actor, key=key, state__in=DocumentJob.ACTIVE), False
    transaction.on_commit(lambda: jobs.queue(job, draw_document))
    return job, True


def draw(job_id):
    """The worker's side: draw the document with its kind's builder and keep the file."""
    job = DocumentJob.objects.get(pk=job_id)
    if not jobs.advance(job, "start"):
        return
    try:
        pdf, filename, pages = BUILDERS[job.kind](job.params)
    except Exception as exc:  # every job ends, with its reason
        jobs.advance(job, "fail", _("The document could not be made: %(kind)s.") % {"kind": type(exc).__name__})
        raise
    jobs.advance(job, "finish", filename, ContentFile(pdf), pages)


def prune(now=None):
    """Remove the files of documents finished more than MUTU_DOCUMENT_DAYS ago (run daily by
    `manage.py prune_documents`); their page then says so, and asking again draws them anew.
    Returns how many were removed."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MUTU_DOCUMENT_DAYS)
    removed = 0
    for job in DocumentJob.objects.filter(state=DocumentJob.State.DONE, finished_at__lt=cutoff).iterator():
        removed += jobs.advance(job, "expire")
    return removed
