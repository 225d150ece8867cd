"""Cohorts and their schools: proposing, designating, imbas schools and their visits, the network, and
the province's letterhead."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import uploads
from mutu.core.forms import form_errors, search_in
from mutu.core.saving import refused, save
from mutu.regions.models import Province
from mutu.schools.models import School

from .. import offices, selectors, services
from ..forms import (
    CohortForm,
    CriteriaForm,
    GrantForm,
    ImbasForm,
    ImbasVisitForm,
    MoveForm,
    OfficeForm,
    ProposeForm,
    SpendingForm,
)
from ..models import (
    Grant,
    ImbasSchool,
    ImbasVisit,
    ModelSchoolStatus,
    Office,
)
from .common import Error, _cohort, _labelled, _managed_cohort, _model_school, _without


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def home(request):
    provinces = area_for(request.user, Perm.PROGRAMME_MANAGE).whole_provinces()
    form = (
        CohortForm(request.POST or None, provinces=provinces) if has_perm(request.user, Perm.PROGRAMME_MANAGE) else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                cohort = services.create_cohort(actor=request.user, **form.cleaned_data)
            except Error as exc:
                refused(request, exc)
            else:
                messages.success(request, _("The cohort is created."))
                return redirect("programme:cohort", pk=cohort.pk)
        else:
            refused(request, form_errors(form))
    cohorts = selectors.cohorts_for(request.user).annotate(event_count=Count("events", distinct=True))
    page = Paginator(cohorts.order_by("-year", "name"), 50).get_page(request.GET.get("page"))
    counts = selectors.model_school_counts(request.user, page.object_list)
    for cohort in page.object_list:
        cohort.models, cohort.candidates = (counts.get((cohort.pk, s), 0) for s in ("ditetapkan", "calon"))
    context = {"page": page, "form": form, "offices": provinces.order_by("name") if provinces.count() <= 40 else []}
    return render(request, "programme/home.html", context)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def cohort_page(request, pk):
    cohort = _cohort(request, pk)
    records = (
        selectors.model_schools_for(request.user, cohort)
        .annotate(imbas_count=Count("imbas"))
        .order_by("school__regency__code", "school__name", "pk")
    )
    status = request.GET.get("status", "")
    if status in ModelSchoolStatus.values:
        records = records.filter(status=status)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    rapor = selectors.latest_rapor([r.school_id for r in page.object_list])
    for record in page.object_list:
        record.rapor = rapor.get(record.school_id)
    propose_form = None
    if has_perm(request.user, Perm.PROGRAMME_PROPOSE):
        schools = (
            School.objects.filter(
                area_for(request.user, Perm.PROGRAMME_PROPOSE).school_q(), province=cohort.province_id
            )
            .exclude(pk__in=cohort.model_schools.values("school_id"))
            .exclude(pk__in=cohort.imbas_schools.values("school_id"))
            .select_related("regency")
            .order_by("name")
        )
        propose_form = search_in(request, ProposeForm(schools=schools))
    context = {
        "cohort": cohort,
        "page": page,
        "status": status,
        "statuses": ModelSchoolStatus.choices,
        "manages": selectors.manages(request.user, cohort),
        "propose_form": propose_form,
        "events": selectors.events_for(request.user).filter(cohort=cohort).annotate(n=Count("participants")),
        "coverage": services.coverage(
            cohort, selectors.model_schools_for(request.user, cohort), selectors.imbas_for(request.user, cohort)
        ),
        "query": f"status={status}" if status else "",
        # An empty list says why: a filter, a scope that holds none of the cohort's schools, or none yet.
        "in_cohort": cohort.model_schools.count(),
        "designated_in_cohort": cohort.model_schools.filter(status=ModelSchoolStatus.DESIGNATED).count(),
    }
    return render(request, "programme/cohort.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_PROPOSE)
def propose(request, pk):
    cohort = _cohort(request, pk)
    schools = School.objects.filter(area_for(request.user, Perm.PROGRAMME_PROPOSE).school_q())
    form = ProposeForm(request.POST, request.FILES, schools=schools)
    if not form.is_valid():
        refused(request, form_errors(form))
        return redirect("programme:cohort", pk=pk)
    data = form.cleaned_data
    try:
        record = services.propose(
            actor=request.user,
            cohort=cohort,
            school=data["school"],
            commitment=data["commitment"],
            regional_support=data["regional_support"],
            support_note=data["support_note"],
            note=data["note"],
        )
    except Error as exc:
        refused(request, exc)
        return redirect("programme:cohort", pk=pk)
    messages.success(request, _("%(school)s is proposed.") % {"school": record.school.name})
    return redirect("programme:model_school", pk=pk, record=record.pk)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def model_school(request, pk, record):
    cohort = _cohort(request, pk)
    record = _model_school(request, cohort, record)
    manages = selectors.manages(request.user, cohort)
    imbas = list(record.imbas.select_related("school__district").prefetch_related("visits"))
    grant = Grant.objects.filter(model_school=record).prefetch_related("spending").first()
    reporter = services.may_report(request.user, record)
    context = {
        "cohort": cohort,
        "record": record,
        "rapor": selectors.latest_rapor([record.school_id]).get(record.school_id),
        "history": _labelled(services.history(record), ModelSchoolStatus),
        "manages": manages,
        "moves": [t.name for t in record.get_available_status_transitions()] if manages else [],
        "move_form": MoveForm(),
        "criteria_form": CriteriaForm(
            initial={"regional_support": record.regional_support, "support_note": record.regional_support_note}
        )
        if services.may_complete(request.user, record)
        else None,
        "replacements": cohort.model_schools.filter(status=ModelSchoolStatus.CANDIDATE)
        .exclude(pk=record.pk)
        .select_related("school"),
        "imbas": imbas,
        "suggestions": services.imbas_suggestions(record)
        if manages and record.status == ModelSchoolStatus.DESIGNATED and len(imbas) < cohort.imbas_target
        else [],
        "imbas_form": search_in(request, ImbasForm(schools=services.imbas_choices(record)))
        if manages and record.status == ModelSchoolStatus.DESIGNATED and len(imbas) < cohort.imbas_target
        else None,
        "visit_form": ImbasVisitForm() if reporter else None,
        "grant": grant,
        "grant_form": GrantForm(instance=grant)
        if manages and record.status in (ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED)
        else None,
        "spending_form": SpendingForm() if grant and reporter else None,
        "spent": sum((line.amount for line in grant.spending.all()), 0) if grant else 0,
    }
    return render(request, "programme/model_school.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_VIEW)
def criteria(request, pk, record):
    cohort = _cohort(request, pk)
    record = _model_school(request, cohort, record)
    if not services.may_complete(request.user, record):
        raise Http404
    form = CriteriaForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: services.complete_criteria(
            actor=request.user,
            record=record,
            commitment=data["commitment"],
            regional_support=data["regional_support"],
            support_note=data["support_note"],
        ),
    )
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#criteria")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def move(request, pk, record, name):
    cohort = _managed_cohort(request, pk)
    record = _model_school(request, cohort, record)
    form = MoveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    replacement = None
    if data.get("replacement"):
        replacement = cohort.model_schools.filter(pk=data["replacement"]).first()
    try:
        services.move(
            actor=request.user,
            record=record,
            name=name,
            note=data.get("note", ""),
            decree_number=data.get("decree_number", ""),
            decree_date=data.get("decree_date"),
            replacement=replacement,
        )
    except Error as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("programme:model_school", pk=pk, record=record.pk)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def commitment(request, pk, record):
    record = _model_school(request, _cohort(request, pk), record)
    if not record.commitment:
        raise Http404
    return uploads.download(record.commitment, record.commitment_name or "komitmen")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def imbas_add(request, pk, record):
    cohort = _managed_cohort(request, pk)
    record = _model_school(request, cohort, record)
    form = ImbasForm(request.POST, schools=School.objects.filter(province=cohort.province_id))
    save(
        request,
        form,
        lambda data: services.add_imbas(actor=request.user, model_school=record, **data),
        lambda imbas: (
            _("%(school)s is an imbas school of %(model)s.")
            % {"school": imbas.school.name, "model": record.school.name}
        ),
    )
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#imbas")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def imbas_remove(request, pk, imbas):
    cohort = _managed_cohort(request, pk)
    imbas = get_object_or_404(ImbasSchool, cohort=cohort, pk=imbas)
    try:
        services.remove_imbas(actor=request.user, imbas=imbas)
    except Error as exc:
        refused(request, exc)
    return redirect(reverse("programme:model_school", args=[pk, imbas.model_school_id]) + "#imbas")


@require_POST
@require_perm(Perm.PROGRAMME_REPORT)
def imbas_visit(request, pk, imbas):
    cohort = _cohort(request, pk)
    imbas = get_object_or_404(selectors.imbas_for(request.user, cohort), pk=imbas)
    form = ImbasVisitForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: services.record_imbas_visit(
            actor=request.user, imbas=imbas, data=_without(data, "evidence_file"), evidence=data.get("evidence_file")
        ),
        lambda _visit: _("The visit is recorded."),
    )
    return redirect(reverse("programme:model_school", args=[pk, imbas.model_school_id]) + "#imbas")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def imbas_evidence(request, pk, visit):
    cohort = _cohort(request, pk)
    visit = get_object_or_404(ImbasVisit, imbas__in=selectors.imbas_for(request.user, cohort), pk=visit)
    if not visit.evidence:
        raise Http404
    return uploads.download(visit.evidence, visit.evidence_name or "bukti")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def network(request, pk):
    """Model → imbas schools per kab/kota."""
    cohort = _cohort(request, pk)
    records = selectors.model_schools_for(request.user, cohort).filter(
        status__in=[ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED]
    )
    imbas = selectors.imbas_for(request.user, cohort).annotate(visit_count=Count("visits"))
    by_model = {}
    for row in imbas:
        by_model.setdefault(row.model_school_id, []).append(row)
    regencies = {}
    for record in records:
        record.network = by_model.get(record.pk, [])
        regencies.setdefault(record.school.regency, []).append(record)
    groups = sorted(regencies.items(), key=lambda item: (item[0].kind, item[0].name))
    return render(request, "programme/network.html", {"cohort": cohort, "groups": groups})


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_MANAGE)
def office(request, code):
    """The province's LPMP/BPMP as its letters and certificates carry it."""
    province = get_object_or_404(Province, code=code)
    if not offices.manages_office(request.user, province):
        raise Http404
    current = Office.objects.filter(province=province).first()
    form = OfficeForm(request.POST or None, request.FILES or None, instance=current)
    status = 200
    if request.method == "POST":
        saved = save(
            request,
            form,
            lambda data: offices.save_office(
                actor=request.user,
                province=province,
                data=data,
                logo=data["logo_file"],
                remove_logo=data["remove_logo"],
            ),
            lambda _office: (
                _("The letterhead of %(province)s is saved; letters and certificates made from now on carry it.")
                % {"province": province.name}
            ),
        )
        if saved is not None:
            return redirect("programme:office", code=code)
        status = 422
    context = {"province": province, "office": current, "form": form, "letterhead": offices.letterhead(province)}
    return render(request, "programme/office.html", context, status=status)
