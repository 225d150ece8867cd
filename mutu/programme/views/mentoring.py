"""Mentoring events: the event and its sessions, materials, participants (rosters, imports) and the
invitation letters."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.models import Membership, Role, User
from mutu.accounts.permissions import Perm, require_perm
from mutu.core import jobs, uploads
from mutu.core.saving import refused, save

from .. import certificates, events, selectors
from ..documents import request_invitations
from ..forms import (
    CodeForm,
    EventForm,
    ImportForm,
    MaterialForm,
    RosterForm,
    SessionForm,
)
from ..models import (
    AttendanceCode,
    EventMaterial,
    ParticipantImport,
    Session,
)
from .common import Error, _cohort, _event, _number, _run_event, _without


def _facilitators(cohort):
    ids = (
        Membership.objects.active()
        .filter(Q(role=Role.FASILITATOR) | Q(role=Role.ADMIN_LPMP, province=cohort.province_id))
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("full_name", "username")


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def event_list(request, pk):
    cohort = _cohort(request, pk)
    manages = selectors.manages(request.user, cohort)
    form = EventForm(request.POST or None, facilitators=_facilitators(cohort)) if manages else None
    if request.method == "POST":
        if form is None:
            raise Http404
        event = save(
            request,
            form,
            lambda data: events.save_event(
                actor=request.user,
                cohort=cohort,
                data=_without(data, "facilitators"),
                facilitators=data["facilitators"],
            ),
            lambda _event: _("The event is created: add its sessions and participants."),
        )
        if event:
            return redirect("programme:event", pk=event.pk)
    rows = selectors.events_for(request.user).filter(cohort=cohort).annotate(n=Count("participants"))
    return render(request, "programme/events.html", {"cohort": cohort, "events": rows, "form": form})


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def event_page(request, pk):
    event = _event(request, pk)
    runs = selectors.runs(request.user, event)
    manages = selectors.manages(request.user, event.cohort)
    participants = selectors.participants_for(request.user, event)
    query = request.GET.get("q", "").strip()[:100]
    total = participants.count()
    if query:
        found = Q(name__icontains=query) | Q(school__npsn=query) | Q(nip=query)
        if runs:  # who runs the event hands out the personal codes and looks them up
            found |= Q(code=query.upper())
        participants = participants.filter(found)
    if manages:
        participants = events.with_kept(participants)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    sessions = list(event.sessions.prefetch_related("regencies").annotate(n=Count("participants")))
    for session in sessions:  # one code form per session, each with its own field ids
        today = (timezone.localdate() - session.starts_on).days + 1 if session.starts_on else 1
        day = today if 1 <= today <= event.days else 1  # the code most often opened is today's
        session.code_form = CodeForm(prefix=f"c{session.pk}", initial={"day": day}) if runs else None
    province = event.cohort.province_id
    context = {
        "event": event,
        "cohort": event.cohort,
        "runs": runs,
        "manages": manages,
        "page": page,
        "q": query,
        "total": total,
        "query": f"q={query}" if query else "",
        "sessions": sessions,
        "unsessioned": event.participants.filter(session__isnull=True).count(),
        "materials": event.materials.all(),
        "imports": event.imports.all()[:5] if manages else [],
        # One page, several forms: each its own ids, so that every label points at its own field.
        "event_form": EventForm(
            instance=event,
            facilitators=_facilitators(event.cohort),
            initial={"facilitators": list(event.facilitators.all())},
        )
        if manages
        else None,
        "session_form": SessionForm(province=province, auto_id="new_session_%s") if manages else None,
        "session_forms": [(s, SessionForm(instance=s, province=province, prefix=f"s{s.pk}")) for s in sessions]
        if manages
        else [],
        "material_form": MaterialForm() if manages else None,
        "roster_form": RosterForm(rosters=events.ROSTERS, province=province, auto_id="roster_%s") if manages else None,
        "import_form": ImportForm(auto_id="import_%s") if manages else None,
        "codes": AttendanceCode.objects.filter(session__event=event).select_related("session")[:10] if runs else [],
        "certificate_count": event.certificates.count(),
        "revoked": event.certificates.filter(revoked_at__isnull=False).aggregate(n=Count("id"), last=Max("revoked_at")),
        "eligible_count": certificates.eligible(event).count() if runs else None,
        "columns": events.COLUMNS,
    }
    return render(request, "programme/event.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def event_edit(request, pk):
    event = _event(request, pk)
    form = EventForm(request.POST, instance=event, facilitators=_facilitators(event.cohort))
    if not selectors.manages(request.user, event.cohort):
        raise Http404
    save(
        request,
        form,
        lambda data: events.save_event(
            actor=request.user,
            cohort=event.cohort,
            data=_without(data, "facilitators"),
            facilitators=data["facilitators"],
            event=event,
        ),
    )
    return redirect("programme:event", pk=pk)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def session_save(request, pk, session=None):
    event = _run_event(request, pk)
    instance = get_object_or_404(Session, event=event, pk=session) if session else None
    form = SessionForm(
        request.POST, instance=instance, province=event.cohort.province_id, prefix=f"s{session}" if session else None
    )
    save(
        request,
        form,
        lambda data: events.save_session(
            actor=request.user,
            event=event,
            data=_without(data, "regencies"),
            regencies=list(data["regencies"]),
            session=instance,
        ),
    )
    return redirect(reverse("programme:event", args=[pk]) + "#sessions")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def material_add(request, pk):
    event = _run_event(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: events.add_material(actor=request.user, event=event, title=data["title"], upload=data["file"]),
    )
    return redirect(reverse("programme:event", args=[pk]) + "#materials")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def material(request, pk, material):
    event = _event(request, pk)
    item = get_object_or_404(EventMaterial, event=event, pk=material)
    return uploads.download(item.file, item.original_name)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def roster_add(request, pk):
    event = _run_event(request, pk)
    form = RosterForm(request.POST, rosters=events.ROSTERS, province=event.cohort.province_id)
    covered = [r for s in event.sessions.prefetch_related("regencies") for r in s.regencies.all()]
    save(
        request,
        form,
        lambda data: events.add_from_roster(
            actor=request.user, event=event, role=data["role"], regencies=list(data["regencies"]) or covered
        ),
        lambda added: (
            _("%(count)s participants added.") % {"count": added}
            if added
            else _("Nobody was added: everyone on this roster is registered already, or the roster is empty.")
        ),
    )
    return redirect(reverse("programme:event", args=[pk]) + "#participants")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def participant_import(request, pk):
    event = _run_event(request, pk)
    form = ImportForm(request.POST, request.FILES)
    job = save(
        request,
        form,
        lambda data: events.queue_import(actor=request.user, event=event, upload=data["file"], dry_run=data["dry_run"]),
        lambda _job: _("File received."),
    )
    if job is None:
        return redirect(reverse("programme:event", args=[pk]) + "#participants")
    return redirect("programme:import_job", pk=job.pk)


@require_safe
@require_perm(Perm.PROGRAMME_MANAGE)
def import_job(request, pk):
    job = get_object_or_404(ParticipantImport.objects.select_related("event__cohort"), pk=pk)
    if not selectors.manages(request.user, job.event.cohort):
        raise Http404
    job = jobs.settle(job)
    return render(request, "programme/import_job.html", {"job": job, "event": job.event})


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def participant_remove(request, pk, participant):
    event = _run_event(request, pk)
    try:
        events.remove_participant(actor=request.user, participant=get_object_or_404(event.participants, pk=participant))
        messages.success(request, _("The participant is removed."))
    except Error as exc:
        refused(request, exc)
    return redirect(reverse("programme:event", args=[pk]) + "#participants")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def participant_template(request):
    """The participant file's columns, as a CSV template (Excel Indonesia: `;` and a BOM)."""
    header = ";".join(str(c.label) for c in events.COLUMNS)
    response = HttpResponse("\ufeff" + header + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="template-peserta.csv"'
    return response


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def invitations(request, pk):
    """The invitation letters of the event's participants (each with the personal attendance code), as
    one PDF drawn by the worker; only the LPMP running the event's cohort (or pusat) asks for them."""
    event = _event(request, pk)
    if not selectors.manages(request.user, event.cohort):
        raise Http404
    try:
        job, _queued = request_invitations(
            actor=request.user,
            event=event,
            session=_number(request.POST.get("session")) or None,
            link=request.build_absolute_uri(reverse("check_in")),
        )
    except Error as exc:
        messages.error(request, str(exc))
        return redirect("programme:event", pk=event.pk)
    return redirect("document", pk=job.pk)
