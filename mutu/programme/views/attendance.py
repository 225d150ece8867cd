"""Attendance: the facilitator's checklist, the day's codes, and the participant's own check-in."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.core import dates, offline
from mutu.core.codes import normalize
from mutu.core.qr import qr_svg
from mutu.core.saving import refused, save
from mutu.core.throttle import address_usage, locked_minutes

from .. import events, selectors
from ..forms import (
    CheckInForm,
    CodeForm,
)
from ..models import (
    AttendanceCode,
    Session,
)
from .common import Error, _event, _number, _run_event


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def attendance(request, pk):
    event = _event(request, pk)
    participants = selectors.participants_for(request.user, event)
    session = _number(request.GET.get("session"))
    if session:
        participants = participants.filter(session_id=session)
    page = Paginator(participants, 100).get_page(request.GET.get("page"))
    rows = events.attendance_table(event, participants.filter(pk__in=[p.pk for p in page.object_list]))
    context = {
        "event": event,
        "cohort": event.cohort,
        "rows": rows,
        "page": page,
        "sessions": event.sessions.all(),
        "session": str(session or ""),
        "days": range(1, event.days + 1),
        "query": f"session={session}" if session else "",
        "manages": selectors.manages(request.user, event.cohort),
    }
    return render(request, "programme/attendance.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def checklist(request, pk, session):
    event = _run_event(request, pk)
    session = get_object_or_404(Session, event=event, pk=session)
    typed = None
    if request.method == "POST":
        present, shown = _marks(request.POST.getlist("present")), _marks(request.POST.getlist("shown"))
        reason = request.POST.get("reason", "")
        try:
            added, removed = events.save_checklist(
                actor=request.user, session=session, present=present, shown=shown, reason=reason
            )
        except Error as exc:
            refused(request, exc)
            typed = {"present": set(request.POST.getlist("present")), "reason": reason}  # back as it was ticked
        else:
            messages.success(
                request,
                _("Attendance saved: %(added)s marked, %(removed)s removed.") % {"added": added, "removed": removed},
            )
            return redirect("programme:checklist", pk=pk, session=session.pk)
    rows = events.attendance_table(event, session.participants.select_related("regency", "school", "session"))
    today = timezone.localdate()
    for row in rows:
        for day in row["days"]:
            value = f"{row['participant'].pk}:{day['day']}"
            day["value"], day["marked"] = value, day["state"] in ("present", "late")
            day["ticked"] = value in typed["present"] if typed else day["marked"]
            day["future"] = bool(day["date"] and day["date"] > today)
    context = {"event": event, "session": session, "rows": rows, "dates": session.dates(), "typed": typed}
    return render(request, "programme/checklist.html", context, status=400 if typed else 200)


def _marks(values):
    """{(participant id, day)} from the checklist's "id:day" values; anything else is left out."""
    marks = set()
    for value in values:
        person, _sep, day = value.partition(":")
        if _number(person) and _number(day):
            marks.add((int(person), int(day)))
    return marks


