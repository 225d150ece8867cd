from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import documents
from mutu.core.pdf import pdf_response, render_pdf
from mutu.instruments import selectors as instrument_selectors
from mutu.instruments.models import Node
from mutu.schools.selectors import school_for_user

from . import rapor as rapor_lib
from . import selectors, services
from .forms import AddRespondentsForm, RoundForm, VerificationForm
from .models import Milestone, RegionScore, Respondent, ScoringPart, ScoringRun


@require_safe
@require_perm(Perm.ROUND_VIEW)
def round_list(request):
    page = Paginator(selectors.rounds_for_user(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request, "mapping/round_list.html", {"page": page, "can_create": has_perm(request.user, Perm.ROUND_MANAGE)}
    )


OWN_SCHOOLS = 3  # a round page of this few schools is a school's own: it links each school's pages


@require_safe
@require_perm(Perm.ROUND_VIEW)
def round_progress(request, pk):
    round_ = selectors.round_for_user(request.user, pk)
    schools = selectors.round_schools(request.user, round_)
    area = area_for(request.user, Perm.ROUND_VIEW)
    progress = selectors.region_progress(round_, schools, area, province=request.GET.get("province"))
    lagging = Paginator(progress["lagging"], 50).get_page(request.GET.get("page"))
    run = round_.scoring_runs.select_related("requested_by").first()
    if run and run.state in ScoringRun.ACTIVE:
        services.recover_parts()  # a province whose worker died goes back to the queue
        run.refresh_from_db()
    parts = list(run.parts.select_related("province")) if run else []
    return render(
        request,
        "mapping/round_progress.html",
        {
            "round": round_,
            "progress": progress,
            "page": lagging,
            "can_manage": selectors.can_manage_round(request.user, round_),
            "scoring_run": run,
            "scoring_parts": parts,
            "parts_done": sum(part.state == ScoringPart.State.DONE for part in parts),
            "can_export_responses": has_perm(request.user, Perm.RESPONSES_EXPORT),
            # A school's own staff go straight to its respondents, code sheet and rapor.
            "own_schools": list(schools.order_by("name")[:OWN_SCHOOLS]) if progress["total"] <= OWN_SCHOOLS else [],
            "manages_respondents": has_perm(request.user, Perm.RESPONDENT_MANAGE),
        },
    )


def _school_in_round(request, pk, npsn, perm=Perm.ROUND_VIEW):
    round_ = selectors.round_for_user(request.user, pk)
    school = school_for_user(request.user, npsn, perm)
    if round_.province_id and school.province_id != round_.province_id:
        raise Http404
    return round_, school


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.ROUND_VIEW)
def school_respondents(request, pk, npsn):
    round_, school = _school_in_round(request, pk, npsn)
    can_manage = has_perm(request.user, Perm.RESPONDENT_MANAGE) and school_for_user_or_none(
        request.user, npsn, Perm.RESPONDENT_MANAGE
    )
    form = AddRespondentsForm(request.POST or None, quotas=round_.quotas.get(school.level, {}))
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            services.add_respondents(
                actor=request.user,
                round_=round_,
                school=school,
                respondent_type=form.cleaned_data["respondent_type"],
                count=form.cleaned_data["count"],
            )
            messages.success(request, _("Respondents added. Print their codes and hand them out."))
            return redirect("mapping:respondents", pk=round_.pk, npsn=school.npsn)
    rows, complete = selectors.school_progress(round_, school)
    slots = (
        Respondent.objects.filter(round=round_, school=school).only(
            "respondent_type", "number", "code", "submitted_at", "draft"
        )
        if can_manage
        else Respondent.objects.none()
    )
    return render(
        request,
        "mapping/respondents.html",
        {
            "round": round_,
            "school": school,
            "rows": rows,
            "complete": complete,
            "form": form,
            "can_manage": bool(can_manage),
            "slots": slots,
        },
    )


def school_for_user_or_none(user, npsn, perm):
    try:
        return school_for_user(user, npsn, perm)
    except Http404:
        return None


@require_safe
@require_perm(Perm.RESPONDENT_MANAGE)
def respondent_sheet(request, pk, npsn):
    round_, school = _school_in_round(request, pk, npsn, Perm.RESPONDENT_MANAGE)
    slots = Respondent.objects.filter(round=round_, school=school, submitted_at__isnull=True)
    return pdf_response(rapor_lib.respondent_sheet_pdf(request, round_, school, slots), f"kode-responden-{school.npsn}")


