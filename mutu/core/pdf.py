"""PDF documents (WeasyPrint) from templates: rapor, code sheets, the cycle's documents."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(request, template, context):
    """A PDF of a template; `request` may be None in the worker (links then start with MUTU_SITE_URL)."""
    from weasyprint import HTML  # heavy: loaded when a PDF is asked for

    html = render_to_string(template, context, request=request)
    base = request.build_absolute_uri("/") if request else settings.MUTU_SITE_URL
    return HTML(string=html, base_url=base).write_pdf()


def pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
