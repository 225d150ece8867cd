from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, active_memberships, has_perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import dates, uploads
from mutu.core.exporters import ListExporter
from mutu.core.forms import SCHOOL_SEARCH, MoneyField, SearchSelect, SearchSelectMultiple, form_errors, search_in
from mutu.core.pdf import pdf_response, render_pdf
from mutu.core.saving import save
from mutu.instruments.models import Node

from . import analysis, documents, evaluation, implementation, monitoring, planning, selectors, services, thread
from .models import (
    STEPS,
    Activity,
    CycleDocument,
    CycleSetting,
    Dimension,
    DocumentKind,
    Evaluation,
    Evidence,
    Problem,
    Program,
    SchoolCycle,
    SchoolDocument,
    StandardDecision,
    Step,
)

YEARS = range(2020, 2101)


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in YEARS else timezone.localdate().year


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
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "year": year,
        "not_started": not_started,
        "configurable": _configurable(request.user),
        "step_label": steps.get(step),
        "query": f"year={year}&step={step}" if step in steps else f"year={year}",
    }
    return render(request, "cycle/home.html", context)


def _configurable(user):
    """The provinces whose cycle settings the user may change."""
    return area_for(user, Perm.CYCLE_CONFIGURE).whole_provinces()


def _school(request, npsn):
    school = selectors.cycle_school(request.user, npsn)
    if school is None:
        raise Http404
    return school


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


def _school_url(npsn, year):
    return reverse("cycle:school", args=[npsn, year])


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
                month, day = dates.parse_day_month(raw)  # 29-02 is allowed: leap years have it
            except ValueError:
                self.add_error(f"due_{step.value}", _("Write the day, then the month: 31-03 or 31 March."))
                continue
            due[step.value] = f"{month:02d}-{day:02d}"  # stored month first, so that it sorts
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


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = analysis.FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in analysis.FIELDS}


def _cycle(request, npsn, year):
    return get_object_or_404(SchoolCycle, school=_school(request, npsn), year=year)


PROPOSALS_SHOWN = 25


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def analysis_page(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    rapor, proposals, below = analysis.propose(cycle)
    problems = list(cycle.problems.select_related("node", "round"))
    chosen = {p.node_id for p in problems}
    proposals = [p for p in proposals if p.node.id not in chosen]
    shown = proposals if request.GET.get("semua") else proposals[:PROPOSALS_SHOWN]
    document = analysis.analysis_document(cycle)
    editable = analysis.editable(request.user, cycle)
    for problem in problems:
        problem.form = ProblemForm(instance=problem, prefix=f"p{problem.pk}")
        problem.library = analysis.root_causes(problem)
    context = {
        "cycle": cycle,
        "school": cycle.school,
        "rapor": rapor,
        "below": below,
        "proposals": shown,
        "hidden_proposals": len(proposals) - len(shown),
        "problems": problems,
        "document": document,
        "editable": editable,
        "unfinished": analysis.unfinished(document),
    }
    return render(request, "cycle/analysis.html", context)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def analysis_choose(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    node = request.POST.get("node", "")
    try:
        analysis.choose(actor=request.user, cycle=cycle, node_id=int(node) if node.isdigit() else None)
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return redirect("cycle:analysis", npsn=npsn, year=year)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def analysis_problem(request, npsn, year, pk, action):
    problem = get_object_or_404(Problem, cycle=_cycle(request, npsn, year), pk=pk)
    try:
        if action == "save":
            form = ProblemForm(request.POST, instance=Problem.objects.get(pk=pk), prefix=f"p{pk}")
            if not form.is_valid():
                messages.error(request, _("The analysis of %(code)s was not saved: %(errors)s") % {
                    "code": problem.node.code, "errors": form_errors(form, labelled=False),
                })  # fmt: skip
                return redirect("cycle:analysis", npsn=npsn, year=year)
            analysis.save(actor=request.user, problem=problem, data=form.cleaned_data)
            messages.success(request, _("The analysis of %(code)s is saved.") % {"code": problem.node.code})
        elif action == "remove":
            analysis.remove(actor=request.user, problem=problem)
        elif action in ("up", "down"):
            analysis.reorder(actor=request.user, problem=problem, offset=-1 if action == "up" else 1)
        else:
            raise Http404
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("cycle:analysis", args=[npsn, year]) + f"#problem-{pk}")


MONTHS = [(m, MONTH_NAMES[m]) for m in range(1, 13)]


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "goal", "problems"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 2}), "problems": forms.CheckboxSelectMultiple}

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = cycle.problems.select_related("node")
        self.fields["problems"].label_from_instance = lambda p: f"{p.node.code} {p.node.text[:80]}"