def _report(request, context, *, template, pdf_template, filename, exporter=None):
    """The page, or its PDF (?format=pdf) or XLSX (?format=xlsx, given an exporter) from the same context."""
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return pdf_response(render_pdf(request, pdf_template, context), filename)
    if fmt == "xlsx" and exporter:
        return exporter(context).xlsx_response()
    return render(request, template, context)


@require_safe
@require_perm(Perm.ROUND_VIEW)
def school_rapor(request, pk, npsn):
    round_, school = _school_in_round(request, pk, npsn)
    context = rapor_lib.school_context(round_, school)
    context["can_verify"] = bool(school_for_user_or_none(request.user, npsn, Perm.VERVAL))
    context["can_reopen"] = bool(_keeper_school(request.user, npsn))
    return _report(
        request,
        context,
        template="mapping/rapor.html",
        pdf_template="mapping/rapor_pdf.html",
        exporter=rapor_lib.SchoolRaporExporter,
        filename=f"rapor-mutu-{school.npsn}-{round_.year}",
    )


@require_safe
@require_perm(Perm.VERVAL)
def verval_list(request, pk):
    """The pengawas's schools with a rapor in the round, those waiting for verification first."""
    round_ = selectors.round_for_user(request.user, pk)
    queue = selectors.verval_queue(request.user, round_)
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    waiting = queue.filter(Q(verified=False) | Q(newer=True)).count()
    return render(request, "mapping/verval_list.html", {"round": round_, "page": page, "waiting": waiting})


@require_safe
@require_perm(Perm.VERVAL)
def verval(request, pk, npsn):
    """One page per school: agree with whole standards or indicators, correct the exceptions."""
    round_, school = _school_in_round(request, pk, npsn, Perm.VERVAL)
    context = rapor_lib.school_context(round_, school, verval=True)
    if context["score"] is None:
        raise Http404
    return render(request, "mapping/verval.html", context)


