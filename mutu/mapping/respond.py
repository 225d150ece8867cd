"""The respondent's side: no account, a personal code, one small page of questions at a time."""

import json
import logging
import re

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import get_usage

from mutu.core import dates, offline
from mutu.core.throttle import address_usage, locked_minutes

from . import services
from .forms import CodeForm
from .models import Milestone, Respondent

# Every respondent page is sent with Cache-Control: no-store (never_cache): on a shared phone or lab
# computer, the Back button must not bring up another person's answers.
QUESTIONS_PER_PAGE = 10
ENTERED_COOKIE, ENTERED_SALT = "mutu_respondent", "mutu.respond.entered"
logger = logging.getLogger("mutu.respond")


def _code_usage(request, increment=False):
    """django-ratelimit's count of wrong codes from this client address in the current window."""
    return address_usage(
        request, "respondent-code", settings.MUTU_CODE_ATTEMPTS, settings.MUTU_CODE_WINDOW_SECONDS, increment=increment
    )


def _count_failure(request):
    _code_usage(request, increment=True)
    everyone = get_usage(
        request,
        group="respondent-code-all",
        key=lambda _group, _request: "all",
        rate=f"{settings.MUTU_CODE_ALARM}/{settings.MUTU_CODE_WINDOW_SECONDS}s",
        increment=True,
    )
    if everyone["count"] == everyone["limit"] + 1:  # once per window
        logger.warning(
            "More than %s wrong respondent codes from all addresses within %s s: someone may be guessing codes.",
            everyone["limit"],
            settings.MUTU_CODE_WINDOW_SECONDS,
        )


def _entered(request, code):
    """Whether this browser already opened this code: its saves are never throttled by the wrong
    codes others typed behind the same address (a school lab, a phone operator's NAT)."""
    return request.get_signed_cookie(ENTERED_COOKIE, default=None, salt=ENTERED_SALT) == code


