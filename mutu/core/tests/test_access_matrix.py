"""Every URL × every persona: those outside the URL's scope get 403 or 404, those inside get in.

`MATRIX` lists each named URL with the personas allowed; `test_every_url_is_in_the_matrix` fails
when a URL is added without an entry here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ALL = {
    "pusat",
    "lpmp",
    "lpmp_jambi",
    "dinas_kampar",
    "dinas_pekanbaru",
    "dinas_riau",
    "pengawas",
    "pengawas_other",
    "fasilitator",
    "kepsek_a",
    "operator_a",
    "tpmps_a",
    "kepsek_b",
    "expired",
    "nobody",
}
WITH_ROLE = ALL - {"expired", "nobody"}
EXPORTERS = {
    "pusat",
    "lpmp",
    "lpmp_jambi",
    "dinas_kampar",
    "dinas_pekanbaru",
    "dinas_riau",
    "pengawas",
    "pengawas_other",
}
IMPORTERS = {"pusat", "lpmp", "lpmp_jambi", "dinas_kampar", "dinas_pekanbaru", "dinas_riau"}

# (url name, args builder, method, allowed personas)
MATRIX = [
    ("home", lambda s, j: [], "get", ALL),
    ("schools:list", lambda s, j: [], "get", WITH_ROLE),
    (
        "schools:detail",
        lambda s, j: [s["a"].npsn],
        "get",
        {"pusat", "lpmp", "dinas_kampar", "pengawas", "kepsek_a", "operator_a", "tpmps_a"},
    ),
    ("schools:detail", lambda s, j: [s["c"].npsn], "get", {"pusat", "lpmp", "dinas_riau", "fasilitator"}),
    ("schools:detail", lambda s, j: [s["d"].npsn], "get", {"pusat", "lpmp_jambi"}),
    ("schools:edit", lambda s, j: [s["a"].npsn], "get", {"pusat", "lpmp", "dinas_kampar", "kepsek_a", "operator_a"}),
    ("schools:edit", lambda s, j: [s["b"].npsn], "get", {"pusat", "lpmp", "dinas_pekanbaru", "kepsek_b"}),
    ("schools:export", lambda s, j: ["csv"], "get", EXPORTERS),
    ("schools:export", lambda s, j: ["xlsx"], "get", EXPORTERS),
    ("schools:import", lambda s, j: [], "get", IMPORTERS),
    ("schools:import_job", lambda s, j: [j.pk], "get", {"lpmp"}),
    ("schools:import_commit", lambda s, j: [j.pk], "post", {"lpmp"}),
    ("audit_log", lambda s, j: [], "get", {"pusat", "lpmp", "lpmp_jambi"}),
]
# Reachable without an account by design.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
}
# Need an account but no role.
ACCOUNT_ONLY = {"password_change", "password_change_done"}


def _names(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.namespace != "admin":
                yield from _names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_every_url_is_in_the_matrix():
    covered = {name for name, *_ in MATRIX} | PUBLIC | ACCOUNT_ONLY
    assert set(_names()) - covered == set()


@pytest.fixture
def job(personas, tmp_path):
    from mutu.schools.models import SchoolImport

    return SchoolImport.objects.create(uploaded_by=personas["lpmp"], original_name="x.csv", file="imports/x.csv")


@pytest.mark.parametrize("name,args,method,allowed", MATRIX, ids=[f"{m[0]}-{i}" for i, m in enumerate(MATRIX)])
def test_access(client, personas, schools, job, name, args, method, allowed):
    url = reverse(name, args=args(schools, job))
    for username, user in personas.items():
        client.force_login(user)
        response = getattr(client, method)(url)
        if username in allowed:
            assert response.status_code in (200, 302), (username, url, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" not in response["Location"], (username, url)
        else:
            assert response.status_code in (403, 404), (username, url, response.status_code)
    client.logout()
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", sorted(ACCOUNT_ONLY))
def test_account_pages_need_login(client, personas, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(personas["nobody"])
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["login", "password_reset", "healthz"])
def test_public_pages(client, db, name):
    assert client.get(reverse(name)).status_code == 200