def _verval_answer(request, round_, school, node, error=None, typed=None):
    """htmx: the standard holding the node, re-rendered with what is now saved (and the counter and the
    school score out of band); without htmx, back to the verval page."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("mapping:verval", args=[round_.pk, school.npsn]) + f"#v-{node.pk}")
    context = rapor_lib.school_context(round_, school, verval=True)
    context.update(
        standard=rapor_lib.standard_of(context, node.pk), error=error, error_node=node.pk, typed=typed, oob=True
    )
    return render(request, "mapping/_verval_standard.html", context)


def _verval_node(round_, node_id, **kinds):
    return get_object_or_404(Node, pk=node_id, version=round_.instrument_id, **kinds)


@require_POST
@require_perm(Perm.VERVAL)
def verify(request, pk, npsn, node_id):
    round_, school = _school_in_round(request, pk, npsn, Perm.VERVAL)
    node = _verval_node(round_, node_id, kind=Node.Kind.SUBINDICATOR)
    form = VerificationForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.verify(actor=request.user, round_=round_, school=school, node=node, **form.cleaned_data)
        except services.AnswerError as exc:
            error = str(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    typed = {"corrected": request.POST.get("corrected", ""), "note": request.POST.get("note", "")} if error else None
    return _verval_answer(request, round_, school, node, error, typed)


@require_POST
@require_perm(Perm.VERVAL)
def agree_all(request, pk, npsn, node_id):
    round_, school = _school_in_round(request, pk, npsn, Perm.VERVAL)
    node = _verval_node(round_, node_id)
    error = None
    try:
        services.agree_all(actor=request.user, round_=round_, school=school, node=node)
    except services.AnswerError as exc:
        error = str(exc)
    return _verval_answer(request, round_, school, node, error)


@require_POST
@require_perm(Perm.VERVAL)
def finish_verification(request, pk, npsn):
    round_, school = _school_in_round(request, pk, npsn, Perm.VERVAL)
    try:
        step = services.advance(actor=request.user, round_=round_, school=school)
    except services.AnswerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status: %(step)s.") % {"step": Milestone.Step(step).label})
    return redirect("mapping:verval", pk=round_.pk, npsn=school.npsn)


def _keeper_school(user, npsn):
    """The school if the user may reopen its published rapor or set a newer version aside: its
    pengawas (verval) or the LPMP / pusat over it (round management); else None."""
    return school_for_user_or_none(user, npsn, Perm.VERVAL) or school_for_user_or_none(user, npsn, Perm.ROUND_MANAGE)


@require_POST
@require_perm(Perm.ROUND_VIEW)
def rapor_keep(request, pk, npsn, action):
    """Reopen a published rapor for a new verified version, or set the pending version aside; both
    with a reason, both leaving the published rapor as it is."""
    round_ = selectors.round_for_user(request.user, pk)
    school = _keeper_school(request.user, npsn)
    if school is None or (round_.province_id and school.province_id != round_.province_id):
        raise Http404
    service = {"reopen": services.reopen, "set-aside": services.set_aside}[action]
    try:
        service(actor=request.user, round_=round_, school=school, reason=request.POST.get("reason", ""))
    except services.AnswerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Reopened: the published rapor stays in force until the pengawas publishes the new version.")
            if action == "reopen"
            else _("The published rapor is kept; the newer answers wait for the next round."),
        )
    return redirect("mapping:rapor", pk=round_.pk, npsn=school.npsn)


@require_safe
@require_perm(Perm.ROUND_VIEW)
def region_rapor(request, pk, kind, code):
    round_ = selectors.round_for_user(request.user, pk)
    if kind not in RegionScore.Kind.values or (kind == RegionScore.Kind.NATION and round_.province_id):
        raise Http404
    sort = request.GET.get("sort", "total")
    if request.GET.get("format") == "xlsx":  # in the request or by the worker, with the same checks
        params = {"round": round_.pk, "kind": kind, "code": code, "sort": sort}
        return documents.export_response(request, name=rapor_lib.REGION_XLSX, params=params, fmt="xlsx")
    schools = rapor_lib.region_schools(request.user, round_, kind, code)
    if not schools.exists():
        raise Http404
    context = rapor_lib.region_context(round_, kind, code, schools, sort)
    if request.GET.get("format") == "pdf" and rapor_lib.region_pdf_in_worker(context):
        job, _queued = documents.request(
            actor=request.user,
            kind=rapor_lib.REGION_PDF,
            params={"user": request.user.pk, "round": round_.pk, "kind": kind, "code": code, "sort": sort},
            title=_("Rapor mutu %(region)s (PDF)") % {"region": context["region_name"]},
        )
        return redirect("document", pk=job.pk)
    context["page"] = Paginator(context["scores"], 100).get_page(request.GET.get("page"))
    return _report(
        request,
        context,
        template="mapping/region.html",
        pdf_template="mapping/region_pdf.html",
        filename=f"rapor-wilayah-{code or 'nasional'}-{round_.year}",
    )


@require_safe
@require_perm(Perm.ROUND_VIEW)
def my_region(request, pk):
    """Where a user lands from a round: the region of their membership (see `rapor.home_region`)."""
    round_ = selectors.round_for_user(request.user, pk)
    home = rapor_lib.home_region(request.user, round_)
    if home is None:
        raise Http404
    kind, code = home
    if kind == RegionScore.Kind.NATION:
        return redirect("mapping:nation", pk=round_.pk)
    return redirect("mapping:region", pk=round_.pk, kind=kind, code=code)


@require_safe
@require_perm(Perm.ROUND_VIEW)
def export_csv(request, pk, what):
    """All scores of the schools in the user's scope, or (analysts only) their raw responses, as CSV."""
    name = {"scores": rapor_lib.SCORES_CSV, "responses": rapor_lib.RESPONSES_CSV}.get(what)
    if name is None:
        raise Http404
    return documents.export_response(request, name=name, params={"round": pk}, fmt="csv")


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.ROUND_MANAGE)
def round_create(request):
    provinces = selectors.manageable_provinces(request.user)
    national = selectors.can_manage_national(request.user)
    form = RoundForm(
        request.POST or None,
        provinces=provinces,
        national=national,
        instruments=instrument_selectors.usable_versions(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        round_ = services.create_round(
            actor=request.user,
            name=data["name"],
            year=data["year"],
            instrument=data["instrument"],
            province=data["province"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            quotas=data["quotas"],
        )
        messages.success(request, _("Round opened. Its instrument is now frozen."))
        return redirect("mapping:progress", pk=round_.pk)
    return render(request, "mapping/round_form.html", {"form": form})


@require_POST
@require_perm(Perm.ROUND_MANAGE)
def round_score(request, pk):
    round_ = selectors.round_for_user(request.user, pk)
    if not selectors.can_manage_round(request.user, round_):
        raise Http404
    _run, queued = services.request_scoring(actor=request.user, round_=round_)
    if queued:
        messages.success(request, _("Scoring started; the rapor pages update when it finishes."))
    else:
        messages.info(request, _("Scoring of this round is already queued or running; this page shows when it ends."))
    return redirect("mapping:progress", pk=round_.pk)
