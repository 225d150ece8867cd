"""The respondent's side: no account, a personal code, one small page of questions at a time."""

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import CodeForm
from .models import Respondent

QUESTIONS_PER_PAGE = 10


def _client(request):
    return request.META.get("REMOTE_ADDR", "")


def _throttled(request):
    return cache.get(f"respondent-code:{_client(request)}", 0) >= settings.MUTU_CODE_ATTEMPTS


def _count_failure(request):
    key = f"respondent-code:{_client(request)}"
    cache.add(key, 0, timeout=settings.MUTU_CODE_WINDOW_SECONDS)
    cache.incr(key)


def _too_many(request):
    return render(
        request,
        "mapping/respond_message.html",
        {
            "title": _("Too many attempts"),
            "message": _("Too many wrong codes from this device. Wait 15 minutes and try again."),
        },
        status=429,
    )


def _respondent(request, code):
    """The respondent for a code, or a response to return instead (unknown, throttled, closed)."""
    if _throttled(request):
        return None, _too_many(request)
    respondent = Respondent.objects.select_related("round", "school").filter(code=code.upper()).first()
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
        return None, render(
            request,
            "mapping/respond_message.html",
            {
                "title": _("Round closed"),
                "message": _("This round closed on %(date)s; the code no longer works.")
                % {"date": respondent.round.closes_on.strftime("%d-%m-%Y")},
            },
            status=410,
        )
    return respondent, None


def enter_code(request):
    if _throttled(request):
        return _too_many(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if Respondent.objects.filter(code=form.cleaned_data["code"]).exists():
            return redirect("respond:questions", code=form.cleaned_data["code"])
        _count_failure(request)
        form.add_error("code", _("This code is not known. Check it on your code sheet."))
    return render(request, "mapping/respond_code.html", {"form": form})


def questions(request, code):
    respondent, refusal = _respondent(request, code)
    if refusal:
        return refusal
    if respondent.submitted_at:
        # Only that it was sent: whoever holds the printed sheet must not read anyone's answers.
        return render(
            request,
            "mapping/respond_message.html",
            {"title": _("Answers sent"), "message": _("Thank you: the answers for this code were sent.")},
        )
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
    page = Paginator(all_questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    if request.method == "POST":
        # Without JavaScript the whole page is saved at once; with htmx each answer already was.
        for question in page.object_list:
            values = [v for v in request.POST.getlist(f"q{question.id}") if v != ""]
            if values:
                try:
                    services.save_answer(respondent_id=respondent.pk, question_id=question.id, values=values)
                except services.AnswerError as exc:
                    return render(
                        request,
                        "mapping/respond_message.html",
                        {"title": _("Not saved"), "message": str(exc)},
                        status=409,
                    )
        target = page.next_page_number() if page.has_next() else page.number
        return redirect(f"{request.path}?page={target}")
    respondent.refresh_from_db(fields=["draft"])
    items = [
        {"question": q, "options": list(q.options.all()), "answer": respondent.draft.get(str(q.id))}
        for q in page.object_list.prefetch_related("options")
    ]
    answered = sum(1 for value in respondent.draft.values() if value not in (None, []))
    return render(
        request,
        "mapping/respond_questions.html",
        {
            "respondent": respondent,
            "questionnaire": questionnaire,
            "page": page,
            "items": items,
            "answered": answered,
            "total": page.paginator.count,
        },
    )


@require_POST
def answer(request, code, question_id):
    """The htmx autosave of one answer: the throttle read, then one locked read and one write."""
    if _throttled(request):
        return _too_many(request)
    try:
        services.save_answer(code=code.upper(), question_id=question_id, values=request.POST.getlist(f"q{question_id}"))
    except services.UnknownRespondent as exc:
        _count_failure(request)
        return HttpResponse(str(exc), status=404)
    except services.NotInQuestionnaire as exc:
        return HttpResponse(str(exc), status=404)
    except services.AnswerError as exc:
        return HttpResponse(str(exc), status=409)
    return HttpResponse(_("Saved"))


@require_POST
def submit(request, code):
    respondent, refusal = _respondent(request, code)
    if refusal:
        return refusal
    try:
        services.submit(respondent_id=respondent.pk)
    except services.AnswerError as exc:
        return render(
            request,
            "mapping/respond_message.html",
            {"title": _("Not sent yet"), "message": str(exc), "back": request.path.rsplit("submit/", 1)[0]},
            status=409,
        )
    return redirect("respond:questions", code=respondent.code)