class ActivityForm(forms.ModelForm):
    months = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Months"), choices=MONTHS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Activity
        fields = [
            "year", "name", "indicator", "target", "volume", "unit", "unit_cost", "fund_source", "months",
            "person_in_charge", "nodes",
        ]  # fmt: skip
        localized_fields = ["volume", "unit_cost"]
        field_classes = {"unit_cost": MoneyField}
        widgets = {"nodes": SearchSelectMultiple(("code__startswith", "text__icontains"))}

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        years = planning.plan_years(cycle)
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Year"), choices=[(y, y) for y in years], coerce=int, initial=cycle.year
        )
        self.fields["nodes"].queryset = planning.indicator_nodes(cycle)
        self.fields["nodes"].label_from_instance = lambda n: f"{n.code} {n.text[:80]}"
        self.fields["nodes"].help_text = _("Every activity improves at least one sub-indicator.")


def _plan_context(request, cycle):
    can_edit = planning.editable(request.user, cycle)
    programs = list(cycle.programs.prefetch_related("problems__node", "activities__nodes"))
    for program in programs:
        program.form = ProgramForm(instance=program, cycle=cycle, prefix=f"g{program.pk}")
        program.new_activity = search_in(request.GET, ActivityForm(cycle=cycle, prefix=f"n{program.pk}"))
        for activity in program.activities.all():
            activity.form = search_in(
                request.GET,
                ActivityForm(
                    instance=activity, cycle=cycle, prefix=f"a{activity.pk}", initial={"months": activity.months}
                ),
            )
    orphans, unanswered = planning.flags(cycle)
    return {
        "cycle": cycle,
        "school": cycle.school,
        "programs": programs,
        "new_program": ProgramForm(cycle=cycle, prefix="new"),
        "orphans": orphans,
        "unanswered": unanswered,
        "editable": can_edit,
        "document": planning.planning_document(cycle),
        "years": planning.plan_years(cycle),
        "total": sum((a.total for p in programs for a in p.activities.all()), 0),
        "previous_plan": None if programs or not can_edit else planning.previous_plan(cycle),
    }


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def plan_page(request, npsn, year):
    return render(request, "cycle/plan.html", _plan_context(request, _cycle(request, npsn, year)))


def _plan_redirect(npsn, year, anchor=""):
    return redirect(reverse("cycle:plan", args=[npsn, year]) + (f"#{anchor}" if anchor else ""))


