"""Two-factor sign-in: required for admin pusat, admin LPMP and the Django admin where MUTU_REQUIRE_2FA
is on (wherever debug is off), optional for everyone else; TOTP with single-use recovery codes; the
API tokens stay as they are."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from mutu.core.models import AuditEntry


@pytest.fixture(autouse=True)
def required(settings):
    settings.MUTU_REQUIRE_2FA = True


def code(device, drift=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def sign_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, follow=True)


def set_up(client):
    """Scan, confirm with a code; returns the device and the recovery codes shown once."""
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(confirmed=False)
    # A wrong code before makes the device wait a moment (django-otp's throttling): not the test's subject.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    page = client.post(reverse("two_factor"), {"token": code(device)}, follow=True).content.decode()
    return TOTPDevice.objects.get(pk=device.pk), re.findall(r"<li><code>(\w+)</code></li>", page)


@pytest.mark.parametrize("username", ["pusat", "lpmp"])
def test_national_and_provincial_admins_set_up_a_second_factor_before_anything(client, personas, username):
    page = sign_in(client, username)
    assert (
        page.redirect_chain[-1][0].startswith(reverse("two_factor"))
        and "aplikasi autentikator" in page.content.decode()
    )
    for url in (reverse("home"), reverse("schools:list"), "/admin/", reverse("audit_log")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor")), url
    assert "Kode dari aplikasi" in client.post(reverse("two_factor"), {"token": "000000"}, follow=True).content.decode()
    device, codes = set_up(client)
    assert device.confirmed and len(codes) == 10
    assert client.get(reverse("home")).status_code == 200  # verified in this session
    assert AuditEntry.objects.filter(action="account.2fa.on", actor=personas[username]).exists()
    # The next sign-in asks for a code; a wrong one is refused, a right one lets in.
    client.post(reverse("logout"))
    page = sign_in(client, username)
    assert page.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    wrong = client.post(reverse("two_factor_verify"), {"token": "123456"}).content.decode()
    assert "Kode itu tidak benar" in wrong and client.get(reverse("home")).status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(reverse("two_factor_verify"), {"token": code(device, drift=1), "next": "/schools/"})
    assert response.status_code == 302 and response["Location"] == "/schools/"
    assert client.get(reverse("home")).status_code == 200
    # Their role keeps it on.
    client.post(reverse("two_factor_off"))
    assert TOTPDevice.objects.filter(user=personas[username]).exists()


def test_a_recovery_code_works_once(client, personas):
    sign_in(client, "lpmp")
    _device, codes = set_up(client)
    client.post(reverse("logout"))
    sign_in(client, "lpmp")
    client.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    sign_in(client, "lpmp")
    assert "tidak benar" in client.post(reverse("two_factor_verify"), {"token": codes[0]}).content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("username", ["kepsek_a", "pengawas", "dinas_kampar", "fasilitator"])
def test_others_sign_in_with_a_password_and_may_turn_it_on(client, personas, username):
    sign_in(client, username)
    assert client.get(reverse("home")).status_code == 200
    device, _codes = set_up(client)
    client.post(reverse("logout"))
    sign_in(client, username)
    assert client.get(reverse("home")).status_code == 302  # turned on: asked for
    client.post(reverse("two_factor_verify"), {"token": code(device, drift=1)})  # the next code: one is used once
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("two_factor_off"))
    assert not TOTPDevice.objects.filter(user=personas[username]).exists()
    client.post(reverse("logout"))
    sign_in(client, username)
    assert client.get(reverse("home")).status_code == 200


def test_the_demo_keeps_password_only_logins(client, personas, settings):
    settings.MUTU_REQUIRE_2FA = False  # what MUTU_DEBUG=1 (./dev run) sets
    sign_in(client, "pusat")
    assert client.get(reverse("home")).status_code == 200


def test_api_tokens_stay_as_they_are(client, personas):
    from mutu.accounts.tokens import create_token

    token = create_token(user=personas["pusat"], name="dasbor", actor=personas["pusat"], days=30)
    response = client.get("/api/rounds", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_the_production_default_requires_it():
    from config import settings as project_settings

    assert project_settings.MUTU_REQUIRE_2FA is (not project_settings.DEBUG)


def test_every_persona_is_asked_for_a_second_factor_exactly_when_its_role_needs_it(client, personas):
    from mutu.accounts.two_factor import must
    from mutu.core.tests.test_access_matrix import PERSONAS

    for username in PERSONAS:
        user = personas[username]
        client.force_login(user)
        response = client.get(reverse("schools:list"))
        needs = user.is_staff or any(m.role in ("admin_pusat", "admin_lpmp") for m in user.memberships.active())
        assert must(user) is needs, username
        if needs:
            assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor")), username
        else:
            assert not response.has_header("Location") or "two-factor" not in response["Location"], username
        assert client.get("/admin/").status_code == 302  # the admin: staff pass the factor first, others log in
        client.logout()


def test_a_password_alone_never_opens_the_api_for_an_account_that_owes_a_factor(client, personas):
    sign_in(client, "pusat")
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
        assert client.get("/api/rounds", **headers).status_code == 401
    device, _codes = set_up(client)  # verified in this session
    assert client.get("/api/rounds").status_code == 200
    client.post(reverse("logout"))
    sign_in(client, "kepsek_a")  # no factor owed: the session opens the API as before
    assert client.get("/api/rounds").status_code == 200


def test_no_secret_reaches_the_audit_log_from_the_admin(client, personas, settings):
    settings.MUTU_REQUIRE_2FA = False
    personas["pusat"].is_superuser = True  # as the demo's pusat, who adds users in the admin
    personas["pusat"].save()
    client.force_login(personas["pusat"])
    client.post(
        "/admin/accounts/user/add/",
        {
            "username": "baru",
            "usable_password": "true",
            "password1": "Rahasia-Panjang-2026!",
            "password2": "Rahasia-Panjang-2026!",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    (entry,) = AuditEntry.objects.filter(action="admin.add")
    assert "Rahasia-Panjang" not in str(entry.changes) and entry.changes["password1"] == ["***", "***"]
