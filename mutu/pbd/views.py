"""Rapor Pendidikan pages: upload the official downloads, a school's report, a region's shares and the
schools behind each share. Every read goes through the scoped selectors."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.core import jobs
from mutu.core.exporters import csv_dialect
from mutu.core.pdf import pdf_response, render_pdf

from . import effects, examples, exports, selectors, services
from .forms import UploadForm
from .models import Capaian, RegionShare


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
    return render(request, "pbd/import.html", {"form": form, "page": page, "examples": examples.KINDS})


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
    }
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
    back = reverse("pbd:region", args=[area, code]) + f"?tahun={year}&indikator={indicator}"
    return render(
        request,
        "pbd/region_schools.html",
        {
            "region": place,
            "year": year,
            "year_text": str(year),
            "indicator": indicator,
            "capaian": capaian,
            "label": label,
            "page": page,
            "back": back,
        },
    )
