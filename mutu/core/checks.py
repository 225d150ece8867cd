"""System checks: for deployments (`manage.py check --deploy`), and one the web server runs at start
(config/wsgi.py) so that a missing `collectstatic` stops it with a reason instead of a 500 on every page."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


START = "mutu_start"  # run by the web server at start (and by `check --deploy`), never by collectstatic itself


@register(START, deploy=True)
def collected_static(app_configs, **kwargs):
    """Outside DEBUG pages name their CSS and JS by the manifest `collectstatic` writes; without it
    every page fails to render."""
    if settings.DEBUG or "Manifest" not in settings.STORAGES["staticfiles"]["BACKEND"]:
        return []
    if (Path(settings.STATIC_ROOT) / "staticfiles.json").is_file():
        return []
    return [
        Error(
            f"The static files are not collected: {settings.STATIC_ROOT}/staticfiles.json is missing.",
            hint="Run `manage.py collectstatic --noinput` (again after every upgrade), then start Mutu.",
            id="mutu.E001",
        )
    ]


def stop_on_errors():
    """Raise at start when a check of the kind above fails: the web server then says why it cannot run."""
    from django.core.checks import run_checks
    from django.core.exceptions import ImproperlyConfigured

    errors = [e for e in run_checks(tags=[START], include_deployment_checks=True) if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{error.id}: {error.msg} {error.hint}" for error in errors))
