import os
import tempfile

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.permissions import Perm, require_perm
from mutu.regions.models import Province

from . import selectors, services

NATIONAL = ""


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Instrument file (YAML or XLSX)"))
    owner = forms.ChoiceField(label=gettext_lazy("Owner"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        national, provinces = selectors.ownership(user)
        owners = ([None] if national else []) + list(Province.objects.filter(pk__in=provinces))
        self.owners = {NATIONAL if owner is None else str(owner.pk): owner for owner in owners}
        if len(owners) == 1:
            del self.fields["owner"]  # nothing to choose
        else:
            self.fields["owner"].choices = [(key, services.owner_name(owner)) for key, owner in self.owners.items()]

    def clean(self):
        data = super().clean()
        if not self.owners:
            raise forms.ValidationError(_("Your role does not own instruments for any region."))
        if "owner" not in self.fields:
            data["owner"] = next(iter(self.owners.values()))
        elif "owner" in data:
            data["owner"] = self.owners[data["owner"]]
        return data


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.ROUND_MANAGE)
def instrument_list(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_upload(
                actor=request.user, upload=form.cleaned_data["file"], province=form.cleaned_data["owner"]
            )
        except services.InstrumentError as exc:
            for _place, message in exc.problems:
                form.add_error("file", message)
        else:
            return redirect("instruments:upload", pk=job.pk)
    versions = selectors.visible_versions(request.user).order_by("-created_at")
    owned = set(selectors.owned_versions(request.user).values_list("pk", flat=True))
    uploads = Paginator(selectors.uploads_for(request.user), 10).get_page(request.GET.get("page"))
    return render(
        request,
        "instruments/list.html",
        {"versions": versions, "owned": owned, "form": form, "page": uploads},
    )


@require_safe
@require_perm(Perm.ROUND_MANAGE)
def upload_detail(request, pk):
    job = services.settle_upload(get_object_or_404(selectors.uploads_for(request.user), pk=pk))
    return render(request, "instruments/upload.html", {"job": job})


@require_POST
@require_perm(Perm.ROUND_MANAGE)
def instrument_publish(request, code):
    version = get_object_or_404(selectors.owned_versions(request.user), code=code)
    services.publish_version(actor=request.user, version=version)
    messages.success(request, _("Instrument %(code)s is published: rounds can use it.") % {"code": code})
    return redirect("instruments:list")


@require_safe
@require_perm(Perm.ROUND_MANAGE)
def instrument_download(request, code, fmt):
    version = get_object_or_404(selectors.visible_versions(request.user), code=code)
    if fmt not in {"yaml", "xlsx"}:
        raise Http404
    descriptor, name = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(descriptor)
    services.write_document(services.export_instrument(version), name)
    stream = open(name, "rb")  # FileResponse closes it
    os.unlink(name)  # the open handle keeps the data until the response is sent
    return FileResponse(stream, as_attachment=True, filename=f"{version.code}.{fmt}")
