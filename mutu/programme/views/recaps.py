"""The participant recap, and certificates: made, downloaded, revoked and verified by anyone."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.core import uploads
from mutu.core.pdf import pdf_response, render_pdf
from mutu.core.saving import refused
from mutu.core.throttle import address_usage, locked_minutes

from .. import certificates, recap, selectors
from ..forms import (
    VerifyForm,
)
from ..models import (
    Certificate,
)
from .common import Error, _cohort, _event, _number, _run_event


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def recap_page(request, pk):
    """The recap of a whole cohort, one stage (`?tahap=`) or one event (`?event=`); `?hadir=1` counts
    those who attended; `?format=xlsx|pdf` downloads it."""
    cohort = _cohort(request, pk)
    visible = selectors.events_for(request.user).filter(cohort=cohort)
    scope_events = visible
    title = _("Participants of %(cohort)s") % {"cohort": cohort.name}
    event_id, stage = _number(request.GET.get("event")), _number(request.GET.get("tahap"))
    if event_id:
        event = get_object_or_404(visible, pk=event_id)
        scope_events = visible.filter(pk=event.pk)
        title = _("Participants of %(event)s") % {"event": event.name}
    elif stage:
        scope_events = visible.filter(stage=stage)
        title = _("Participants of stage %(stage)s of %(cohort)s") % {"stage": stage, "cohort": cohort.name}
    attended = request.GET.get("hadir") == "1"
    participants = selectors.participants_in(request.user, scope_events)
    table = recap.build(participants, title=title + (" — " + _("attended") if attended else ""), attended=attended)
    filename = (
        f"rekap-{cohort.pk}"
        + (f"-kegiatan-{event_id}" if event_id else "")
        + (f"-tahap-{stage}" if stage and not event_id else "")
        + ("-hadir" if attended else "")
    )
    context = {
        "cohort": cohort,
        "recap": table,
        "events": visible,
        "stages": sorted(set(visible.values_list("stage", flat=True))),
        "event_id": str(event_id or ""),
        "stage": str(stage or ""),
        "attended": attended,
        "undated": recap.undated_sessions(scope_events),
        "query": request.GET.urlencode(),
    }
    if request.GET.get("format") == "xlsx":
        return recap.RecapExporter(table, filename).xlsx_response()
    if request.GET.get("format") == "pdf":
        return pdf_response(render_pdf(request, "programme/recap_pdf.html", context), filename)
    return render(request, "programme/recap.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def certificates_generate(request, pk):
    event = _run_event(request, pk)
    try:
        started = certificates.request_generation(actor=request.user, event=event, site=certificates.site_of(request))
    except Error as exc:
        refused(request, exc)
    else:
        if started:
            messages.success(request, _("The certificates are being made; this page shows when they are ready."))
        else:
            messages.info(request, _("The certificates are already being made."))
    return redirect(reverse("programme:event", args=[pk]) + "#certificates")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def certificates_zip(request, pk):
    event = _run_event(request, pk)
    if not event.certificates_zip or not event.certificates_done_at:
        raise Http404
    return uploads.download(event.certificates_zip, f"sertifikat-{event.pk}.zip")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def certificate_pdf(request, pk, certificate):
    event = _event(request, pk)
    visible = selectors.participants_for(request.user, event)
    item = get_object_or_404(
        Certificate.objects.select_related("participant__event__cohort", "participant__session"),
        event=event,
        participant__in=visible,
        pk=certificate,
    )
    ((item, pdf),) = certificates.render([item], request)
    return pdf_response(pdf, certificates.filename(item).removesuffix(".pdf"))


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def certificate_revoke(request, pk, certificate):
    event = _event(request, pk)
    item = get_object_or_404(Certificate, event=event, pk=certificate)
    try:
        certificates.revoke(actor=request.user, certificate=item, reason=request.POST.get("reason", ""))
    except Error as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Certificate %(number)s is revoked.") % {"number": item.number})
    return redirect(reverse("programme:attendance", args=[pk]) + f"#participant-{item.participant_id}")


@never_cache
@require_safe
def certificate_verify(request):
    """Public: confirms a certificate number and its check code with its holder's name, event and
    whether it was revoked, and nothing else."""
    form = VerifyForm(request.GET or None)
    found, status = None, 200
    if form.is_bound:
        minutes = locked_minutes(_verify_usage(request))
        if minutes is not None:
            message = _("Too many numbers checked from this connection: try again in %(minutes)s minutes.")
            form.add_error(None, message % {"minutes": minutes})
            status = 429
        elif form.is_valid():
            _verify_usage(request, increment=True)
            found = certificates.lookup(form.cleaned_data["nomor"], form.cleaned_data["kode"])
            if found is None:
                form.add_error(None, _("No certificate has this number and check code."))
                status = 404
    return render(request, "programme/verify.html", {"form": form, "found": found}, status=status)


def _verify_usage(request, increment=False):
    return address_usage(
        request,
        "certificate-verify",
        settings.MUTU_VERIFY_ATTEMPTS,
        settings.MUTU_CODE_WINDOW_SECONDS,
        increment=increment,
    )
