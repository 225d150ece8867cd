"""Implementation: what each activity did and spent, with its evidence."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.core import uploads
from mutu.core.forms import MoneyField, form_errors

from .. import implementation, services
from ..models import (
    Activity,
    Evidence,
)
from .common import _cycle


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
