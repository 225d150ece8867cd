"""Documents drawn by the worker instead of a web request: the web process stays small and within its
timeout however large the event or region. An app registers a builder per kind; a request makes one
job per user and kind with its parameters (a double click or a retry queues nothing more), the worker
draws it into a file, and its page shows the state until the file is downloaded by whoever asked.
Large exports (a nation's scores, raw responses, school lists) are such documents too: an app
registers how to rebuild the export in the asking user's scope (`exporter`) and asks for it with
`export_response`, which makes it in the request when it holds at most EXPORT_ROWS_IN_REQUEST rows.
The file is kept for MUTU_DOCUMENT_DAYS after it is made (`prune`).
A job that never ends (a killed worker) is ended as failed when its page is opened (`jobs.settle`)."""

import json
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from . import jobs
from .exporters import csv_dialect
from .models import DocumentJob

BUILDERS = {}
EXPORTERS = {}
EXPORT = DocumentJob.EXPORT
EXPORT_ROWS_IN_REQUEST = 5000  # an export of more rows is made by the worker
EXPORT_FORMATS = ("csv", "xlsx")


def builder(kind):
    """Register `function(params) -> (content, filename, pages)` for the kind of document; the
    content is bytes or a file."""

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
    """The worker's side: draw the document with its kind's builder and keep the file, holding the
    job's lease meanwhile (a worker that dies leaves it to `recover`)."""
    job = DocumentJob.objects.get(pk=job_id)
    if not jobs.advance(job, "start"):
        return
    try:
        with jobs.lease(DocumentJob, job.pk) as held:
            if held is None:
                return
            content, filename, pages = BUILDERS[held.kind](held.params)
            content = ContentFile(content) if isinstance(content, bytes) else content
            with content:
                jobs.advance(held, "finish", filename, content, pages)
    except Http404:  # the asker's scope, read again now, no longer holds these data
        jobs.advance(job, "fail", _("These data are no longer in your scope: nothing was made."))
    except Exception as exc:  # every job ends, with its reason
        jobs.advance(job, "fail", _("The document could not be made: %(kind)s.") % {"kind": type(exc).__name__})
        raise


def recover():
    """Documents whose worker died while drawing them, queued again (see `jobs.recover`)."""
    from .tasks import draw_document

    return jobs.recover(DocumentJob, draw_document)


def exporter(name):
    """Register `function(user, params) -> ListExporter`: the export rebuilt by the worker in the
    scope of the user who asked (it refuses, as the page would, what the user may no longer see)."""

    def register(function):
        EXPORTERS[name] = function
        return function

    return register


def export_response(request_, *, name, params, fmt):
    """The registered export `name` as a download, or when it holds more than EXPORT_ROWS_IN_REQUEST
    rows (one bounded count), a job for the worker: the redirect to its page."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    export = EXPORTERS[name](request_.user, params)
    dialect = csv_dialect(request_)
    if export.source().order_by()[: EXPORT_ROWS_IN_REQUEST + 1].count() <= EXPORT_ROWS_IN_REQUEST:
        return export.xlsx_response() if fmt == "xlsx" else export.csv_response(dialect)
    params = params | {"export": name, "user": request_.user.pk, "format": fmt, "dialect": dialect}
    title = f"{export.title or export.filename} ({fmt.upper()})"
    job, _queued = request(actor=request_.user, kind=EXPORT, params=params, title=title[:200])
    return redirect("document", pk=job.pk)


@builder(EXPORT)
def _draw_export(params):
    from mutu.accounts.models import User

    export = EXPORTERS[params["export"]](User.objects.get(pk=params["user"]), params)
    handle = tempfile.TemporaryFile()
    rows = export.write(handle, params["format"], params["dialect"])
    handle.seek(0)
    return File(handle), f"{export.filename}.{params['format']}", rows


def prune(now=None):
    """Remove the files of documents finished more than MUTU_DOCUMENT_DAYS ago (run daily by
    `manage.py prune_documents`); their page then says so, and asking again draws them anew.
    Returns how many were removed."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MUTU_DOCUMENT_DAYS)
    removed = 0
    for job in DocumentJob.objects.filter(state=DocumentJob.State.DONE, finished_at__lt=cutoff).iterator():
        removed += jobs.advance(job, "expire")
    return removed
