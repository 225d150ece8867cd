"""The whole mapping flow in Debian's Chromium: codes → phone answers → scoring → rapor → verval → PDF."""

import pytest

from conftest import browser_log_in as log_in
from mutu.mapping import scoring
from mutu.mapping.models import Milestone, Respondent, Verification


@pytest.mark.django_db(transaction=True)
def test_mapping_flow(browser, live_server, personas, schools, open_round, tmp_path):
    screenshots = tmp_path
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
    phone.locator("#confirm-dialog").get_by_role("button", name="Kirim jawaban").click()  # it asks first
    phone.wait_for_selector("text=jawaban untuk kode ini sudah terkirim")
    assert Respondent.objects.get(code=code).submitted_at is not None

    scoring.score_round(round_.pk)  # as the background task does

    principal = browser.new_page()
    log_in(principal, live_server, "kepsek_a")
    principal.goto(f"{live_server.url}/mapping/{round_.pk}/schools/{school.npsn}/rapor/")
    assert principal.locator(".chart .chart-bar").count() >= 2
    # Only the principal answered, both questions at the top option: 7,00 and the top level.
    assert principal.locator(".stats").inner_text().startswith("7,00\nnilai sekolah (0–7)\nSNP")

    # The pengawas verifies the whole school on a phone in a few actions: one correction, then agree
    # with the rest of each standard, finish and publish.
    supervisor = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(supervisor, live_server, "pengawas")
    supervisor.goto(f"{live_server.url}/mapping/{round_.pk}/schools/{school.npsn}/rapor/")
    assert supervisor.get_by_text("sementara", exact=True).is_visible()
    supervisor.get_by_role("link", name="Verifikasi", exact=True).click()
    row = supervisor.locator("tr", has_text="1.1.2")
    row.locator("summary", has_text="Koreksi").click()
    row.get_by_label("Nilai koreksi 1.1.2").fill("3,5")
    row.get_by_label("Catatan 1.1.2").fill("Bukti belum lengkap")
    row.get_by_role("button", name="Simpan koreksi").click()
    supervisor.locator("tr", has_text="1.1.2").get_by_text("dikoreksi menjadi 3,50").wait_for()
    for button in supervisor.get_by_role("button", name="Setujui sisa standar ini").all():
        button.click()
        supervisor.wait_for_load_state("networkidle")
    supervisor.locator("#verval-summary").get_by_text("4/4").wait_for()
    assert supervisor.url.endswith("/verval/")  # htmx: no full reloads
    # Finishing and publishing ask first: cancelled, nothing changes; confirmed, the step is taken.
    dialog = supervisor.locator("#confirm-dialog")
    supervisor.get_by_role("button", name="Selesaikan verifikasi").last.click()  # at the end of the page
    assert "tidak dapat diubah lagi" in dialog.inner_text()
    dialog.get_by_role("button", name="Batal").click()
    assert not dialog.is_visible() and not Milestone.objects.filter(step="verified").exists()
    supervisor.get_by_role("button", name="Selesaikan verifikasi").last.click()
    dialog.get_by_role("button", name="Ya, lanjutkan").click()
    supervisor.get_by_role("button", name="Terbitkan rapor").first.click()
    assert "tidak lagi berubah dengan sendirinya" in dialog.inner_text()
    dialog.get_by_role("button", name="Terbitkan").click()
    supervisor.get_by_text("Status: diterbitkan.").wait_for()
    assert Verification.objects.get(node__code="1.1.2").corrected == 3.5
    assert Verification.objects.filter(agreed=True).count() == 3
    supervisor.goto(f"{live_server.url}/mapping/{round_.pk}/schools/{school.npsn}/rapor/")
    assert supervisor.get_by_text("final", exact=True).is_visible()
    supervisor.screenshot(path=str(screenshots / "verval-rapor-360.png"), full_page=True)
    with supervisor.expect_download() as download:
        supervisor.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"rapor-mutu-{school.npsn}-2026.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