@require_POST
@require_perm(Perm.PROGRAMME_VIEW)
def code_open(request, pk, session):
    event = _run_event(request, pk)
    session = get_object_or_404(Session, event=event, pk=session)
    form = CodeForm(request.POST, prefix=f"c{session.pk}")
    code = save(
        request,
        form,
        lambda data: events.open_code(actor=request.user, session=session, **data),
        lambda code: _("Attendance code %(code)s is open.") % {"code": code.code},
    )
    if code is None:
        return redirect(reverse("programme:event", args=[pk]) + "#sessions")
    return redirect("programme:code", pk=pk, code=code.pk)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def code_page(request, pk, code):
    """The code to show on the screen of a daring session, or to print at the venue: its link and QR."""
    event = _run_event(request, pk)
    code = get_object_or_404(AttendanceCode.objects.select_related("session"), session__event=event, pk=code)
    link = request.build_absolute_uri(reverse("check_in_code", args=[code.code]))
    context = {
        "event": event,
        "code": code,
        "link": link,
        "qr": qr_svg(link, scale=6),
        "expired": timezone.now() > code.valid_until,
    }
    return render(request, "programme/code.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_VIEW)
def code_close(request, pk, code):
    event = _run_event(request, pk)
    code = get_object_or_404(AttendanceCode, session__event=event, pk=code)
    try:
        events.close_code(actor=request.user, code=code)
    except Error as exc:
        refused(request, exc)
    else:
        messages.success(
            request, _("Code %(code)s is closed: nobody checks in with it any more.") % {"code": code.code}
        )
    return redirect("programme:code", pk=pk, code=code.pk)


def _check_in_usage(request, increment=False):
    return address_usage(
        request, "attendance-code", settings.MUTU_CODE_ATTEMPTS, settings.MUTU_CODE_WINDOW_SECONDS, increment=increment
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, code=""):
    """A participant's own attendance, on their phone: the day's code (from the screen, a link or the
    venue's QR) and their personal code. Wrong codes are counted per address as respondent codes are."""
    form = CheckInForm(request.POST or None, initial={"day_code": code})
    done = None
    status = 200
    device = _checked_in_here(request)
    ended = None
    if request.method != "POST" and code:
        # A link or QR of a code that has ended says so before anyone types. Only an ended code is
        # named: one yet to open stays unconfirmed, so the page tells nobody a code in advance.
        ended = events.code_ended(AttendanceCode.objects.filter(code=normalize(code)).first())
    if request.method == "POST" and form.is_valid():
        # A right pair of codes always passes, even behind an address locked by others' typos (a venue
        # behind one NAT); only wrong codes count, and only they are refused while locked.
        minutes = locked_minutes(_check_in_usage(request))
        try:
            participant, day, already = events.check_in(
                day_code=form.cleaned_data["day_code"],
                participant_code=form.cleaned_data["participant_code"],
                method="qr" if code else "kode",
                device=device,
            )
            done = {"participant": participant, "day": day, "already": already}
            device[str(participant.session_id)] = participant.pk
        except events.DeviceTaken as exc:
            _check_in_usage(request, increment=True)
            form.add_error(None, str(exc))
            status = 409
        except events.AttendanceRefused as exc:
            message = str(exc)
            if minutes is not None:
                message = _("Too many wrong codes from this connection: try again in %(minutes)s minutes.") % {
                    "minutes": minutes
                }
                status = 429
            else:
                _check_in_usage(request, increment=True)
                status = 422
            form.add_error(None, message)
    response = render(request, "programme/check_in.html", {"form": form, "done": done, "ended": ended}, status=status)
    if done:
        _remember_device(request, response, device)
    elif request.method != "POST":
        response[offline.HEADER] = "keep"  # the empty form opens without signal (core/offline_sw.js)
    return response


@csrf_exempt  # the codes are the credential, and a form kept on the phone may hold a stale token
@never_cache
@require_POST
def check_in_sync(request):
    """A check-in made on a phone without signal, sent when the signal is back (JSON: key, day code,
    personal code, the phone's time): the same rules as the form at the phone's time; saved,
    already there (a retry changes nothing), or refused with the reason."""
    try:
        item = json.loads(request.body)
        key, day_code, personal = item["key"], item["day_code"], item["participant_code"]
        given_at = dates.device_time(item["client_time"])
        if given_at is None or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in (key, day_code, personal)):
            raise ValueError
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        message = _("The request needs key, day_code, participant_code and client_time (with its time zone).")
        return JsonResponse({"error": message}, status=400)
    device = _checked_in_here(request)
    minutes = locked_minutes(_check_in_usage(request))
    try:
        participant, _day, already = events.check_in(
            day_code=day_code, participant_code=personal, device=device, given_at=given_at
        )
    except events.AttendanceRefused as exc:
        if minutes is not None:
            return JsonResponse({"key": key, "status": "refused", "message": _("Too many wrong codes.")}, status=429)
        if not isinstance(exc, events.DeviceTaken):
            _check_in_usage(request, increment=True)
        return JsonResponse({"key": key, "status": "refused", "message": str(exc)})
    device[str(participant.session_id)] = participant.pk
    response = JsonResponse({"key": key, "status": "duplicate" if already else "saved", "name": participant.name})
    _remember_device(request, response, device)
    return response


def _remember_device(request, response, device):
    response.set_signed_cookie(
        CHECKED_IN_COOKIE,
        json.dumps(device),
        salt=CHECKED_IN_COOKIE,
        max_age=CHECKED_IN_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


CHECKED_IN_COOKIE = "mutu_hadir"
CHECKED_IN_DAYS = 14  # longer than any event


def _checked_in_here(request):
    """{session id: participant id} this device has checked in (a signed cookie)."""
    try:
        value = json.loads(request.get_signed_cookie(CHECKED_IN_COOKIE, default="{}", salt=CHECKED_IN_COOKIE))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