def _plan_invalid(request, cycle, form, anchor):
    """The plan page again with the form's errors, nothing saved."""
    context = _plan_context(request, cycle)
    context["invalid"] = {"form": form, "anchor": anchor, "action": request.path}
    messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "cycle/plan.html", context, status=422)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def plan_program(request, npsn, year, pk=None):
    cycle = _cycle(request, npsn, year)
    program = get_object_or_404(Program, cycle=cycle, pk=pk) if pk else None
    if request.POST.get("delete") and program:
        action = lambda: planning.delete_program(actor=request.user, program=program)  # noqa: E731
    else:
        form = ProgramForm(request.POST, instance=program, cycle=cycle, prefix=f"g{pk}" if pk else "new")
        if not form.is_valid():
            return _plan_invalid(request, cycle, form, f"program-{pk}" if pk else "new-program")
        action = lambda: planning.save_program(actor=request.user, cycle=cycle, data=form.cleaned_data, program=program)  # noqa: E731
    try:
        action()
    except services.CycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return _plan_redirect(npsn, year, f"program-{pk}" if pk else "")


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def plan_activity(request, npsn, year, program_pk, pk=None):
    cycle = _cycle(request, npsn, year)
    program = get_object_or_404(Program, cycle=cycle, pk=program_pk)
    activity = get_object_or_404(Activity, program=program, pk=pk) if pk else None
    if request.POST.get("delete") and activity:
        action = lambda: planning.delete_activity(actor=request.user, activity=activity)  # noqa: E731
    else:
        prefix = f"a{pk}" if pk else f"n{program_pk}"
        form = ActivityForm(request.POST, instance=activity, cycle=cycle, prefix=prefix)
        if not form.is_valid():
            return _plan_invalid(request, cycle, form, f"activity-{pk}" if pk else f"program-{program_pk}")
        action = lambda: planning.save_activity(  # noqa: E731
            actor=request.user, program=program, data=form.cleaned_data, activity=activity
        )
    try:
        action()
    except services.CycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return _plan_redirect(npsn, year, f"program-{program_pk}")


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def plan_copy(request, npsn, year):
    try:
        planning.copy_previous(actor=request.user, cycle=_cycle(request, npsn, year))
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return _plan_redirect(npsn, year)


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def rkas_page(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    years = planning.plan_years(cycle)
    try:
        budget_year = int(request.GET.get("tahun", cycle.year))
    except ValueError:
        budget_year = cycle.year
    if budget_year not in years:
        budget_year = cycle.year
    context = {"cycle": cycle, "school": cycle.school, "years": years, "budget_year": budget_year}
    context |= planning.rkas(cycle, budget_year)
    filename = f"rkas-{cycle.school.npsn}-{budget_year}"
    if request.GET.get("format") == "pdf":
        context["signers"] = services.signers(cycle.school)
        return pdf_response(render_pdf(request, "cycle/rkas_pdf.html", context), filename)
    if request.GET.get("format") == "xlsx":
        return RkasExporter(context, filename).xlsx_response()
    return render(request, "cycle/rkas.html", context)


class RkasExporter(ListExporter):
    """The RKAS as a spreadsheet: one row per activity with its standard."""

    title = gettext_lazy("RKAS")

    def __init__(self, budget, filename):
        self.budget, self.filename = budget, filename

    def headers(self):
        return [_("Standard"), _("Activity"), _("Performance indicator"), _("Target"), _("Volume"), _("Unit"),
                _("Unit cost (Rp)"), _("Total (Rp)"), _("Fund source"), _("Months"), _("Person in charge")]  # fmt: skip

    def rows(self):
        for group in self.budget["groups"]:
            standard = group["standard"].code if group["standard"] else ""
            for a in group["activities"]:
                months = dates.month_list(a.months)
                yield [standard, a.name, a.indicator, a.target, float(a.volume), a.unit, int(a.unit_cost),
                       float(a.total), a.get_fund_source_display(), months, a.person_in_charge]  # fmt: skip


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def report_page(request, npsn, year, kind):
    """The analysis, RKS, RKT or monev report of a cycle: on the page, as PDF with its signature block,
    or as XLSX."""
    if kind not in documents.KINDS:
        raise Http404
    cycle = _cycle(request, npsn, year)
    try:
        chosen = int(request.GET.get("tahun") or request.GET.get("year") or cycle.year)
    except ValueError:
        chosen = cycle.year
    report = documents.build(kind, cycle, chosen)
    filename = f"{kind}-{cycle.school.npsn}-{report.year or cycle.year}"
    context = {"cycle": cycle, "school": cycle.school, "report": report}
    if request.GET.get("format") == "pdf":
        context["signers"] = services.signers(cycle.school)
        return pdf_response(render_pdf(request, "cycle/report_pdf.html", context), filename)
    if request.GET.get("format") == "xlsx":
        school = cycle.school
        heading = f"{report.title} {report.year or cycle.year} — {school.name} (NPSN {school.npsn})"
        return documents.ReportExporter(report, filename, heading).xlsx_response()
    return render(request, "cycle/report.html", context)


class ImplementationForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = implementation.FIELDS
        widgets = {
            # A date field shows and sends ISO dates: the locale's 02-03-2026 would come back empty.
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "finished_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        localized_fields = ["actual_cost"]
        field_classes = {"actual_cost": MoneyField}


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (PDF, photo or office document)"), required=False)
    link = forms.URLField(label=gettext_lazy("or a link"), required=False, max_length=500, assume_scheme="https")
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=200)


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def implementation_page(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    rows = list(implementation.activities(cycle).prefetch_related("nodes", "evidence"))
    can_edit = implementation.editable(request.user, cycle)
    for activity in rows:
        activity.live_evidence = [e for e in activity.evidence.all() if e.removed_at is None]
        if can_edit:
            activity.form = ImplementationForm(instance=activity, prefix=f"i{activity.pk}")
            activity.evidence_form = EvidenceForm(prefix=f"e{activity.pk}")
    programs = {}
    for activity in rows:
        programs.setdefault(activity.program, []).append(activity)
    overall = implementation.realisation(rows, cycle.year)
    context = {
        "cycle": cycle,
        "school": cycle.school,
        "programs": [
            {"program": p, "activities": acts, "progress": implementation.realisation(acts, cycle.year)}
            for p, acts in programs.items()
        ],
        "done": overall.done,
        "spent": overall.realised,
        "editable": can_edit,
        "document": implementation.implementation_document(cycle),
    }
    return render(request, "cycle/implementation.html", context)


def _activity(request, npsn, year, pk):
    """An activity of the cycle's own year: later years of the plan are implemented in their cycle."""
    return get_object_or_404(implementation.activities(_cycle(request, npsn, year)), pk=pk)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def implementation_record(request, npsn, year, pk):
    activity = _activity(request, npsn, year, pk)
    form = ImplementationForm(request.POST, instance=Activity.objects.get(pk=pk), prefix=f"i{pk}")
    try:
        if not form.is_valid():
            raise services.CycleError(form_errors(form))
        implementation.record(actor=request.user, activity=activity, data=form.cleaned_data)
        messages.success(request, _("“%(name)s” is saved.") % {"name": activity.name})
    except services.CycleError as exc:
        messages.error(
            request, _("Nothing was saved for “%(name)s”: %(reason)s") % {"name": activity.name, "reason": exc}
        )
    return redirect(reverse("cycle:implementation", args=[npsn, year]) + f"#activity-{pk}")


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def evidence_add(request, npsn, year, pk):
    activity = _activity(request, npsn, year, pk)
    form = EvidenceForm(request.POST, request.FILES, prefix=f"e{pk}")
    try:
        if not form.is_valid():
            raise services.CycleError(form_errors(form, labelled=False))
        implementation.add_evidence(
            actor=request.user,
            activity=activity,
            upload=form.cleaned_data["file"],
            link=form.cleaned_data["link"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, _("The evidence is attached to “%(name)s”.") % {"name": activity.name})
    except services.CycleError as exc:
        messages.error(request, _("The evidence was not attached: %(reason)s") % {"reason": exc})
    return redirect(reverse("cycle:implementation", args=[npsn, year]) + f"#activity-{pk}")


def _evidence(request, npsn, year, pk, removed=False):
    evidence = Evidence.objects.select_related("activity__program__cycle__school")
    if not removed:
        evidence = evidence.filter(removed_at__isnull=True)
    return get_object_or_404(evidence, activity__program__cycle=_cycle(request, npsn, year), pk=pk)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def evidence_remove(request, npsn, year, pk):
    evidence = _evidence(request, npsn, year, pk, removed=True)  # removing twice changes nothing
    try:
        implementation.remove_evidence(actor=request.user, evidence=evidence)
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("cycle:implementation", args=[npsn, year]) + f"#activity-{evidence.activity_id}")


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def evidence_download(request, npsn, year, pk):
    """Evidence files only through here: the school in the user's view, always as an attachment."""
    evidence = _evidence(request, npsn, year, pk)
    if not evidence.file:
        raise Http404
    return uploads.download(evidence.file, evidence.original_name)


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["target", "achieved", "met", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class DecisionForm(forms.ModelForm):
    class Meta:
        model = StandardDecision
        fields = ["decision", "own_target", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        localized_fields = ["own_target"]


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def monev_page(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    can_edit = evaluation.editable(request.user, cycle, Step.MONEV)
    programs = list(cycle.programs.prefetch_related("evaluations", "activities"))
    for program in programs:
        done = {e.dimension: e for e in program.evaluations.all()}
        program.rows = [
            {
                "dimension": dimension,
                "evaluation": done.get(dimension.value),
                "form": EvaluationForm(instance=done.get(dimension.value), prefix=f"m{program.pk}-{dimension.value}")
                if can_edit
                else None,
            }
            for dimension in Dimension
        ]
        program.progress = implementation.realisation(program.activities.all(), cycle.year)
    context = {"cycle": cycle, "school": cycle.school, "programs": programs, "editable": can_edit}
    return render(request, "cycle/monev.html", context)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def monev_save(request, npsn, year, pk, dimension):
    cycle = _cycle(request, npsn, year)
    program = get_object_or_404(Program, cycle=cycle, pk=pk)
    if dimension not in Dimension.values:
        raise Http404
    form = EvaluationForm(request.POST, prefix=f"m{pk}-{dimension}")
    save(
        request,
        form,
        lambda data: evaluation.evaluate(actor=request.user, program=program, dimension=dimension, data=data),
    )
    return redirect(reverse("cycle:monev", args=[npsn, year]) + f"#program-{pk}")


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def standards_page(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    read_only = evaluation.read_only_reason(request.user, cycle, Step.STANDARDS)
    can_edit = read_only is None
    decided = {d.node_id: d for d in cycle.decisions.all()}
    rapor = analysis.rapor_for(cycle)
    values = analysis.node_scores(rapor) if rapor else {}
    rows = [
        {
            "node": node,
            "score": values.get(node.pk),
            "decision": decided.get(node.pk),
            "form": DecisionForm(instance=decided.get(node.pk), prefix=f"s{node.pk}") if can_edit else None,
        }
        for node in evaluation.standards(cycle)
    ]
    context = {
        "cycle": cycle,
        "school": cycle.school,
        "rows": rows,
        "editable": can_edit,
        "read_only": read_only,
        "documents": SchoolDocument.objects.filter(school=cycle.school),
        "document_form": SchoolDocumentForm() if services.may(request.user, Perm.CYCLE_EDIT, cycle.school) else None,
        "national": evaluation.national_target(cycle) if rapor else None,
    }
    return render(request, "cycle/standards.html", context)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def standards_save(request, npsn, year, pk):
    cycle = _cycle(request, npsn, year)
    node = next((n for n in evaluation.standards(cycle) if n.pk == pk), None)
    if node is None:
        raise Http404
    form = DecisionForm(request.POST, prefix=f"s{pk}")
    save(request, form, lambda data: evaluation.decide(actor=request.user, cycle=cycle, node=node, data=data))
    return redirect(reverse("cycle:standards", args=[npsn, year]) + f"#standard-{pk}")


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def thread_page(request, npsn, year, code):
    cycle = _cycle(request, npsn, year)
    node = Node.objects.filter(code=code, kind=Node.Kind.SUBINDICATOR).order_by("-version_id").first()
    if node is None:
        raise Http404
    context = {"cycle": cycle, "school": cycle.school, "node": node} | thread.school_thread(cycle, code)
    return render(request, "cycle/thread.html", context)


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def overview(request):
    """How far the weak indicators of the user's schools got: planned, funded, done, evaluated."""
    year = _year(request)
    totals = thread.region_thread(area_for(request.user, Perm.CYCLE_VIEW).school_q(), year)
    late, follow_ups = monitoring.behind(request.user, year)
    schools = Paginator(monitoring.behind_schools(request.user, year), 50).get_page(request.GET.get("page"))
    context = {"year": year, "totals": totals, "late": late, "open_follow_ups": follow_ups, "behind": schools}
    context["query"] = f"year={year}"
    context["deadlines"] = monitoring.deadlines_set(request.user, year)
    return render(request, "cycle/overview.html", context)


class SchoolDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    file = forms.FileField(label=gettext_lazy("File (PDF or office document)"))


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def document_upload(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    form = SchoolDocumentForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: evaluation.upload_document(
            actor=request.user, school=cycle.school, kind=data["kind"], title=data["title"], upload=data["file"]
        ),
        lambda document: (
            _("“%(title)s” version %(version)s is stored.") % {"title": document.title, "version": document.version}
        ),
        labelled=False,
    )
    return redirect(reverse("cycle:standards", args=[npsn, year]) + "#documents")


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def document_download(request, npsn, year, pk):
    cycle = _cycle(request, npsn, year)
    document = get_object_or_404(SchoolDocument, school=cycle.school, pk=pk)
    return uploads.download(document.file, document.original_name)


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def distinctive_save(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    text = request.POST.get("text", "")[:4000]
    save(request, None, lambda _data: evaluation.set_distinctive_program(actor=request.user, cycle=cycle, text=text))
    return redirect(reverse("cycle:standards", args=[npsn, year]) + "#distinctive")


class VisitForm(forms.Form):
    """A visit in two steps: the date, the schools and the follow-up deadline; then, for each school
    chosen, its own findings and recommendations (a joint visit keeps them apart)."""

    visited_on = forms.DateField(
        label=gettext_lazy("Visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    schools = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Schools"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    follow_up_due = forms.DateField(
        label=gettext_lazy("Follow-up due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    step = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        schools = self.fields["schools"]
        schools.queryset = monitoring.reviewable_schools(user)
        if schools.queryset.count() > SearchSelect.LIMIT:  # a pengawas ticks boxes; a province searches
            schools.widget = SearchSelectMultiple(SCHOOL_SEARCH)
            schools.widget.choices = schools.choices
        self.chosen = list(chosen)
        for school in self.chosen:
            self.fields[f"findings_{school.pk}"] = forms.CharField(
                label=_("Findings at %(school)s") % {"school": school.name},
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
            )
            self.fields[f"recommendations_{school.pk}"] = forms.CharField(
                label=_("Recommendations for %(school)s") % {"school": school.name},
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
            )

    def reports(self):
        data = self.cleaned_data
        return [(s, data[f"findings_{s.pk}"], data[f"recommendations_{s.pk}"]) for s in self.chosen]


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.CYCLE_VIEW)
def visits(request):
    """Monitoring visits to the user's schools; pengawas and LPMP record them here."""
    can_record = has_perm(request.user, Perm.CYCLE_REVIEW)
    form = search_in(request.GET, VisitForm(user=request.user)) if can_record else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        ids = [v for v in request.POST.getlist("schools") if v.isdigit()]
        chosen = monitoring.reviewable_schools(request.user).filter(pk__in=ids)
        finishing = request.POST.get("step") == "findings"
        form = VisitForm(request.POST, user=request.user, chosen=chosen if finishing else ())
        try:
            if not form.is_valid():
                raise services.CycleError(form_errors(form, labelled=False))
            if not finishing:  # second step: the findings of each school chosen, the rest kept as typed
                step = {**form.cleaned_data, "step": "findings"}
                form = VisitForm(initial=step, user=request.user, chosen=form.cleaned_data["schools"])
                messages.info(request, _("Now write what you found at each school visited."))
            else:
                monitoring.record_visit(actor=request.user, data=form.cleaned_data, reports=form.reports())
                messages.success(request, _("The visit is recorded."))
                return redirect("cycle:visits")
        except services.CycleError as exc:
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": exc})
            status = 422
    page = Paginator(monitoring.visits_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "cycle/visits.html", {"page": page, "form": form}, status=status)


@require_POST
@require_perm(Perm.CYCLE_VIEW)
def visit_follow_up(request, pk):
    report = get_object_or_404(monitoring.reports_for(request.user), pk=pk)
    note = request.POST.get("note", "")[:4000]
    save(request, None, lambda _data: monitoring.close_follow_up(actor=request.user, report=report, note=note))
    return redirect(reverse("cycle:visits") + f"#visit-{report.visit_id}")
