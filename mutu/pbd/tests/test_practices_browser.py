"""A refused review comes back as the reviewer left it, and only into the form it came from
(KeepTypedMiddleware, static/js/mutu.js)."""

import pytest

from conftest import browser_log_in
from mutu.pbd import practices
from mutu.pbd.models import Practice

from .test_practices import improved_activity, propose  # noqa: F401  (the fixture)


@pytest.mark.django_db(transaction=True)
def test_a_refused_review_comes_back_into_its_own_form(browser, live_server, personas, schools, improved_activity):  # noqa: F811
    practice = propose(personas, improved_activity)
    page = browser.new_page(viewport={"width": 360, "height": 780})
    browser_log_in(page, live_server, "lpmp")
    page.goto(f"{live_server.url}/rapor-pendidikan/praktik-baik/{practice.pk}/")
    page.get_by_role("radio", name="Kembalikan ke sekolah").check()
    page.get_by_label("Terbitkan untuk").select_option("nation")
    page.get_by_role("button", name="Simpan keputusan").click()  # returned without saying what to correct
    page.wait_for_selector(".msg-error")
    assert page.get_by_role("radio", name="Kembalikan ke sekolah").is_checked()
    assert page.get_by_label("Terbitkan untuk").input_value() == "nation"
    assert Practice.objects.get().state == "proposed"

    # Meanwhile pusat publishes it: the note meant for the school does not land in "Tarik".
    page.get_by_label("Catatan").fill("Tambahkan foto kelas")
    practices.review(actor=personas["pusat"], practice=practice, decision="publish", reach="province")
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_selector(".msg-error")
    assert page.get_by_label("Alasan (dilihat sekolah)").input_value() == ""
    assert Practice.objects.get().state == "published"
