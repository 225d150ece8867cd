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


PROPOSALS_SHOWN = 25  # proposals listed before “show all”


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
