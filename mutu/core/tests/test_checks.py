"""The start-up checks: a production start without `collectstatic` stops with a clear reason."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from mutu.core.checks import stop_on_errors

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def production(settings, root):
    settings.DEBUG = False
    settings.STATIC_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}


def test_a_start_without_collectstatic_is_stopped_with_its_reason(settings, tmp_path):
    production(settings, tmp_path)
    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "mutu.E001"]
    assert errors and "collectstatic --noinput" in errors[0].hint
    with pytest.raises(ImproperlyConfigured, match="mutu.E001: The static files are not collected"):
        stop_on_errors()


def test_collected_static_files_pass(settings, tmp_path):
    production(settings, tmp_path)
    (tmp_path / "staticfiles.json").write_text("{}")
    assert not [e for e in run_checks(include_deployment_checks=True) if e.id == "mutu.E001"]
    stop_on_errors()  # nothing to say


def test_collectstatic_and_migrate_are_not_held_up_by_it(settings, tmp_path):
    production(settings, tmp_path)
    assert not [e for e in run_checks() if e.id == "mutu.E001"]  # the checks every command runs


def test_development_needs_no_collectstatic(settings, tmp_path):
    settings.DEBUG = True
    settings.STATIC_ROOT = tmp_path
    assert not [e for e in run_checks(include_deployment_checks=True) if e.id == "mutu.E001"]
