"""Planning: programs and activities (RKS/RKT), the RKAS budget and the plan's reports."""

import tempfile

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.core import dates, uploads
from mutu.core.exporters import ListExporter
from mutu.core.forms import MoneyField, SearchSelectMultiple, search_in
from mutu.core.pdf import pdf_response, render_pdf
from mutu.core.saving import save
from mutu.pbd import worksheets
from mutu.pbd.selectors import suggested_practices

from .. import documents, planning, services
from ..models import (
    Activity,
    BudgetLine,
    Program,
)
from .common import _cycle

MONTHS = [(m, MONTH_NAMES[m]) for m in range(1, 13)]


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "goal", "problems"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 2}), "problems": forms.CheckboxSelectMultiple}

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = cycle.problems.select_related("node", "indicator")
        self.fields["problems"].label_from_instance = lambda p: f"{p.code} {p.title[:80]}"
        if not self.fields["problems"].queryset.exists():  # an empty list of boxes says nothing by itself
            self.fields["problems"].help_text = _("No problem is chosen yet: choose them in the rapor analysis first.")


class ActivityForm(forms.ModelForm):
    months = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Months"), choices=MONTHS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Activity
        fields = [
            "year", "name", "indicator", "target", "volume", "unit", "unit_cost", "fund_source", "months",
            "person_in_charge", "nodes", "description", "needs_budget", "arkas_post",
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


class BudgetLineForm(forms.ModelForm):
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), choices=MONTHS, coerce=int)

    class Meta:
        model = BudgetLine
        fields = ["code", "arkas_activity", "item", "month", "quantity", "unit", "unit_cost"]
        localized_fields = ["quantity", "unit_cost"]
        field_classes = {"unit_cost": MoneyField}


def _plan_context(request, cycle):
    can_edit = planning.editable(request.user, cycle)
    programs = list(
        cycle.programs.prefetch_related(
            "problems__node", "problems__indicator", "activities__nodes", "activities__budget_lines"
        )
    )
    for program in programs:
        program.rp_codes = [p.code for p in program.problems.all() if p.indicator_id]
        program.form = ProgramForm(instance=program, cycle=cycle, prefix=f"g{program.pk}")
        program.new_activity = search_in(request, ActivityForm(cycle=cycle, prefix=f"n{program.pk}"))
        for activity in program.activities.all():
            activity.line_form = BudgetLineForm(prefix=f"l{activity.pk}")
            activity.lines_total = sum((line.total for line in activity.budget_lines.all()), 0)
            activity.form = search_in(
                request,
                ActivityForm(
                    instance=activity, cycle=cycle, prefix=f"a{activity.pk}", initial={"months": activity.months}
                ),
            )
    orphans, unanswered = planning.flags(cycle)
    rp_codes = list(cycle.problems.filter(indicator__isnull=False).values_list("indicator__code", flat=True))
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
        "has_rp_problems": bool(rp_codes),
        "practices": suggested_practices(request.user, cycle.school, rp_codes) if rp_codes else [],
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
def budget_line(request, npsn, year, activity_pk, pk=None):
    """Add a line of the ARKAS design to an activity, or remove one."""
    cycle = _cycle(request, npsn, year)
    activity = get_object_or_404(Activity, program__cycle=cycle, pk=activity_pk)
    if pk:
        line = get_object_or_404(BudgetLine, activity=activity, pk=pk)
        if not request.POST.get("delete"):  # the line's only action is its removal, asked for by name
            return _plan_redirect(npsn, year, f"activity-{activity.pk}")
        action = lambda: planning.delete_budget_line(actor=request.user, line=line)  # noqa: E731
    else:
        form = BudgetLineForm(request.POST, prefix=f"l{activity.pk}")
        if not form.is_valid():
            return _plan_invalid(request, cycle, form, f"activity-{activity.pk}")
        action = lambda: planning.save_budget_line(actor=request.user, activity=activity, data=form.cleaned_data)  # noqa: E731
    save(request, None, lambda _data: action())
    return _plan_redirect(npsn, year, f"activity-{activity.pk}")


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def worksheet(request, npsn, year):
    """The Lembar Kerja RKT and Rancangan ARKAS of the cycle's Rapor Pendidikan problems."""
    cycle = _cycle(request, npsn, year)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by the response
    worksheets.write(cycle, handle.name)
    return FileResponse(
        open(handle.name, "rb"),  # noqa: SIM115
        as_attachment=True,
        filename=f"lembar-kerja-rkt-arkas-{npsn}-{year}.xlsx",
    )


class WorksheetForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled worksheet (XLSX)"))


@require_POST
@require_perm(Perm.CYCLE_EDIT)
def worksheet_import(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    form = WorksheetForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the filled worksheet to upload."))
        return _plan_redirect(npsn, year, "worksheet")
    upload = form.cleaned_data["file"]
    try:
        uploads.check_named(upload, ["xlsx"])
    except uploads.UploadRefused as exc:
        messages.error(request, str(exc))
        return _plan_redirect(npsn, year, "worksheet")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        report = worksheets.apply(actor=request.user, cycle=cycle, path=handle.name)
    if report.errors:
        context = _plan_context(request, cycle)
        context["worksheet_errors"] = report.errors
        messages.error(request, _("Nothing was saved: correct these rows and upload the worksheet again."))
        return render(request, "cycle/plan.html", context, status=422)
    messages.success(
        request,
        _("The worksheet is in the plan: %(activities)s activities, %(lines)s ARKAS lines.")
        % {"activities": report.activities, "lines": report.lines},
    )
    return _plan_redirect(npsn, year)


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
