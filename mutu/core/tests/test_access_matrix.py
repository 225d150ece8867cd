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
SCHOOL_A_VIEWERS = {"pusat", "lpmp", "dinas_kampar", "pengawas", "kepsek_a", "operator_a", "tpmps_a"}
KAMPAR_VIEWERS = SCHOOL_A_VIEWERS | {"dinas_riau", "fasilitator"}
IMPORTERS = {"pusat", "lpmp", "lpmp_jambi", "dinas_kampar", "dinas_pekanbaru", "dinas_riau"}

# (url name, args builder, method, allowed personas)
MATRIX = [
    ("home", lambda c: [], "get", ALL),
    ("schools:list", lambda c: [], "get", WITH_ROLE),
    (
        "schools:detail",
        lambda c: [c["a"].npsn],
        "get",
        {"pusat", "lpmp", "dinas_kampar", "pengawas", "kepsek_a", "operator_a", "tpmps_a"},
    ),
    ("schools:detail", lambda c: [c["c"].npsn], "get", {"pusat", "lpmp", "dinas_riau", "fasilitator"}),
    ("schools:detail", lambda c: [c["d"].npsn], "get", {"pusat", "lpmp_jambi"}),
    ("schools:edit", lambda c: [c["a"].npsn], "get", {"pusat", "lpmp", "dinas_kampar", "kepsek_a", "operator_a"}),
    ("schools:edit", lambda c: [c["b"].npsn], "get", {"pusat", "lpmp", "dinas_pekanbaru", "kepsek_b"}),
    ("schools:export", lambda c: ["csv"], "get", EXPORTERS),
    ("schools:export", lambda c: ["xlsx"], "get", EXPORTERS),
    ("schools:import", lambda c: [], "get", IMPORTERS),
    ("schools:import_job", lambda c: [c["job"].pk], "get", {"lpmp"}),
    ("schools:import_commit", lambda c: [c["job"].pk], "post", {"lpmp"}),
    ("audit_log", lambda c: [], "get", {"pusat", "lpmp", "lpmp_jambi"}),
    ("mapping:rounds", lambda c: [], "get", WITH_ROLE),
    ("mapping:create", lambda c: [], "get", {"pusat", "lpmp", "lpmp_jambi"}),
    ("instruments:list", lambda c: [], "get", {"pusat", "lpmp", "lpmp_jambi"}),
    ("instruments:download", lambda c: ["tiny", "xlsx"], "get", {"pusat", "lpmp", "lpmp_jambi"}),
    ("instruments:download", lambda c: ["tiny", "yaml"], "get", {"pusat", "lpmp", "lpmp_jambi"}),
    ("mapping:score", lambda c: [c["round"].pk], "post", {"pusat"}),  # a national round: national admins only
    ("mapping:progress", lambda c: [c["round"].pk], "get", WITH_ROLE),
    ("mapping:nation", lambda c: [c["round"].pk], "get", WITH_ROLE),
    ("mapping:export", lambda c: [c["round"].pk, "responses"], "get", {"pusat", "lpmp", "lpmp_jambi"}),
    ("mapping:export", lambda c: [c["round"].pk, "scores"], "get", WITH_ROLE),
    ("mapping:region", lambda c: [c["round"].pk, "regency", "14.01"], "get", KAMPAR_VIEWERS),
    ("mapping:region", lambda c: [c["round"].pk, "province", "15"], "get", {"pusat", "lpmp_jambi"}),
    ("mapping:respondents", lambda c: [c["round"].pk, c["a"].npsn], "get", SCHOOL_A_VIEWERS),
    ("mapping:sheet", lambda c: [c["round"].pk, c["a"].npsn], "get", {"kepsek_a", "operator_a"}),
    ("mapping:rapor", lambda c: [c["round"].pk, c["a"].npsn], "get", SCHOOL_A_VIEWERS),
    ("mapping:rapor", lambda c: [c["round"].pk, c["d"].npsn], "get", {"pusat", "lpmp_jambi"}),
    ("mapping:verval", lambda c: [c["round"].pk, c["a"].npsn], "get", {"pengawas"}),
    ("mapping:verify", lambda c: [c["round"].pk, c["a"].npsn, c["node"].pk], "post", {"pengawas"}),
    ("mapping:agree", lambda c: [c["round"].pk, c["a"].npsn, c["node"].pk], "post", {"pengawas"}),
    ("mapping:advance", lambda c: [c["round"].pk, c["a"].npsn], "post", {"pengawas"}),
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
    # Respondents have no account: their pages are guarded by the personal code instead
    # (mutu/mapping/tests/test_respond.py checks that a code opens only its own questionnaire).
    "respond:code",
    "respond:questions",
    "respond:answer",
    "respond:submit",
}
# The read API (answers 401 without credentials instead of redirecting to the login page).
API = [
    ("api:instruments", lambda c: [], WITH_ROLE),
    ("api:instrument", lambda c: ["tiny"], WITH_ROLE),
    ("api:rounds", lambda c: [], WITH_ROLE),
    ("api:progress", lambda c: [c["round"].pk], WITH_ROLE),
    ("api:school_rapor", lambda c: [c["round"].pk, c["a"].npsn], SCHOOL_A_VIEWERS),
    ("api:region", lambda c: [c["round"].pk, "regency", "14.01"], KAMPAR_VIEWERS),
]
API_PUBLIC = {"api:openapi-json", "api:openapi-view", "api:api-root"}
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
    covered = {name for name, *_ in MATRIX + API} | PUBLIC | ACCOUNT_ONLY | API_PUBLIC
    assert set(_names()) - covered == set()


@pytest.fixture
def context(personas, schools):
    """Objects the URLs point at: an import job of `lpmp`, and a scored national round."""
    from datetime import date

    from mutu.instruments.models import Node
    from mutu.instruments.services import load_instrument
    from mutu.mapping import scoring, services
    from mutu.mapping.tests.conftest import TINY
    from mutu.schools.models import SchoolImport

    job = SchoolImport.objects.create(uploaded_by=personas["lpmp"], original_name="x.csv", file="imports/x.csv")
    instrument = load_instrument(TINY)
    round_ = services.create_round(
        actor=personas["pusat"],
        name="Nasional",
        year=2026,
        instrument=instrument,
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 1),
        quotas={"SD": {"ks": 1}},
    )
    for key in ("a", "d"):
        (slot,) = services.add_respondents(
            actor=None, round_=round_, school=schools[key], respondent_type="ks", count=1
        )
        services.submit_answers(respondent=slot, options=[])
    scoring.score_round(round_.pk)
    return {**schools, "job": job, "round": round_, "node": Node.objects.get(version=instrument, code="1.1.1")}


@pytest.mark.parametrize("name,args,method,allowed", MATRIX, ids=[f"{m[0]}-{i}" for i, m in enumerate(MATRIX)])
def test_access(client, personas, context, name, args, method, allowed):
    url = reverse(name, args=args(context))
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


@pytest.mark.parametrize("name,args,allowed", API, ids=[m[0] for m in API])
def test_api_access(client, personas, context, name, args, allowed):
    from mutu.accounts.tokens import create_token

    url = reverse(name, args=args(context))
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    for username, user in personas.items():
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='uji')}")
        if username in allowed:
            assert response.status_code == 200, (username, url, response.status_code)
        else:
            assert response.status_code in (403, 404), (username, url, response.status_code)
