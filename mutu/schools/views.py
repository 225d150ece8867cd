from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.core import documents

from . import selectors, services
from .exporters import SCHOOL_LIST
from .forms import ImportMappingForm, ImportUploadForm, SchoolForm, filtered_schools
from .importing import ImportFileError
from .models import SchoolImport

PAGE_SIZE = 50


@require_safe
@require_perm(Perm.SCHOOL_VIEW)
def school_list(request):
    form, schools = filtered_schools(request.user, request.GET, Perm.SCHOOL_VIEW)
    page = Paginator(schools.select_related("district", "regency").order_by("name", "npsn"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_export": has_perm(request.user, Perm.SCHOOL_EXPORT),
        "can_import": has_perm(request.user, Perm.SCHOOL_IMPORT),
    }
    template = "schools/_table.html" if request.htmx and request.htmx.target == "school-table" else "schools/list.html"
    return render(request, template, context)


@require_safe
@require_perm(Perm.SCHOOL_EXPORT)
def school_export(request, fmt):
    query = request.GET.copy()
    query.pop("csv", None)  # the CSV convention is the export's own parameter
    return documents.export_response(request, name=SCHOOL_LIST, params={"query": query.urlencode()}, fmt=fmt)


@require_safe
@require_perm(Perm.SCHOOL_VIEW)
def school_detail(request, npsn):
    school = selectors.school_for_user(request.user, npsn)
    can_edit = selectors.schools_for_user(request.user, Perm.SCHOOL_EDIT).filter(pk=school.pk).exists()
    from mutu.mapping.selectors import school_rounds

    return render(
        request,
        "schools/detail.html",
        {"school": school, "can_edit": can_edit, "rounds": school_rounds(request.user, school)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.SCHOOL_EDIT)
def school_edit(request, npsn):
    school = selectors.school_for_user(request.user, npsn, Perm.SCHOOL_EDIT)
    form = SchoolForm(request.POST or None, instance=school, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = services.update_school(actor=request.user, school=school, data=form.cleaned_data)
        messages.success(request, _("School data saved.") if changes else _("Nothing changed."))
        return redirect("schools:detail", npsn=school.npsn)
    return render(request, "schools/edit.html", {"school": school, "form": form})


def _job_for(request, pk):
    return get_object_or_404(SchoolImport.objects.filter(uploaded_by=request.user), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.SCHOOL_IMPORT)
def import_start(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(actor=request.user, upload=form.cleaned_data["file"])
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("schools:import_job", pk=job.pk)
    jobs = Paginator(SchoolImport.objects.filter(uploaded_by=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "schools/import_start.html", {"form": form, "page": jobs})


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.SCHOOL_IMPORT)
def import_job(request, pk):
    job = services.settle(_job_for(request, pk))
    form = ImportMappingForm(
        request.POST or None,
        headers=job.headers,
        initial_mapping=job.mapping,
        initial={"all_or_nothing": job.all_or_nothing},
    )
    if request.method == "POST" and form.is_valid():
        services.set_mapping(
            job=job, mapping=form.cleaned_data["mapping"], all_or_nothing=form.cleaned_data["all_or_nothing"]
        )
        return redirect("schools:import_job", pk=job.pk)
    errors = Paginator(job.errors, 100).get_page(request.GET.get("page"))
    return render(request, "schools/import_job.html", {"job": job, "form": form, "errors": errors})


@require_POST
@require_perm(Perm.SCHOOL_IMPORT)
def import_commit(request, pk):
    job = services.request_commit(job=_job_for(request, pk))
    if job.state == SchoolImport.State.VALIDATED:
        messages.error(request, _("Nothing can be saved: fix the rejected rows and upload the file again."))
    return redirect("schools:import_job", pk=job.pk)
