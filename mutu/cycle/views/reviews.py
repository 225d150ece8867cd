"""Monitoring and evaluation, new standards, the golden thread and the school's SPMI documents."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import uploads
from mutu.core.saving import save
from mutu.instruments.models import Node

from .. import analysis, evaluation, implementation, monitoring, services, thread
from ..models import (
    Dimension,
    DocumentKind,
    Evaluation,
    Program,
    SchoolDocument,
    StandardDecision,
    Step,
)
from .common import _cycle, _year


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
