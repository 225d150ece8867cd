"""Pengawas and LPMP visits to schools, their findings and follow-ups."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.core.forms import SCHOOL_SEARCH, SearchSelect, SearchSelectMultiple, form_errors, search_in
from mutu.core.saving import save

from .. import monitoring, services


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
    form = search_in(request, VisitForm(user=request.user)) if can_record else None
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
