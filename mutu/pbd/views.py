"""Rapor Pendidikan pages: upload the official downloads, a school's report, a region's shares and the
schools behind each share. Every read goes through the scoped selectors."""

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import jobs, uploads
from mutu.core.exporters import csv_dialect
from mutu.core.pdf import pdf_response, render_pdf
from mutu.core.saving import save
from mutu.cycle.models import Activity
from mutu.schools.models import School

from . import effects, examples, exports, selectors, services
from . import practices as practices_service
from .forms import PracticeForm, PracticeSearchForm, ReviewForm, UploadForm, WithdrawForm
from .models import Capaian, Practice, RegionShare


def _year(request, available):
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        year = None
    return year if year in available else (available[0] if available else None)


@require_safe
@require_perm(Perm.RP_VIEW)
def home(request):
    """The user's own way in: the region they follow, or their school (or the list of their schools)."""
    region = selectors.home_region(request.user)
    if region:
        return redirect("pbd:region", *region)
    schools = selectors.schools_for(request.user).order_by("name")
    if len(schools[:2]) == 1:
        return redirect("pbd:school", npsn=schools[0].npsn)
    page = Paginator(schools.select_related("district"), 50).get_page(request.GET.get("page"))
    return render(request, "pbd/home.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.RP_IMPORT)
def import_start(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(
                actor=request.user,
                upload=form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                npsn=form.cleaned_data["npsn"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except services.RaporError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("pbd:import_job", pk=job.pk)
    page = Paginator(selectors.imports_for(request.user), 20).get_page(request.GET.get("page"))
    # Regional files are for those who follow a region; a school's own staff get its workbook's example.
    kinds = examples.KINDS if selectors.home_region(request.user) else {"sekolah": examples.KINDS["sekolah"]}
    return render(request, "pbd/import.html", {"form": form, "page": page, "examples": kinds})


@require_safe
@require_perm(Perm.RP_IMPORT)
def import_job(request, pk):
    job = jobs.settle(get_object_or_404(selectors.imports_for(request.user), pk=pk))
    return render(request, "pbd/import_job.html", {"job": job})


@require_safe
@require_perm(Perm.RP_IMPORT)
def example(request, kind):
    """An example file of each kind, built like the official download from schools in the user's scope."""
    if kind not in examples.KINDS:
        raise Http404
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by the response
    filename = examples.build(kind, request.user, Path(handle.name))
    return FileResponse(open(handle.name, "rb"), as_attachment=True, filename=filename)  # noqa: SIM115


@require_safe
@require_perm(Perm.RP_VIEW)
def school(request, npsn):
    found = get_object_or_404(selectors.schools_for(request.user).select_related("district", "regency"), npsn=npsn)
    years = selectors.school_years(found)
    year = _year(request, years)
    lines = selectors.school_report(found, year) if year else []
    fmt = request.GET.get("format", "")
    if year and fmt in {"xlsx", "csv"}:
        exporter = exports.SchoolExporter(found, year)
        return exporter.xlsx_response() if fmt == "xlsx" else exporter.csv_response(csv_dialect(request))
    trends = selectors.history(found, [line.indicator.code for line in lines])
    context = {
        "school": found,
        "year": year,
        "years": years,
        "lines": [(line, selectors.sparkline(trends[line.indicator.code])) for line in lines],
        "counts": {c: sum(line.achievement.capaian == c for line in lines) for c in Capaian.values},
        "can_import": has_perm(request.user, Perm.RP_IMPORT),
        "effects": effects.school_effects(found),
        "practices": selectors.practices_for(request.user).filter(school=found),
        "candidates_allowed": practices_service.may_propose(request.user, found),
    }
    if context["candidates_allowed"]:  # from the effects the page shows, not read again
        context["candidates"] = practices_service.candidates(found, context["effects"])
    if year and fmt == "pdf":
        return pdf_response(render_pdf(request, "pbd/school_pdf.html", context), f"rapor-pendidikan-{npsn}-{year}")
    return render(request, "pbd/school.html", context)


@require_safe
@require_perm(Perm.RP_VIEW)
def region(request, area, code):
    place = selectors.region_for(request.user, area, code)
    years = selectors.years()
    year = _year(request, years)
    rows = selectors.region_report(place, year) if year else []
    codes = [row.indicator.code for row in rows]
    chosen = request.GET.get("indikator") if request.GET.get("indikator") in codes else (codes[0] if codes else None)
    child_area, children = selectors.children_report(place, year, chosen) if chosen else (None, [])
    fmt = request.GET.get("format", "")
    if fmt == "xlsx" and year:
        return exports.RegionExporter(place, year, rows).xlsx_response()
    in_region = selectors.schools_for(request.user).filter(place.school_q())
    acted, others = effects.region_effect(in_region, chosen, year - 1) if chosen else (None, None)
    context = {
        "region": place,
        "parents": place.parents(request.user),
        "year": year,
        "years": years,
        "rows": rows,
        "year_text": str(year),
        "chosen": chosen,
        "child_area": child_area,
        "child_area_label": RegionShare.Area(child_area).label if child_area else "",
        "children": children,
        "capaian": Capaian.choices,
        "acted": acted,
        "effect_rows": [(_("worked on it"), acted), (_("did not"), others)] if acted else [],
        "min_group": settings.MUTU_MIN_GROUP_SIZE,
        "can_import": has_perm(request.user, Perm.RP_IMPORT),
    }
    if fmt == "pdf" and year:
        return pdf_response(render_pdf(request, "pbd/region_pdf.html", context), f"rapor-pendidikan-{code}-{year}")
    return render(request, "pbd/region.html", context)


@require_safe
@require_perm(Perm.RP_VIEW)
def region_schools(request, area, code):
    place = selectors.region_for(request.user, area, code)
    year = _year(request, selectors.years())
    indicator = request.GET.get("indikator", "")
    capaian = request.GET.get("capaian", "")
    if year is None or capaian not in {*Capaian.values, ""}:
        raise Http404
    schools = selectors.share_schools(request.user, place, year, indicator, capaian)
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    label = Capaian(capaian).label if capaian else _("Not available")
    back = reverse("pbd:region", args=[area, code]) + "?" + urlencode({"tahun": year, "indikator": indicator})
    return render(
        request,
        "pbd/region_schools.html",
        {
            "region": place,
            "year": year,
            "indicator": indicator,
            "capaian": capaian,
            "label": label,
            "page": page,
            "back": back,
            "query": urlencode({"tahun": year, "indikator": indicator, "capaian": capaian}),
        },
    )


@require_safe
@require_perm(Perm.RP_VIEW)
def practices(request):
    """The good-practice library: published practices of the user's province and the nation's,
    searchable; the school's own and the reviewer's waiting ones by status."""
    readable = selectors.practices_for(request.user)
    form = PracticeSearchForm(request.GET or None, practices=readable)
    found = form.filter(readable)
    if request.GET.get("format") == "csv":
        return exports.PracticeExporter(found).csv_response(csv_dialect(request))
    waiting = (
        readable.filter(state=Practice.State.PROPOSED).count() if has_perm(request.user, Perm.PRACTICE_REVIEW) else 0
    )
    page = Paginator(found, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "waiting": waiting,
        "query": query.urlencode(),
        # Only those who follow cycles or review read practices that are not published.
        "sees_waiting": has_perm(request.user, Perm.CYCLE_VIEW) or has_perm(request.user, Perm.PRACTICE_REVIEW),
    }
    return render(request, "pbd/practices.html", context)


@require_safe
@require_perm(Perm.RP_VIEW)
def practice(request, pk):
    found = selectors.practice_for(request.user, pk)
    context = {
        "practice": found,
        "evidence": found.evidence.filter(removed_at__isnull=True),
        "review_form": ReviewForm(initial={"reach": Practice.Reach.PROVINCE}),
        "reviews": practices_service.may_review(request.user, found),
        "proposes": practices_service.may_propose(request.user, found.school),
    }
    return render(request, "pbd/practice.html", context)


@require_POST
@require_perm(Perm.PRACTICE_REVIEW)
def practice_review(request, pk):
    """Publish or return (the review form), or withdraw a published practice (with its note)."""
    found = selectors.practice_for(request.user, pk)
    withdraw = request.POST.get("decision") == "withdraw"
    form = WithdrawForm(request.POST) if withdraw else ReviewForm(request.POST)
    done = {"publish": _("Published."), "return": _("Returned to the school."), "withdraw": _("Withdrawn.")}
    save(
        request,
        form,
        lambda data: practices_service.review(actor=request.user, practice=found, **data),
        success=lambda result: done[form.cleaned_data["decision"]],
    )
    return redirect("pbd:practice", pk=found.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.CYCLE_EDIT)
def practice_propose(request, activity_pk):
    """Propose an activity as a good practice (or a returned one again): the plan's story, worded by
    the school, with the evidence it chooses."""
    schools = School.objects.filter(area_for(request.user, Perm.CYCLE_EDIT).school_q())
    activity = get_object_or_404(
        Activity.objects.select_related("program__cycle__school"), pk=activity_pk, program__cycle__school__in=schools
    )
    existing = Practice.objects.filter(activity=activity).first()
    if existing and existing.state != Practice.State.RETURNED:
        return redirect("pbd:practice", pk=existing.pk)
    try:
        effect = practices_service.improved(activity)
    except practices_service.PracticeError as exc:
        messages.info(request, _("This activity cannot be proposed yet: %(reason)s") % {"reason": exc})
        return redirect("pbd:school", npsn=activity.program.cycle.school.npsn)
    initial = practices_service.draft(activity, effect) if existing is None else None
    if initial and initial["cost"] is not None:  # as people write rupiah: 2.500.000
        initial["cost"] = number_format(initial["cost"], 0, force_grouping=True)
    form = PracticeForm(request.POST or None, instance=existing, initial=initial, activity=activity)
    if request.method == "POST":
        proposed = save(
            request,
            form,
            lambda data: practices_service.propose(actor=request.user, activity=activity, data=data),
            success=lambda _p: _("Proposed: an LPMP of the province reviews it before it is published."),
        )
        if proposed:
            return redirect("pbd:practice", pk=proposed.pk)
    return render(
        request, "pbd/practice_form.html", {"form": form, "activity": activity, "effect": effect, "practice": existing}
    )


@require_safe
@require_perm(Perm.RP_VIEW)
def practice_evidence(request, pk, evidence_pk):
    """A practice's chosen evidence, for whoever reads the practice; always as an attachment."""
    found = selectors.practice_for(request.user, pk)
    evidence = get_object_or_404(found.evidence.filter(removed_at__isnull=True), pk=evidence_pk)
    if not evidence.file:
        raise Http404  # a link is shown as a link
    return uploads.download(evidence.file, evidence.original_name or Path(evidence.file.name).name)
