"""Grants, the regional government's support and the yearly evaluation of the model schools."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import uploads
from mutu.core.forms import form_errors
from mutu.core.saving import refused, save
from mutu.mapping.charts import standards_chart

from .. import effect, evaluation, selectors, services
from ..forms import (
    AgreementForm,
    ConfirmForm,
    GrantForm,
    RulesForm,
    SpendingForm,
    TpmpdForm,
)
from ..models import (
    Agreement,
    Grant,
    TpmpdMember,
    YearlyEvaluation,
)
from .common import Error, _cohort, _managed_cohort, _model_school, _number, _without


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def grant_save(request, pk, record):
    cohort = _managed_cohort(request, pk)
    record = _model_school(request, cohort, record)
    form = GrantForm(request.POST, instance=Grant.objects.filter(model_school=record).first())
    save(request, form, lambda data: services.save_grant(actor=request.user, model_school=record, data=data))
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#grant")


@require_POST
@require_perm(Perm.PROGRAMME_REPORT)
def spending_add(request, pk, record):
    cohort = _cohort(request, pk)
    record = _model_school(request, cohort, record)
    grant = get_object_or_404(Grant, model_school=record)
    form = SpendingForm(request.POST)
    save(request, form, lambda data: services.add_spending(actor=request.user, grant=grant, data=data))
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#grant")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def grants(request, pk):
    cohort = _cohort(request, pk)
    records = selectors.model_schools_for(request.user, cohort)
    summary = services.realisation(
        Grant.objects.filter(model_school__in=records).select_related("model_school__school")
    )
    return render(request, "programme/grants.html", {"cohort": cohort, "summary": summary})


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def regional(request, pk):
    cohort = _cohort(request, pk)
    manages = selectors.manages(request.user, cohort)
    province = cohort.province_id
    tpmpd_form = TpmpdForm(prefix="t", province=province) if manages else None
    agreement_form = AgreementForm(prefix="n", province=province) if manages else None
    if request.method == "POST":
        if not manages:
            raise Http404
        if request.POST.get("form") == "tpmpd":
            tpmpd_form = TpmpdForm(request.POST, prefix="t", province=province)
            saved = save(
                request,
                tpmpd_form,
                lambda data: services.add_tpmpd_member(actor=request.user, cohort=cohort, data=data),
            )
        else:
            agreement_form = AgreementForm(request.POST, request.FILES, prefix="n", province=province)
            saved = save(
                request,
                agreement_form,
                lambda data: services.save_agreement(
                    actor=request.user, cohort=cohort, data=_without(data, "upload"), upload=data.get("upload")
                ),
            )
        if saved:
            return redirect("programme:regional", pk=pk)
    area = area_for(request.user, Perm.PROGRAMME_VIEW)
    scope = Q() if manages else area.regency_q()
    context = {
        "cohort": cohort,
        "manages": manages,
        "members": TpmpdMember.objects.filter(scope, regency__province=province).select_related("regency"),
        "agreements": Agreement.objects.filter(scope, cohort=cohort).select_related("regency"),
        "tpmpd_form": tpmpd_form,
        "agreement_form": agreement_form,
    }
    return render(request, "programme/regional.html", context)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def agreement_file(request, pk, agreement):
    cohort = _cohort(request, pk)
    scope = Q() if selectors.manages(request.user, cohort) else area_for(request.user, Perm.PROGRAMME_VIEW).regency_q()
    item = get_object_or_404(Agreement.objects.filter(scope), cohort=cohort, pk=agreement)
    if not item.file:
        raise Http404
    return uploads.download(item.file, item.file_name or "kesepakatan.pdf")


def _evaluation_year(request, cohort):
    years = effect.years(cohort)
    chosen = _number(request.GET.get("year"))
    return chosen if chosen in years else years[-1]


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def evaluation_page(request, pk):
    cohort = _cohort(request, pk)
    year = _evaluation_year(request, cohort)
    manages = selectors.manages(request.user, cohort)
    rules_form = RulesForm(initial=RulesForm.initial_for(evaluation.rules_of(cohort))) if manages else None
    if request.method == "POST":
        if not manages:
            raise Http404
        if request.POST.get("form") == "rules":
            rules_form = RulesForm(request.POST)
            save(
                request,
                rules_form,
                lambda _data: evaluation.set_rules(actor=request.user, cohort=cohort, rules=rules_form.rules()),
            )
            return redirect(reverse("programme:evaluation", args=[pk]) + f"?year={year}")
        try:
            count = evaluation.compute(actor=request.user, cohort=cohort, year=year)
            messages.success(request, _("%(count)s scorecards computed.") % {"count": count})
        except Error as exc:
            refused(request, exc)
        return redirect(reverse("programme:evaluation", args=[pk]) + f"?year={year}")
    moved = evaluation.refresh(cohort, year)  # a scorecard reads its inputs as they are now
    records = selectors.model_schools_for(request.user, cohort)
    rows = YearlyEvaluation.objects.filter(model_school__in=records, year=year).select_related("model_school__school")
    effect_rows, effect_at = effect.stored(cohort, year) or (None, None)
    chart = _effect_chart(effect_rows) if effect_rows else None
    context = {
        "cohort": cohort,
        "year": year,
        "rows": rows,
        "manages": manages,
        "effect": effect_rows,
        "effect_at": effect_at,
        "chart": chart,
        "confirm_form": ConfirmForm(),
        "moved": moved,
        "rules_form": rules_form,
        "years": effect.years(cohort),
        "min_group": settings.MUTU_MIN_GROUP_SIZE,
    }
    return render(request, "programme/evaluation.html", context)


def _effect_chart(rows):
    groups = ("model", _("Model schools")), ("imbas", _("Imbas schools")), ("other", _("Other schools"))
    largest = max([abs(r[k]["mean"]) for r in rows for k, _n in groups if r[k]["mean"] is not None] + [0.5])
    return standards_chart(
        [r["regency"] for r in rows],
        [(name, [r[key]["mean"] for r in rows]) for key, name in groups],
        scale=largest,
        label=_("The programme's effect per kab/kota"),
    )


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def evaluation_confirm(request, pk, item, action):
    cohort = _managed_cohort(request, pk)
    item = get_object_or_404(YearlyEvaluation, model_school__cohort=cohort, pk=item)
    form = ConfirmForm(request.POST)
    try:
        if action == "confirm":
            if not form.is_valid():
                raise Error(form_errors(form))
            evaluation.confirm(actor=request.user, evaluation=item, **form.cleaned_data)
        elif action == "reopen":
            evaluation.reopen(actor=request.user, evaluation=item, note=request.POST.get("note", ""))
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except Error as exc:
        refused(request, exc)
    return redirect(reverse("programme:evaluation", args=[pk]) + f"?year={item.year}")
