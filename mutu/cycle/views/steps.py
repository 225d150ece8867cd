"""The cycle list, a school's cycle with its steps (start, submit, review, comment) and a province's settings."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, active_memberships, require_perm
from mutu.core import dates

from .. import selectors, services
from ..models import (
    STEPS,
    CycleDocument,
    CycleSetting,
    SchoolCycle,
    Step,
)
from .common import YEARS, _configurable, _school, _school_url, _year


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def cycle_home(request):
    """School roles go to their school's cycle; everyone else sees the cycles of their schools."""
    year = _year(request)
    own = [m.school for m in active_memberships(request.user) if m.school_id]
    if own and len(own) == len(active_memberships(request.user)) and len({s.pk for s in own}) == 1:
        return redirect("cycle:school", npsn=own[0].npsn, year=year)
    rows, not_started = selectors.queue(request.user, year)
    step = request.GET.get("step", "")
    steps = dict(Step.choices) | {selectors.DONE: _("cycle complete")}
    if step in steps:  # a bar of the home's chart: the schools at that step
        rows = [row for row in rows if selectors.standing(row) == step]
    waiting = request.GET.get("waiting") == "1"
    if waiting:  # the home's to-do: the cycles waiting for the user's review
        rows = [row for row in rows if row["waiting_on_me"]]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "year": year,
        "not_started": not_started,
        "configurable": _configurable(request.user),
        "step_label": steps.get(step),
        "waiting": waiting,
        "query": f"year={year}" + (f"&step={step}" if step in steps else "") + ("&waiting=1" if waiting else ""),
    }
    return render(request, "cycle/home.html", context)


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def school_cycle(request, npsn, year):
    school = _school(request, npsn)
    if year not in YEARS:
        raise Http404
    cycle = SchoolCycle.objects.filter(school=school, year=year).first()
    allowed = {perm: services.may(request.user, perm, school) for perm in (Perm.CYCLE_EDIT, Perm.CYCLE_REVIEW)}
    documents = []
    if cycle:
        for document in cycle.documents.prefetch_related("transitions__actor", "comments__author"):
            available = {t.name for t in document.get_available_state_transitions()}
            document.moves = [
                name for name, (perm, _c) in services.MOVES.items() if name in available and allowed[perm]
            ]
            documents.append(document)
        documents.sort(key=lambda d: STEPS.index(d.step))
    current = selectors.current_document(documents, cycle.entry_step) if cycle else None
    for document in documents:  # only the current step can be submitted: the earlier ones come first
        if document != current and "submit" in document.moves:
            document.moves.remove("submit")
    context = {
        "school": school,
        "year": year,
        "cycle": cycle,
        "documents": documents,
        "current": current,
        "can_edit": allowed[Perm.CYCLE_EDIT],
        "can_review": allowed[Perm.CYCLE_REVIEW],
        "startable": services.school_years(timezone.localdate()),
    }
    return render(request, "cycle/school.html", context)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def start(request, npsn, year):
    school = _school(request, npsn)
    if year not in YEARS:
        raise Http404
    try:
        services.start_cycle(actor=request.user, school=school, year=year)
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return redirect("cycle:school", npsn=npsn, year=year)


def _document(request, npsn, year, step):
    school = _school(request, npsn)
    return get_object_or_404(CycleDocument.objects.select_related("cycle__school"), cycle__school=school,
                             cycle__year=year, step=step)  # fmt: skip


@require_POST
@require_perm(Perm.CYCLE_VIEW)
def move(request, npsn, year, step, name):
    if name not in services.MOVES:
        raise Http404
    document = _document(request, npsn, year, step)
    if not services.may(request.user, services.MOVES[name][0], document.cycle.school):
        raise PermissionDenied
    try:
        services.move(actor=request.user, document=document, name=name, comment=request.POST.get("comment", ""))
    except services.CycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved: “%(step)s” is now %(state)s.") % {
            "step": document.get_step_display(),
            "state": CycleDocument.objects.get(pk=document.pk).get_state_display(),
        })  # fmt: skip
    return redirect(f"{_school_url(npsn, year)}#{step}")


@require_POST
@require_perm(Perm.CYCLE_VIEW)
def comment(request, npsn, year, step):
    document = _document(request, npsn, year, step)
    school = document.cycle.school
    if not (
        services.may(request.user, Perm.CYCLE_EDIT, school) or services.may(request.user, Perm.CYCLE_REVIEW, school)
    ):
        raise PermissionDenied
    try:
        services.add_comment(actor=request.user, document=document, text=request.POST.get("text", "")[:4000])
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return redirect(f"{_school_url(npsn, year)}#{step}")


class SettingForm(forms.Form):
    entry_step = forms.ChoiceField(label=gettext_lazy("Schools start at"), choices=Step.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step in Step:
            self.fields[f"due_{step.value}"] = forms.CharField(
                label=_("Due date of “%(step)s” (day-month)") % {"step": step.label},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"placeholder": _("31-03 or 31 March")}),
            )

    def clean(self):
        data = super().clean()
        due = {}
        for step in Step:
            raw = (data.get(f"due_{step.value}") or "").strip()
            if not raw:
                continue
            try:
                month, day = dates.parse_day_month(raw)  # 29-02 is allowed: it falls on the 28th in common years
            except dates.NoSuchDate:
                self.add_error(f"due_{step.value}", _("%(date)s has no such day.") % {"date": raw})
                continue
            except ValueError:
                self.add_error(f"due_{step.value}", _("Write the day, then the month: 31-03 or 31 March."))
                continue
            due[step.value] = f"{month:02d}-{day:02d}"  # stored month first, so that it sorts
        # The steps follow each other within the cycle's year: so do their due dates (stored MM-DD).
        order = [(step, due[step]) for step in Step if step in due]
        for (earlier, first), (later, second) in zip(order, order[1:], strict=False):
            if second < first:
                self.add_error(
                    f"due_{later}",
                    _("“%(later)s” is due before “%(earlier)s”, the step before it.")
                    % {"later": Step(later).label, "earlier": Step(earlier).label},
                )
        data["due_dates"] = due
        return data


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.CYCLE_CONFIGURE)
def configure(request, code):
    province = get_object_or_404(_configurable(request.user), code=code)
    setting = CycleSetting.objects.filter(province=province).first()
    initial = {"entry_step": setting.entry_step if setting else Step.MAPPING}
    initial |= {
        f"due_{step}": dates.day_month(*map(int, month_day.split("-")))
        for step, month_day in (setting.due_dates if setting else {}).items()
    }
    form = SettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.configure(
            actor=request.user,
            province=province,
            entry_step=form.cleaned_data["entry_step"],
            due_dates=form.cleaned_data["due_dates"],
        )
        messages.success(request, _("The cycle of %(province)s is saved; it applies to cycles started from now on.")
                         % {"province": province.name})  # fmt: skip
        return redirect("cycle:configure", code=code)
    return render(request, "cycle/configure.html", {"form": form, "province": province})
