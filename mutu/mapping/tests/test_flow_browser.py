"""The whole mapping flow in Debian's Chromium: codes → phone answers → scoring → rapor → verval → PDF."""

import pytest

from conftest import browser_log_in as log_in
from mutu.mapping import scoring
from mutu.mapping.models import Respondent, Verification


@pytest.mark.django_db(transaction=True)
def test_mapping_flow(browser, live_server, personas, schools, open_round):
    round_ = open_round
    school = schools["a"]
    operator = browser.new_page()
    log_in(operator, live_server, "operator_a")
    operator.goto(f"{live_server.url}/mapping/{round_.pk}/schools/{school.npsn}/respondents/")
    operator.get_by_label("Jenis responden").select_option("ks")
    operator.locator("form.grid2 button.btn").click()
    operator.wait_for_selector("text=Responden ditambahkan")
    code = operator.locator("table code").first.inner_text()

    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/r/")
    phone.get_by_label("Kode responden Anda").fill(code.lower())
    phone.get_by_role("button", name="Mulai").click()
    phone.locator("fieldset").nth(0).get_by_label("c").check()
    phone.locator("fieldset").nth(0).locator(".saved").get_by_text("Tersimpan").wait_for()
    phone.goto("about:blank")  # leave …
    phone.goto(f"{live_server.url}/r/{code}/")  # … and come back
    assert phone.locator("fieldset").nth(0).get_by_label("c").is_checked()
    phone.locator("fieldset").nth(1).get_by_label("b").check()
    phone.locator("fieldset").nth(1).locator(".saved").get_by_text("Tersimpan").wait_for()
    phone.get_by_role("button", name="Kirim jawaban").click()
    phone.wait_for_selector("text=jawaban untuk kode ini sudah terkirim")
    assert Respondent.objects.get(code=code).submitted_at is not None

    scoring.score_round(round_.pk)  # as the background task does

    principal = browser.new_page()
    log_in(principal, live_server, "kepsek_a")
    principal.goto(f"{live_server.url}/mapping/{round_.pk}/schools/{school.npsn}/rapor/")
    assert principal.locator("svg.chart rect").count() > 8
    # Only the principal answered, both questions at the top option: 7,00 and the top level.
    assert principal.locator(".stats").inner_text().startswith("7,00\nnilai sekolah (0–7)\nSNP")

    supervisor = browser.new_page()
    log_in(supervisor, live_server, "pengawas")
    supervisor.goto(f"{live_server.url}/mapping/{round_.pk}/schools/{school.npsn}/rapor/")
    supervisor.locator("details.node").first.click()
    supervisor.locator("details.node details.node").first.click()
    first_sub = supervisor.locator("ul.subs li").first
    first_sub.locator("select[name=agreed]").select_option("1")
    first_sub.get_by_role("button", name="Simpan").click()
    supervisor.wait_for_selector("text=Verifikasi 1.1.1 tersimpan.")
    assert Verification.objects.get().agreed
    with supervisor.expect_download() as download:
        supervisor.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"rapor-mutu-{school.npsn}-2026.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
