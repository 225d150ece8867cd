import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from conftest import PASSWORD


def test_login_page_is_indonesian(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Masuk ke Mutu" in page and "Nama pengguna" in page and "Lupa kata sandi?" in page
    assert '<html lang="id">' in page


def test_login_logout(client, personas):
    response = client.post(reverse("login"), {"username": "kepsek_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "Kepala sekolah" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_message_is_indonesian(client, personas):
    response = client.post(reverse("login"), {"username": "kepsek_a", "password": "salah"})
    assert "Nama pengguna atau kata sandi salah." in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, personas):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "kepsek_a", "password": "salah"})
    response = client.post(reverse("login"), {"username": "kepsek_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    # Another account from the same address is not locked with it.
    response = client.post(reverse("login"), {"username": "kepsek_b", "password": PASSWORD})
    assert response.status_code == 302


def test_production_hashes_passwords_with_argon2():
    from config import settings as project_settings  # the file itself: tests swap in a fast hasher

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_hash_verifies(settings, db):
    from django.contrib.auth.hashers import check_password, make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password("Rahasia-2026")
    assert encoded.startswith("argon2$") and check_password("Rahasia-2026", encoded)


def test_password_reset_sends_indonesian_mail(client, personas):
    client.post(reverse("password_reset"), {"email": "kepsek_a@example.org"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Atur ulang kata sandi Mutu Anda"
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "Buat kata sandi baru" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Sekolah-Maju-2027", "new_password2": "Sekolah-Maju-2027"})
    assert response.status_code == 302
    personas["kepsek_a"].refresh_from_db()
    assert personas["kepsek_a"].check_password("Sekolah-Maju-2027")


def test_password_change(client, personas):
    client.force_login(personas["pengawas"])
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Binaan-Sekolah-2027", "new_password2": "Binaan-Sekolah-2027"},
    )
    assert response.status_code == 302
    personas["pengawas"].refresh_from_db()
    assert personas["pengawas"].check_password("Binaan-Sekolah-2027")


def test_language_switch_to_english_and_back(client, personas):
    client.force_login(personas["lpmp"])
    assert "Beranda" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Home" in page and "To do next" in page and "Bahasa Indonesia" in page
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert "Langkah berikutnya" in client.get(reverse("home")).content.decode()


def test_browser_language_does_not_override_indonesian(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Masuk ke Mutu" in page


@pytest.mark.parametrize("username", ["expired", "nobody"])
def test_account_without_active_role_sees_guidance(client, personas, username):
    client.force_login(personas[username])
    assert "Akun Anda belum memiliki peran aktif" in client.get(reverse("home")).content.decode()


def test_many_usernames_from_one_address_lock_that_address(client, personas, settings):
    """Password spraying: axes limits one username per address; the address itself is limited too."""
    settings.MUTU_LOGIN_ADDRESS_ATTEMPTS = 3
    for username in ("kepsek_a", "kepsek_b", "operator_a"):
        client.post(reverse("login"), {"username": username, "password": "salah"})
    response = client.post(reverse("login"), {"username": "tpmps_a", "password": PASSWORD})
    assert (
        response.status_code == 429 and "Terlalu banyak percobaan masuk dari jaringan ini" in response.content.decode()
    )
    # Someone behind another address is not held up.
    other = client.post(reverse("login"), {"username": "tpmps_a", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_behind_the_proxy_a_lockout_hits_the_attacker_not_the_user(client, personas, settings):
    settings.MUTU_TRUSTED_PROXIES = 1
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "kepsek_a", "password": "salah"}, **attacker)
    assert client.post(reverse("login"), {"username": "kepsek_a", "password": PASSWORD}, **attacker).status_code == 429
    user = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.5"}
    assert client.post(reverse("login"), {"username": "kepsek_a", "password": PASSWORD}, **user).status_code == 302


def test_sessions_end_with_the_browser_and_csrf_cookie_is_http_only(client, personas):
    response = client.post(reverse("login"), {"username": "kepsek_a", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["expires"] == "" and session["max-age"] == ""  # a browser-session cookie
    page = client.get(reverse("password_change"))
    assert page.cookies.get("csrftoken") is None or page.cookies["csrftoken"]["httponly"]
    assert django_settings.SESSION_SAVE_EVERY_REQUEST and django_settings.SESSION_COOKIE_AGE <= 4 * 3600


def test_a_short_secret_key_refuses_to_start():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTU_")}
    env.update(MUTU_SECRET_KEY="pendek", DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "at least 50 characters" in done.stderr


def test_one_area_rule_for_reading_and_placing_schools(personas, schools):
    """The scope module answers reads (school_q) and writes (allows) from the same memberships."""
    from mutu.accounts.permissions import Perm
    from mutu.accounts.scopes import area_for
    from mutu.schools.models import School

    for name in ("pusat", "lpmp", "lpmp_jambi", "dinas_kampar", "dinas_riau", "pengawas", "kepsek_a", "nobody"):
        area = area_for(personas[name], Perm.SCHOOL_EDIT)
        readable = set(School.objects.filter(area.school_q()).values_list("npsn", flat=True))
        for school in schools.values():
            placeable = area.allows(school.province_id, school.regency_id, school.level)
            # Whoever may place a school may also read and edit it; school staff and pengawas edit only.
            assert not placeable or school.npsn in readable, (name, school)
    assert (
        area_for(personas["kepsek_a"], Perm.SCHOOL_EDIT).allows(
            schools["a"].province_id, schools["a"].regency_id, schools["a"].level
        )
        is False
    )