def _remember(response, code):
    response.set_signed_cookie(
        ENTERED_COOKIE,
        code,
        salt=ENTERED_SALT,
        max_age=180 * 24 * 3600,
        path="/r/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _locked(request):
    """The refusal for a client address over its wrong-code budget, saying when it ends; else None."""
    minutes = locked_minutes(_code_usage(request))  # the budget is the number of wrong codes allowed
    if minutes is None:
        return None
    return render(
        request,
        "mapping/respond_message.html",
        {
            "title": _("Too many attempts"),
            "message": ngettext(
                "Too many wrong codes from this network. Try again in %(minutes)s minute.",
                "Too many wrong codes from this network. Try again in %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes},
        },
        status=429,
    )


def _respondent(request, code):
    """The respondent for a code, or a response to return instead (throttled, unknown, closed)."""
    code = code.upper()
    refusal = None if _entered(request, code) else _locked(request)
    if refusal:
        return None, refusal
    respondent = Respondent.objects.select_related("round", "school").filter(code=code).first()
    if respondent is None:
        _count_failure(request)
        return None, render(
            request,
            "mapping/respond_message.html",
            {
                "title": _("Unknown code"),
                "message": _("This code is not known. Check it on your code sheet."),
            },
            status=404,
        )
    if not respondent.submitted_at and timezone.localdate() > respondent.round.closes_on:
        closed = render(
            request,
            "mapping/respond_message.html",
            {
                "title": _("Round closed"),
                "message": _("This round closed on %(date)s; the code no longer works.")
                % {"date": dates.shown(respondent.round.closes_on)},
                "forget": respondent.code,  # what the phone kept of it is of no more use
            },
            status=410,
        )
        closed[offline.HEADER] = "forget"
        return None, closed
    return respondent, None


# Answers sent after the school's rapor was published are kept and wait for its next version.
LATE = gettext_lazy(
    "This school's rapor is already published. Your answers are kept and count in the next version of the "
    "rapor, once the pengawas verifies and publishes it."
)


def _rapor_published(respondent):
    return Milestone.objects.filter(
        round_id=respondent.round_id, school_id=respondent.school_id, step=Milestone.Step.PUBLISHED
    ).exists()


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def enter_code(request):
    refusal = _locked(request)
    if refusal:
        return refusal
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if Respondent.objects.filter(code=code).exists():
            return _remember(redirect("respond:questions", code=code), code)
        _count_failure(request)
        form.add_error("code", _("This code is not known. Check it on your code sheet."))
    return render(request, "mapping/respond_code.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def questions(request, code):
    respondent, refusal = _respondent(request, code)
    if refusal:
        return refusal
    late = _rapor_published(respondent)
    if respondent.submitted_at:
        # Only that it was sent: whoever holds the printed sheet must not read anyone's answers.
        message = _("Thank you: the answers for this code were sent.")
        response = render(
            request,
            "mapping/respond_message.html",
            {
                "title": _("Answers sent"),
                "message": f"{message} {LATE}" if late else message,
                "forget": respondent.code,  # nothing of the answers stays on the device
            },
        )
        response[offline.HEADER] = "forget"
        return response
    questionnaire = services.questionnaire_for(respondent)
    if questionnaire is None:
        return render(
            request,
            "mapping/respond_message.html",
            {
                "title": _("No questionnaire"),
                "message": _("There is no questionnaire for you in this round."),
            },
            status=404,
        )
    all_questions = questionnaire.questions.order_by("position")
    ids = list(all_questions.values_list("id", flat=True))
    number = request.GET.get("page")
    if number is None:  # coming back to the code: the page of the first question not answered yet
        respondent.refresh_from_db(fields=["draft"])
        first = next((n for n, pk in enumerate(ids) if not respondent.draft.get(str(pk))), 0)
        number = first // QUESTIONS_PER_PAGE + 1
    # ?page=all: every page in one document, which the phone keeps to answer offline (respond.js
    # shows one page of it at a time); compressed together it weighs a third of the pages apart.
    whole = number == offline.WHOLE
    paginator = Paginator(all_questions, QUESTIONS_PER_PAGE)
    page = paginator.get_page(1 if whole else number)
    if request.method == "POST":
        refused = _save_posted(request, respondent, page.object_list)
        if refused:
            return refused
        target = page.next_page_number() if page.has_next() else page.number
        return redirect(f"{request.path}?page={target}")
    respondent.refresh_from_db(fields=["draft", "draft_times"])
    items = [
        {"question": q, "options": list(q.options.all()), "answer": respondent.draft.get(str(q.id)), "number": n}
        for n, q in enumerate(
            (all_questions if whole else page.object_list).prefetch_related("options"), page.start_index()
        )
    ]
    if whole:
        sections = [
            Page(items[start : start + QUESTIONS_PER_PAGE], start // QUESTIONS_PER_PAGE + 1, paginator)
            for start in range(0, len(items), QUESTIONS_PER_PAGE)
        ]
    else:
        sections = [Page(items, page.number, paginator)]
    response = render(
        request,
        "mapping/respond_questions.html",
        {
            "respondent": respondent,
            "questionnaire": questionnaire,
            "page": page,
            "sections": sections,
            "answered": services.answered(respondent.draft),
            "total": paginator.count,
            "late": LATE if late else "",
            "offline": _offline_map(respondent, ids, page, whole, [item["question"].pk for item in items]),
        },
    )
    if whole:
        response[offline.HEADER] = "whole"  # what the phone keeps (static/js/respond.js)
    return _remember(response, respondent.code)


def _offline_map(respondent, ids, page, whole, shown):
    """What static/js/respond.js needs to work without signal: the address of the whole
    questionnaire (kept on the device at the first visit) and of each page, the questions of each
    page and those answered on the server (to resume at the first unanswered one offline), and
    when and under which key the server took each answer shown (a later one than the phone's
    own stands)."""
    pages = [ids[start : start + QUESTIONS_PER_PAGE] for start in range(0, len(ids), QUESTIONS_PER_PAGE)]
    base = reverse("respond:questions", args=[respondent.code])
    return {
        "code": respondent.code,
        "address": base,
        "whole": f"{base}?page={offline.WHOLE}",
        "is_whole": whole,
        "page": page.number,
        "pages": [f"{base}?page={n}" for n in range(1, len(pages) + 1)],
        "questions": pages,
        "answered": [pk for pk in ids if respondent.draft.get(str(pk)) not in (None, [], "")],
        "stored": {pk: respondent.draft_times[str(pk)] for pk in shown if str(pk) in respondent.draft_times},
    }


SYNC_MAX_ANSWERS = 500  # a whole questionnaire answered offline fits in one request
SYNC_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _queued(body):
    """(the queued answers, whether to send them after) of a sync request, or a ValueError naming
    the answer and field."""
    try:
        data = json.loads(body)
        items, send = data.get("answers"), data.get("submit", False)
    except (ValueError, AttributeError, RecursionError):
        raise ValueError(_("The request is not a JSON object with a list of answers.")) from None
    if not isinstance(send, bool):
        raise ValueError(_("“submit” is true or false."))
    if not isinstance(items, list) or len(items) > SYNC_MAX_ANSWERS:
        raise ValueError(_("“answers” is a list of at most %(n)s answers.") % {"n": SYNC_MAX_ANSWERS})
    queued = []
    for number, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        given = dates.device_time(item.get("client_time"))
        values = item.get("values")
        checks = [
            ("key", isinstance(item.get("key"), str) and SYNC_KEY.fullmatch(item["key"])),
            ("question", isinstance(item.get("question"), int) and not isinstance(item["question"], bool)),
            ("values", isinstance(values, list) and len(values) <= 50 and all(isinstance(v, str) for v in values)),
            ("client_time", given is not None),
        ]
        for name, good in checks:
            if not good:
                raise ValueError(_("Answer %(n)s: “%(field)s” is missing or not valid.") % {"n": number, "field": name})
        queued.append(services.QueuedAnswer(item["key"], item["question"], values, given))
    return queued, send


# No CSRF check on the sync endpoints: the personal code is the credential (nothing rides on a
# session a forged request could borrow), and a page kept on the phone for days would otherwise
# send a token of a cookie that has changed meanwhile (a shared lab computer), and never get through.
@csrf_exempt
@require_POST
@never_cache
def sync(request, code):
    """Answers queued on a device (static/js/respond.js: every answer goes this way, with or without
    signal), JSON: per answer whether it was saved, was there already, lost to a later answer, or was
    refused, and why. With "submit": true the answers are then sent, with the server's checks; what
    stops it comes back as "submit_error" (the device keeps it until the respondent has seen it)."""
    code = code.upper()
    refusal = None if _entered(request, code) else _locked(request)
    if refusal:
        return JsonResponse({"error": _("Too many wrong codes from this network.")}, status=429)
    try:
        queued, send = _queued(request.body)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    try:
        respondent, results = services.sync_answers(code=code, queued=queued)
    except services.UnknownRespondent as exc:
        _count_failure(request)
        return JsonResponse({"error": str(exc)}, status=404)
    body = {"results": results}
    if send and not respondent.submitted_at:
        try:
            respondent, _sent = services.submit(respondent_id=respondent.pk)
        except services.AnswerError as exc:
            body["submit_error"] = {"message": str(exc), "missing": _missing(respondent, exc)}
    body |= {"answered": services.answered(respondent.draft), "sent": bool(respondent.submitted_at)}
    return JsonResponse(body)


def _missing(respondent, refusal):
    """The unanswered questions a refused submit names, each with the address that leads to it."""
    questions_url = reverse("respond:questions", args=[respondent.code])
    return [
        {
            "number": number,
            "text": question.text,
            "url": f"{questions_url}?page={(number - 1) // QUESTIONS_PER_PAGE + 1}#q-{question.pk}",
        }
        for number, question in getattr(refusal, "missing", [])
    ]


def _save_posted(request, respondent, questions):
    """Save the answers a page posted (without JavaScript the whole page comes at once; with htmx each
    answer already was); a refusal page, or None."""
    for question in questions:
        values = [v for v in request.POST.getlist(f"q{question.id}") if v != ""]
        if values:
            try:
                services.save_answer(respondent_id=respondent.pk, question_id=question.id, values=values)
            except services.AnswerError as exc:
                return render(
                    request, "mapping/respond_message.html", {"title": _("Not saved"), "message": str(exc)}, status=409
                )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def submit(request, code):
    if request.method != "POST":  # the address of the send button, reopened from the history
        return redirect("respond:questions", code=code.upper())
    respondent, refusal = _respondent(request, code)
    if refusal:
        return refusal
    questionnaire = services.questionnaire_for(respondent)
    if questionnaire is not None:  # the last page's answers, sent with its one button (without JavaScript)
        refused = _save_posted(request, respondent, questionnaire.questions.all())
        if refused:
            return refused
    try:
        services.submit(respondent_id=respondent.pk)
    except services.AnswerError as exc:
        return render(
            request,
            "mapping/respond_message.html",
            {
                "title": _("Not sent yet"),
                "message": str(exc),
                "missing": _missing(respondent, exc),
                "back": reverse("respond:questions", args=[respondent.code]),
            },
            status=409,
        )
    return redirect("respond:questions", code=respondent.code)
