"""API tokens end on their date, and their owner and the admins whose scope holds their user list and
revoke them (issue #13 §6)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import browser_log_in
from mutu.accounts.models import ApiToken
from mutu.accounts.tokens import create_token
from mutu.core.models import AuditEntry

API = "/api/rounds"


def api(_client, token):
    """The API as a program calls it: the token alone, no browser session."""
    return Client().get(API, HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_token_is_made_on_the_page_and_shown_once(client, personas):
    client.force_login(personas["kepsek_a"])
    response = client.post(reverse("api_tokens"), {"name": "Dasbor sekolah", "days": 30}, follow=True)
    page = response.content.decode()
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', page).group(1)
    assert api(client, token) == 200
    record = ApiToken.objects.get()
    assert (record.expires_at - timezone.now()).days in (29, 30) and record.hint == token[:6]
    assert token not in client.get(reverse("api_tokens")).content.decode()  # never shown again
    assert AuditEntry.objects.filter(action="api_token.create").exists()


def test_lifetime_is_bounded_by_the_setting(client, personas, settings):
    settings.MUTU_API_TOKEN_DAYS = 90
    client.force_login(personas["kepsek_a"])
    page = client.post(reverse("api_tokens"), {"name": "Lama", "days": 365}).content.decode()
    assert "Pastikan nilai ini lebih kecil dari atau sama dengan 90" in page and not ApiToken.objects.exists()


def test_an_expired_or_revoked_token_is_refused(client, personas):
    token = create_token(user=personas["dinas_kampar"], name="uji")
    assert api(client, token) == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(client, token) == 401
    other = create_token(user=personas["dinas_kampar"], name="uji 2")
    client.force_login(personas["dinas_kampar"])
    record = ApiToken.objects.get(name="uji 2")
    client.post(reverse("api_token_revoke", args=[record.pk]))
    client.post(reverse("api_token_revoke", args=[record.pk]))  # a double click changes nothing
    assert api(client, other) == 401
    record.refresh_from_db()
    assert record.revoked_by == personas["dinas_kampar"]
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_admins_in_scope_list_and_revoke_the_tokens_of_their_users(client, personas):
    create_token(user=personas["kepsek_a"], name="Dasbor Riau")  # school a lies in Riau
    record = ApiToken.objects.get()
    for name, sees in [("lpmp", True), ("pusat", True), ("lpmp_jambi", False), ("dinas_kampar", False)]:
        client.force_login(personas[name])
        assert ("Dasbor Riau" in client.get(reverse("api_tokens")).content.decode()) == sees, name
        if not sees:
            assert client.post(reverse("api_token_revoke", args=[record.pk])).status_code == 404, name
    record.refresh_from_db()
    assert record.revoked_at is None
    client.force_login(personas["lpmp"])
    client.post(reverse("api_token_revoke", args=[record.pk]))
    record.refresh_from_db()
    assert record.revoked_by == personas["lpmp"]


def test_an_lpmp_reaches_only_users_wholly_inside_its_province(client, personas, schools):
    from datetime import date

    from mutu.factories import MembershipFactory, UserFactory
    from mutu.regions.models import Regency

    both = MembershipFactory(user__username="ganda", role="admin_pusat").user  # national, and TPMPS in Riau
    MembershipFactory(user=both, role="tpmps", school=schools["a"])
    moved = UserFactory(username="mantan")  # once Dinas Kampar, now Dinas in Jambi
    MembershipFactory(
        user=moved, role="dinas", regency=Regency.objects.get(code="14.01"),
        valid_from=date(2023, 1, 1), valid_to=date(2024, 12, 31),
    )  # fmt: skip
    MembershipFactory(user=moved, role="dinas", regency=Regency.objects.get(code="15.71"))
    for user in (both, moved, personas["kepsek_a"]):
        create_token(user=user, name=f"token {user.username}")
    client.force_login(personas["lpmp"])
    page = client.get(reverse("api_tokens")).content.decode()
    assert "token kepsek_a" in page and "token ganda" not in page and "token mantan" not in page
    for record in ApiToken.objects.filter(user__in=[both, moved]):
        assert client.post(reverse("api_token_revoke", args=[record.pk])).status_code == 404
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_the_new_token_is_copied_with_one_click(browser, live_server, personas):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    browser_log_in(page, live_server, "kepsek_a")
    page.goto(f"{live_server.url}{reverse('api_tokens')}")
    page.get_by_label("Untuk apa token ini").fill("Dasbor sekolah")
    page.get_by_role("button", name="Buat token").click()
    token = page.locator("#new-token").inner_text()
    page.get_by_role("button", name="Salin").click()
    page.get_by_role("button", name="Tersalin").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == token
    context.close()
