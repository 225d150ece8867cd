"""A refused form comes back with what was typed, marked "belum disimpan", and leaving a page with
unsaved input warns (static/js/mutu.js with KeepTypedMiddleware)."""

import pytest

from conftest import browser_log_in
from mutu.cycle.models import ActivityStatus
from mutu.cycle.tests.test_implementation import activity  # noqa: F401  (the fixture)


@pytest.mark.django_db(transaction=True)
def test_reversed_dates_come_back_as_typed_and_leaving_warns(browser, live_server, personas, activity):  # noqa: F811
    page = browser.new_page(viewport={"width": 360, "height": 780})
    browser_log_in(page, live_server, "tpmps_a")
    url = f"{live_server.url}/cycle/{activity.program.cycle.school.npsn}/2026/implementation/"
    page.goto(url)
    block = page.locator(f"#activity-{activity.pk}")
    block.locator("summary", has_text="Catat pelaksanaan").click()
    prefix = f"[name=i{activity.pk}-"
    block.locator(prefix + "status]").select_option("selesai")
    block.locator(prefix + "started_on]").fill("2026-03-05")
    block.locator(prefix + "finished_on]").fill("2026-03-02")
    block.locator(prefix + "actual_cost]").fill("1.750.000")
    block.locator(prefix + "notes]").fill("Diikuti 24 guru")
    assert block.get_by_text("Belum disimpan").is_visible()  # typed, not saved
    block.get_by_role("button", name="Simpan").click()
    page.wait_for_selector("text=Tidak ada yang disimpan")
    # Refused: everything typed is back in the form, which says it is not saved.
    block = page.locator(f"#activity-{activity.pk}")
    assert block.locator(prefix + "started_on]").input_value() == "2026-03-05"
    assert block.locator(prefix + "finished_on]").input_value() == "2026-03-02"
    assert block.locator(prefix + "actual_cost]").input_value() == "1.750.000"
    assert block.locator(prefix + "notes]").input_value() == "Diikuti 24 guru"
    assert block.locator(prefix + "status]").input_value() == "selesai"
    assert block.get_by_text("Belum disimpan").is_visible()
    activity.refresh_from_db()
    assert activity.status != ActivityStatus.DONE
    # Leaving now warns; staying keeps the input.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Beranda").first.click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url.startswith(url)
    assert block.locator(prefix + "notes]").input_value() == "Diikuti 24 guru"
    # Corrected and saved, the page leaves without a warning.
    block.locator(prefix + "finished_on]").fill("2026-03-06")
    block.get_by_role("button", name="Simpan").click()
    page.wait_for_selector(".msg-success")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.actual_cost == 1_750_000
    page.get_by_role("link", name="Beranda").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert dialogs == ["beforeunload"]
