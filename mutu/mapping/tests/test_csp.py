"""The Content Security Policy holds and the htmx pages pass it: no page Mutu serves triggers a violation
in Chromium (answering with autosave, verval with htmx, imports, instruments, the audit log, the admin)."""

import pytest
from django.urls import reverse

from conftest import browser_log_in
from mutu.mapping import scoring

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_every_page_carries_the_policy(client, personas):
    client.force_login(personas["lpmp"])
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "Content-Security-Policy" not in client.get("/api/docs")  # Swagger UI's inline script and CDN


@pytest.mark.django_db(transaction=True)
def test_htmx_pages_pass_the_policy(browser, live_server, personas, schools, open_round):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_init_script(RECORD_VIOLATIONS)
    console = []
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    violations = []

    def visit(path):
        page.goto(f"{live_server.url}{path}")
        violations.extend(page.evaluate("window.__csp"))

    round_, school = open_round, schools["a"]
    browser_log_in(page, live_server, "operator_a")
    visit(f"/mapping/{round_.pk}/schools/{school.npsn}/respondents/")
    page.get_by_label("Jenis responden").select_option("ks")
    page.locator("form.grid2 button.btn").click()
    page.wait_for_selector("text=Responden ditambahkan")
    code = page.locator("table code").first.inner_text()
    visit(f"/mapping/{round_.pk}/schools/{school.npsn}/sheet/")
    page.context.clear_cookies()

    visit("/r/")
    page.get_by_label("Kode responden Anda").fill(code)
    page.get_by_role("button", name="Mulai").click()
    page.wait_for_load_state("load")  # respond.js (deferred) listens before the first answer
    page.locator("fieldset").nth(0).get_by_label("c").check()
    page.locator("fieldset").nth(0).locator(".saved").get_by_text("Tersimpan").wait_for()
    page.locator("fieldset").nth(1).get_by_label("b").check()
    page.locator("fieldset").nth(1).locator(".saved").get_by_text("Tersimpan").wait_for()
    page.get_by_role("button", name="Kirim jawaban").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Kirim jawaban").click()  # it asks first
    page.wait_for_selector("text=jawaban untuk kode ini sudah terkirim")
    violations.extend(page.evaluate("window.__csp"))
    scoring.score_round(round_.pk)

    browser_log_in(page, live_server, "pengawas")
    visit(f"/mapping/{round_.pk}/schools/{school.npsn}/verval/")
    page.get_by_role("button", name="Setujui sisa standar ini").first.click()
    page.wait_for_load_state("networkidle")
    violations.extend(page.evaluate("window.__csp"))
    visit(f"/mapping/{round_.pk}/schools/{school.npsn}/rapor/")

    page.context.clear_cookies()
    browser_log_in(page, live_server, "lpmp")
    for path in ("/", "/schools/", "/schools/import/", "/instruments/", "/audit/", f"/mapping/{round_.pk}/", "/admin/"):
        visit(path)
    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text]
    context.close()
