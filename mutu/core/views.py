from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from mutu.accounts.permissions import Perm, active_memberships, require_perm

from . import documents, uploads
from .audit import action_label, describe
from .dashboard import section_for
from .exporters import CONTENT_TYPES
from .forms import AuditFilterForm
from .models import DocumentJob, Notification
from .selectors import audit_for_user, filter_audit


@require_safe
@login_required
def home(request):
    sections = [section_for(request.user, m) for m in active_memberships(request.user)]
    return render(request, "core/home.html", {"sections": sections})


@require_safe
@require_perm(Perm.AUDIT_VIEW)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries = audit_for_user(request.user)
    if form.is_valid():
        entries = filter_audit(entries, **form.cleaned_data)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [
        {"entry": entry, "action": action_label(entry.action), "changes": describe(entry)} for entry in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "core/audit_log.html", {"page": page, "rows": rows, "form": form, "query": query.urlencode()}
    )


@require_safe
def healthz(request):
    """For load balancers and monitoring: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def notifications(request):
    """The user's own notifications, newest first; posting marks them all read."""
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


def _document(request, pk):
    """A document job, only for whoever asked for it; one whose worker died is queued again (or
    ended as failed, when lost otherwise) here."""
    documents.recover()
    job = get_object_or_404(DocumentJob, pk=pk, requested_by=request.user)
    return documents.jobs.settle(job)


@require_safe
@login_required
def document(request, pk):
    """A document being drawn by the worker: its state (refreshed while it runs), then its download."""
    context = {"job": _document(request, pk), "document_days": settings.MUTU_DOCUMENT_DAYS}
    return render(request, "core/document.html", context)


@require_safe
@login_required
def document_download(request, pk):
    job = _document(request, pk)
    if job.state != DocumentJob.State.DONE or not job.file:
        raise Http404
    kinds = CONTENT_TYPES | {"pdf": "application/pdf"}
    return uploads.download(
        job.file, job.filename, kinds.get(job.filename.rsplit(".", 1)[-1], "application/octet-stream")
    )
