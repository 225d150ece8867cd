"""Shared fixtures: a small slice of real regions, four schools and the named personas.

Personas (see `personas`):
  pusat            admin pusat (national)
  lpmp             admin LPMP Riau            lpmp_jambi     admin LPMP Jambi
  dinas_kampar     Dinas Kab. Kampar (SD/SMP) dinas_pekanbaru  Dinas Kota Pekanbaru
  dinas_riau       Dinas Provinsi Riau (SMA/SMK/SLB)
  pengawas         assigned school `a`        pengawas_other  assigned school `b`
  fasilitator      assigned school `c`
  kepsek_a / operator_a / tpmps_a  school `a`  kepsek_b  school `b`
  expired          kepala sekolah of `a` whose membership ended
  nobody           an account without any role
Schools: a = SD in Kampar, b = SD in Pekanbaru, c = SMA in Kampar, d = SD in Jambi.
"""

import contextlib
import os
from datetime import date, timedelta

import pytest
from django.core.signals import request_started

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Rahasia-uji-2026"


@pytest.fixture
def regions(db):
    from mutu.regions.services import load_regions

    load_regions(province_codes=["14", "15"])


@pytest.fixture
def schools(regions):
    from mutu.factories import SchoolFactory

    return {
        "a": SchoolFactory(
            npsn="10400001", name="SD Negeri 001 Bangkinang", district_code="14.01.01", principal_name="Rosmawati"
        ),
        "b": SchoolFactory(npsn="10400002", name="SD Negeri 002 Pekanbaru", district_code="14.71.01"),
        "c": SchoolFactory(npsn="10400003", name="SMA Negeri 1 Bangkinang", level="SMA", district_code="14.01.01"),
        "d": SchoolFactory(npsn="10500001", name="SD Negeri 1 Jambi", district_code="15.71.01"),
    }


@pytest.fixture
def personas(schools):
    from mutu.accounts.models import Membership, User
    from mutu.regions.models import Province, Regency

    riau, jambi = Province.objects.get(code="14"), Province.objects.get(code="15")
    kampar, pekanbaru = Regency.objects.get(code="14.01"), Regency.objects.get(code="14.71")
    today = date.today()
    spec = {
        "pusat": ("admin_pusat", {}, []),
        "lpmp": ("admin_lpmp", {"province": riau}, []),
        "lpmp_jambi": ("admin_lpmp", {"province": jambi}, []),
        "dinas_kampar": ("dinas", {"regency": kampar}, []),
        "dinas_pekanbaru": ("dinas", {"regency": pekanbaru}, []),
        "dinas_riau": ("dinas", {"province": riau}, []),
        "pengawas": ("pengawas", {"decree_number": "800/017/2026"}, ["a"]),
        "pengawas_other": ("pengawas", {}, ["b"]),
        "fasilitator": ("fasilitator", {}, ["c"]),
        "kepsek_a": ("kepala_sekolah", {"school": schools["a"]}, []),
        "operator_a": ("operator", {"school": schools["a"]}, []),
        "tpmps_a": ("tpmps", {"school": schools["a"]}, []),
        "kepsek_b": ("kepala_sekolah", {"school": schools["b"]}, []),
        "expired": (
            "kepala_sekolah",
            {"school": schools["a"], "valid_from": today - timedelta(days=400), "valid_to": today - timedelta(days=1)},
            [],
        ),
        "nobody": (None, {}, []),
    }
    users = {}
    for username, (role, scope, assigned) in spec.items():
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.org",
            is_staff=role in ("admin_pusat", "admin_lpmp"),
        )
        if role:
            scope.setdefault("valid_from", today - timedelta(days=30))
            membership = Membership.objects.create(user=user, role=role, **scope)
            membership.schools.set([schools[key] for key in assigned])
        users[username] = user
    return users


def confirm(page):
    """Accept the confirmation dialog an irreversible action opens (static/js/mutu.js)."""
    page.locator("#confirm-dialog [data-ok]").click()


# A phone's browser for the pages used without signal (service workers on).
PHONE = {"viewport": {"width": 360, "height": 740}, "service_workers": "allow"}


def offline(context):
    """No signal. Chromium's offline emulation does not reach a service worker started after it was
    switched on (a restarted browser's), so its requests are also cut off at the context."""
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def online(context):
    context.unroute("**/*")
    context.set_offline(False)


@pytest.fixture
def requests_seen():
    """The paths the live server was asked for: none while the phone is offline."""
    seen = []

    def note(sender, environ, **kwargs):
        seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}")

    request_started.connect(note)
    yield seen
    request_started.disconnect(note)


@contextlib.contextmanager
def stuck_worker(script, inside):
    """A real worker process running `script` on the test database (PostgreSQL), once it has touched
    the file `inside` (it is in the middle of its work); killed when the block ends, as a machine
    that dies."""
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    params = connection.settings_dict
    url = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    worker = subprocess.Popen(
        [sys.executable, "-c", script, str(inside)],
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
    )
    try:
        for _ in range(600):
            if inside.exists() or worker.poll() is not None:
                break
            time.sleep(0.1)
        assert inside.exists(), f"the worker never got there (exit code {worker.poll()})"
        yield worker
    finally:
        worker.kill()
        worker.wait()


def browser_log_in(page, live_server, username):
    """Log in through the Indonesian login page, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _browser_contexts_closed(request):
    """A page a test opened with browser.new_page() lives in a context of its own, which outlasts the
    test: its service worker would go on asking the live server during the next tests (and count
    as a phone that was meant to be offline there)."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Tasks run inline in tests; uploads land in a throw-away folder.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Tests sign personas in without a second factor; mutu/accounts/tests/test_two_factor.py turns it on.
    settings.MUTU_REQUIRE_2FA = False
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 is deliberately slow; test_auth checks that production hashing uses it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    # Rolled-back tests reuse ids on SQLite: a per-process cache keyed by id must not outlive a test.
    from mutu.mapping.services import number_ranges, question_shapes

    question_shapes.cache_clear()
    number_ranges.cache_clear()
