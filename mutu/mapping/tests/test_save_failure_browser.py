"""On a phone: a save that fails (server error, then no network) stays on the device, says so beside
its question, and is sent again until it gets through."""

import pytest

from mutu.mapping import services
from mutu.mapping.models import Respondent


@pytest.mark.django_db(transaction=True)
def test_a_failed_save_is_shown_and_retried(browser, live_server, open_round, schools):
    (slot,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="guru", count=1
    )
    phone = browser.new_page(viewport={"width": 360, "height": 740})
    failures = ["fulfil-500", "abort"]  # the server fails the first save, the network drops the retry

    def flaky(route):
        if failures:
            how = failures.pop(0)
            return route.fulfill(status=500, body="Server Error") if how == "fulfil-500" else route.abort("failed")
        return route.continue_()

    phone.route("**/sync/", flaky)
    phone.goto(f"{live_server.url}/r/{slot.code}/")
    first = phone.locator("fieldset.question").nth(0)
    first.get_by_label("c").check()
    first.locator(".saved").get_by_text("Tersimpan di perangkat").wait_for()
    assert "waiting" in first.get_attribute("class")
    assert phone.locator("#answered").inner_text() == "1"
    # The retries go on by themselves until one gets through.
    first.locator(".saved").get_by_text("Terkirim", exact=True).wait_for(timeout=20_000)
    assert "waiting" not in first.get_attribute("class")
    assert failures == []
    slot.refresh_from_db()
    assert list(slot.draft.values()) == [int(first.get_by_label("c").get_attribute("value"))]

    # Sending with questions left lists them as links that lead to each one.
    phone.unroute("**/sync/")
    phone.get_by_role("button", name="Kirim jawaban").click()
    phone.locator("#confirm-dialog").get_by_role("button", name="Kirim jawaban").click()  # it asks first
    phone.get_by_text("Jawab dulu pertanyaan berikut:").wait_for()
    links = phone.locator("ul.missing a")
    assert links.count() == 2
    links.first.click()
    phone.wait_for_url("**#q-*")
    assert phone.locator("fieldset.question:target").count() == 1
    assert Respondent.objects.get(pk=slot.pk).submitted_at is None
