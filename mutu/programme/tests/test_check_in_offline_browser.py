"""Checking in at a venue without signal (issue #25 §2): /hadir/ opens again offline once it was opened
with signal, a check-in is kept on the phone with the phone's time and sent on reconnect, and the day
code's rules hold at that time: one made the day before the code opened, or arriving after
MUTU_OFFLINE_CHECKIN_HOURS, is refused on sync with the reason shown."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from conftest import PHONE, offline, online
from mutu.programme import events
from mutu.programme.models import Attendance


@pytest.mark.django_db(transaction=True)
def test_check_ins_made_offline_are_sent_on_reconnect_under_the_days_rules(
    browser, live_server, personas, event, people, requests_seen
):
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{live_server.url}/hadir/{code.code}/")  # the venue's QR, with signal
    page.locator("#device-check-ins[data-offline=ready]").wait_for(state="attached")

    offline(phone)
    requests_seen.clear()
    page.reload()  # the page opens again without signal
    expect(page.get_by_label("Kode kehadiran")).to_have_value(code.code)
    kept = page.locator("#device-check-ins li")

    def check_in(personal, at):
        page.clock.set_system_time(at)  # the phone's clock
        page.get_by_label("Kode peserta Anda (di surat undangan)").fill(personal)
        page.get_by_role("button", name="Saya hadir").click()

    now = datetime.now().astimezone()
    check_in("BUDI2345", now - timedelta(days=1))  # the day before the code opened
    check_in("BUDI2345", now - timedelta(days=3))  # sent more than 48 hours after it was made
    check_in("BUDI2345", now)
    expect(kept).to_have_count(3)
    expect(kept.nth(2)).to_contain_text("Tersimpan di ponsel ini pada")
    assert not Attendance.objects.exists() and requests_seen == []

    online(phone)
    expect(kept.nth(0)).to_contain_text("lebih dari 48 jam kemudian", timeout=15_000)
    expect(kept.nth(1)).to_contain_text("sebelum kode ini dibuka")
    expect(kept.nth(2)).to_contain_text("Hadir, tercatat: Budi")
    mark = Attendance.objects.get()
    assert mark.participant == people[0] and mark.method == "luring"
    assert abs((mark.device_at - now).total_seconds()) < 60

    kept.nth(0).get_by_role("button", name="Saya sudah membaca ini").click()  # read: gone from the phone
    expect(kept).to_have_count(2)
    page.reload()
    expect(kept).to_have_count(2)
    phone.close()


@pytest.mark.django_db(transaction=True)
def test_a_check_in_on_a_connection_that_carries_nothing_is_kept_too(browser, live_server, personas, event, people):
    """The phone says it is online (a captive Wi-Fi, signal without data), but the post never arrives."""
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{live_server.url}/hadir/{code.code}/")
    page.locator("#device-check-ins[data-offline=ready]").wait_for(state="attached")
    phone.route("**/*", lambda route: route.abort("connectionrefused"))  # navigator.onLine stays true
    page.get_by_label("Kode peserta Anda (di surat undangan)").fill("BUDI2345")
    page.get_by_role("button", name="Saya hadir").click()
    kept = page.locator("#device-check-ins li")
    expect(kept).to_contain_text("Tersimpan di ponsel ini pada")
    expect(page.locator(".unsaved-note")).to_have_count(0)  # nothing typed is waiting on this page
    phone.unroute("**/*")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # as the phone does when data flows again
    expect(kept).to_contain_text("Hadir, tercatat: Budi", timeout=15_000)
    assert Attendance.objects.get().method == "luring"
    phone.close()
