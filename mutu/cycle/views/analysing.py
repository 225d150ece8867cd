"""Analysis: choosing the weak sub-indicators of the rapor and analysing their causes."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.core.forms import form_errors
from mutu.pbd import planning as pbd

from .. import analysis, services
from ..models import (
    Problem,
)
from .common import _cycle


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = analysis.FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in analysis.FIELDS}


class ReflectionForm(ProblemForm):
    """Refleksi of a Rapor Pendidikan indicator: the sub-indicator where the cause lies, then the rest."""

    class Meta(ProblemForm.Meta):
        fields = ["root_indicator", *analysis.FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        children = self.instance.indicator.children.order_by("position")
        self.fields["root_indicator"].queryset = children
        self.fields["root_indicator"].required = False
        self.fields["root_indicator"].label_from_instance = lambda i: f"{i.code} {i.name}"
        if not children:
            del self.fields["root_indicator"]


def problem_form(problem, data=None):
    form = ReflectionForm if problem.from_rapor_pendidikan else ProblemForm
    return form(data, instance=problem, prefix=f"p{problem.pk}")


PROPOSALS_SHOWN = 25  # proposals listed before “show all”


@require_safe
@require_perm(Perm.CYCLE_VIEW)
def analysis_page(request, npsn, year):
    cycle = _cycle(request, npsn, year)
    rapor, proposals, below = analysis.propose(cycle)
    rp_year, rp_lines = pbd.propose(cycle)
    problems = list(cycle.problems.select_related("node", "round", "indicator", "root_indicator"))
    chosen = {p.node_id for p in problems}
    proposals = [p for p in proposals if p.node.id not in chosen]
    chosen_codes = {p.indicator.code for p in problems if p.indicator_id}
    shown = proposals if request.GET.get("semua") else proposals[:PROPOSALS_SHOWN]
    document = analysis.analysis_document(cycle)
    editable = analysis.editable(request.user, cycle)
    for problem in problems:
        problem.form = problem_form(problem)
        problem.library = analysis.root_causes(problem)
    context = {
        "cycle": cycle,
        "school": cycle.school,
        "rp_year": rp_year,
        "rp_lines": [line for line in rp_lines if line.indicator.code not in chosen_codes],
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
    node, indicator = request.POST.get("node", ""), request.POST.get("indicator", "")
    try:
        if indicator:
            analysis.choose_indicator(
                actor=request.user, cycle=cycle, indicator_id=int(indicator) if indicator.isdigit() else None
            )
        else:
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
            form = problem_form(Problem.objects.get(pk=pk), request.POST)
            if not form.is_valid():
                messages.error(request, _("The analysis of %(code)s was not saved: %(errors)s") % {
                    "code": problem.code, "errors": form_errors(form, labelled=False),
                })  # fmt: skip
                return redirect("cycle:analysis", npsn=npsn, year=year)
            analysis.save(actor=request.user, problem=problem, data=form.cleaned_data)
            messages.success(request, _("The analysis of %(code)s is saved.") % {"code": problem.code})
        elif action == "remove":
            analysis.remove(actor=request.user, problem=problem)
        elif action in ("up", "down"):
            analysis.reorder(
                actor=request.user,
                problem=problem,
                offset=-1 if action == "up" else 1,
                reason=request.POST.get("order_reason", ""),
            )
        else:
            raise Http404
    except services.CycleError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("cycle:analysis", args=[npsn, year]) + f"#problem-{pk}")
