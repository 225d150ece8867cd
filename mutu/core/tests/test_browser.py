"""Each role logs in through the Indonesian login page in Debian's Chromium and lands on its home page."""

import pytest

from conftest import browser_log_in

ROLE_HOMES = [
    ("pusat", "Admin pusat (Ditjen)"),
    ("lpmp", "Admin LPMP/BPMP"),
    ("fasilitator", "Fasilitator"),
    ("dinas_kampar", "Dinas Pendidikan / TPMPD"),
    ("pengawas", "Pengawas pembina"),
    ("kepsek_a", "Kepala sekolah"),
    ("tpmps_a", "Anggota TPMPS"),
    ("operator_a", "Operator sekolah"),
]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")  # the home page sends a visitor to the Indonesian login page
    assert page.locator("h1").inner_text() == "Masuk ke Mutu"
    browser_log_in(page, live_server, username)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username,role_label", ROLE_HOMES)
def test_role_logs_in_and_sees_home(page, live_server, personas, username, role_label):
    log_in(page, live_server, username)
    section = page.locator("section.role-home")
    assert section.locator("h2").inner_text().startswith(role_label)
    assert "Langkah berikutnya" in section.inner_text()


@pytest.mark.django_db(transaction=True)
def test_principal_on_a_phone_completes_the_profile(page, live_server, personas):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "kepsek_a")
    page.get_by_role("link", name="Lengkapi profil sekolah").click()
    page.get_by_label("Alamat").fill("Jl. Prof. M. Yamin No. 5")
    page.get_by_role("button", name="Simpan").click()
    assert "Data sekolah tersimpan." in page.locator(".msg").inner_text()
    assert "Jl. Prof. M. Yamin No. 5" in page.locator("dl.facts").inner_text()
    # The menu folds behind a button on a phone and opens on tap.
    menu_link = page.locator("nav.nav").get_by_role("link", name="Sekolah", exact=True)
    assert not menu_link.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert menu_link.is_visible()


@pytest.mark.django_db(transaction=True)
def test_the_account_links_sit_in_one_user_menu(page, live_server, personas):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "pengawas")
    nav = page.locator("nav.nav")
    assert nav.get_by_role("link", name="Kunjungan").is_visible()  # the pengawas's visits have a way in
    logout = page.get_by_role("button", name="Keluar")
    assert not logout.is_visible()
    page.locator("details.user-menu summary").click()
    for name in ("Pemberitahuan", "Kata sandi", "Masuk dua langkah", "Token API"):
        assert nav.get_by_role("link", name=name).is_visible()
    assert page.locator("details.user-menu").get_by_role("button", name="English").is_visible()
    logout.click()
    assert page.locator("h1").inner_text() == "Masuk ke Mutu"
