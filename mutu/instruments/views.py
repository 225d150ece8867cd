import os
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from mutu.accounts.permissions import Perm, require_perm

from . import services
from .models import InstrumentVersion

MAX_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Instrument file (YAML or XLSX)"))


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.ROUND_MANAGE)
def instrument_list(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if upload.size > MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20})
        else:
            with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    doc = services.read_document(handle.name)
                    version = services.load_instrument(doc, actor=request.user)
                except services.InstrumentError as exc:
                    problems = exc.problems
                else:
                    messages.success(request, _("Instrument %(code)s loaded.") % {"code": version.code})
                    for place, message in services.validation_warnings(doc):
                        messages.warning(request, f"{place}: {message}")
                    return redirect("instruments:list")
    versions = InstrumentVersion.objects.order_by("-created_at")
    return render(request, "instruments/list.html", {"versions": versions, "form": form, "problems": problems})


@require_safe
@require_perm(Perm.ROUND_MANAGE)
def instrument_download(request, code, fmt):
    version = get_object_or_404(InstrumentVersion, code=code)
    if fmt not in {"yaml", "xlsx"}:
        raise Http404
    descriptor, name = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(descriptor)
    services.write_document(services.export_instrument(version), name)
    stream = open(name, "rb")  # FileResponse closes it
    os.unlink(name)  # the open handle keeps the data until the response is sent
    return FileResponse(stream, as_attachment=True, filename=f"{version.code}.{fmt}")
