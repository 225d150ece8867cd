"""System checks for deployments (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


@register(Tags.security, deploy=True)
def site_url(app_configs, **kwargs):
    """Letters, certificates made by the worker and e-mails link to MUTU_SITE_URL: left at the
    development default, their QR codes and links point to nowhere."""
    if settings.MUTU_SITE_URL.rstrip("/") == DEFAULT_SITE_URL:
        return [
            Warning(
                "MUTU_SITE_URL is left at its development default.",
                hint="Set MUTU_SITE_URL to the public https address of this Mutu (see docs/production.md).",
                id="mutu.W001",
            )
        ]
    return []
