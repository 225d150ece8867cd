"""The questionnaire on a phone without signal (issue #25): Chromium with its network switched off,
a service worker keeping the pages and IndexedDB keeping the answers; every answer reaches the server
exactly once, with the value given."""

import time

import pytest
from playwright.sync_api import expect

from conftest import PHONE, confirm, offline, online
from mutu.mapping import respond, services
from mutu.mapping.models import Respondent


@pytest.fixture
def one_per_page(monkeypatch):
    """The tiny instrument's three questions for a teacher, one to a page."""
    monkeypatch.setattr(respond, "QUESTIONS_PER_PAGE", 1)


@pytest.fixture
def slot(open_round, schools, one_per_page):
    (slot,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="guru", count=1
    )
    return slot


def launch(browser_type, browser_type_launch_args, folder, **options):
    """A phone's browser with its own profile folder: closing it and launching it again on the same
    folder is a browser restart with the device's storage kept."""
    return browser_type.launch_persistent_context(str(folder), **browser_type_launch_args, **PHONE, **options)


def ready(page):
    """Wait until every page of the code is kept on the device."""
    page.locator("#answers[data-offline=ready]").wait_for(state="attached")


def question(page, n):
    """The n-th question of the page shown (offline, the whole questionnaire is one document)."""
    return page.locator(".page:not([hidden]) fieldset.question").nth(n)


def status(page, n):
    return question(page, n).locator(".saved")


def option_id(slot, number, code):
    questions = services.questionnaire_for(slot).questions.order_by("position")
    return questions[number].options.get(code=code).pk


@pytest.mark.django_db(transaction=True)
def test_answers_given_offline_reach_the_server_once(
    browser_type, browser_type_launch_args, live_server, slot, tmp_path, requests_seen
):
    phone = launch(browser_type, browser_type_launch_args, tmp_path / "phone")
    page = phone.new_page()
    page.goto(f"{live_server.url}/r/{slot.code}/")
    ready(page)

    offline(phone)
    requests_seen.clear()
    question(page, 0).get_by_label("c").check()
    status(page, 0).get_by_text("Tersimpan di perangkat").wait_for()
    page.get_by_role("button", name="Simpan dan lanjut").click()
    page.wait_for_url("**?page=2")
    question(page, 0).get_by_label("b").check()
    status(page, 0).get_by_text("Tersimpan di perangkat").wait_for()

    page.reload()
    expect(question(page, 0).get_by_label("b")).to_be_checked()
    page.get_by_role("button", name="Simpan dan lanjut").click()
    page.wait_for_url("**?page=3")
    page.get_by_role("link", name="Sebelumnya").click()
    page.wait_for_url("**?page=2")
    expect(question(page, 0).get_by_label("b")).to_be_checked()
    expect(page.locator("#answered")).to_have_text("2")
    slot.refresh_from_db()
    assert slot.draft == {}  # nothing has reached the server yet

    phone.close()  # the browser is closed; it starts again on the same profile, still offline
    phone = launch(browser_type, browser_type_launch_args, tmp_path / "phone")
    offline(phone)
    page = phone.new_page()
    page.goto(f"{live_server.url}/r/{slot.code}/")  # the code's own address, as on the code sheet
    page.wait_for_url("**?page=3")  # the first question not answered yet
    page.get_by_role("link", name="Sebelumnya").click()
    expect(question(page, 0).get_by_label("b")).to_be_checked()
    expect(status(page, 0)).to_have_text("Tersimpan di perangkat; dikirim begitu ada sinyal.")
    assert requests_seen == []  # every page, script and style came from the device

    online(phone)
    expect(status(page, 0)).to_have_text("Terkirim", timeout=15_000)
    slot.refresh_from_db()
    questions = list(services.questionnaire_for(slot).questions.order_by("position"))
    assert slot.draft == {
        str(questions[0].pk): option_id(slot, 0, "c"),
        str(questions[1].pk): option_id(slot, 1, "b"),
    }
    assert len(slot.draft_times) == 2
    phone.close()


KEPT = """async (code) => {
  const db = await new Promise((resolve) => {
    const open = indexedDB.open("mutu-respond");
    open.onsuccess = () => resolve(open.result);
  });
  const count = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).count();
    request.onsuccess = () => resolve(request.result);
  });
  return {answers: await count("answers"), notes: await count("notes"), pages: await caches.has("mutu-r-" + code)};
}"""


def send(page):
    page.get_by_role("button", name="Kirim jawaban").click()
    confirm(page)  # it asks first


@pytest.mark.django_db(transaction=True)
def test_sending_offline_is_done_on_reconnect_and_leaves_nothing_on_the_device(browser, live_server, slot):
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{live_server.url}/r/{slot.code}/")
    ready(page)
    offline(phone)
    question(page, 0).get_by_label("c").check()
    page.get_by_role("button", name="Simpan dan lanjut").click()
    question(page, 0).get_by_label("b").check()
    page.get_by_role("button", name="Simpan dan lanjut").click()
    page.wait_for_url("**?page=3")
    send(page)  # one question is still open: the server says so once it hears of it
    note = page.locator("#device-note")
    expect(note).to_contain_text("Jawaban Anda akan dikirim begitu ada sinyal")

    online(phone)
    expect(note).to_contain_text("1 pertanyaan belum dijawab", timeout=15_000)
    expect(note.get_by_role("link")).to_have_count(1)
    page.reload()  # the server's word stays on the device until it was read
    expect(note).to_contain_text("1 pertanyaan belum dijawab")
    note.get_by_role("button", name="Saya sudah membaca ini").click()
    expect(note).to_be_hidden()
    page.reload()
    expect(question(page, 0)).to_be_visible()
    expect(note).to_be_hidden()
    assert Respondent.objects.get(pk=slot.pk).submitted_at is None

    offline(phone)
    question(page, 0).get_by_label("x").check()
    send(page)
    expect(note).to_contain_text("Jawaban Anda akan dikirim begitu ada sinyal")
    online(phone)
    page.wait_for_url(f"**/r/{slot.code}/", timeout=15_000)
    expect(page.get_by_role("heading")).to_have_text("Jawaban terkirim")
    slot.refresh_from_db()
    assert slot.submitted_at is not None and len(slot.draft) == 3
    assert page.evaluate(KEPT, slot.code) == {"answers": 0, "notes": 0, "pages": False}
    phone.close()


@pytest.mark.django_db(transaction=True)
def test_two_devices_with_one_code_the_later_answer_stands(browser, live_server, slot):
    first, second = browser.new_context(**PHONE), browser.new_context(**PHONE)
    one, two = first.new_page(), second.new_page()
    for page in (one, two):
        page.goto(f"{live_server.url}/r/{slot.code}/")
        ready(page)
    offline(first)
    question(one, 0).get_by_label("a").check()  # earlier, offline
    expect(status(one, 0)).to_contain_text("Tersimpan di perangkat")
    question(two, 0).get_by_label("b").check()  # later, with signal
    expect(status(two, 0)).to_have_text("Terkirim")

    online(first)  # the first phone learns that the later answer stands, and shows it
    expect(status(one, 0)).to_have_text(
        "Jawaban yang lebih baru dari perangkat lain yang berlaku; jawaban itu ditampilkan di sini.", timeout=15_000
    )
    expect(question(one, 0).get_by_label("b")).to_be_checked()
    slot.refresh_from_db()
    assert list(slot.draft.values()) == [option_id(slot, 0, "b")]
    first.close()
    second.close()


@pytest.mark.django_db(transaction=True)
def test_an_answer_given_while_another_is_on_its_way_is_sent_too(browser, live_server, slot):
    phone = browser.new_context(**PHONE)
    page = phone.new_page()

    def slow(route):  # a 3G round trip
        time.sleep(1.5)
        route.continue_()

    phone.route("**/sync/", slow)
    page.goto(f"{live_server.url}/r/{slot.code}/?page=1")
    question(page, 0).get_by_label("c").check()
    page.get_by_role("button", name="Simpan dan lanjut").click()
    question(page, 0).get_by_label("b").check()
    expect(status(page, 0)).to_have_text("Terkirim", timeout=15_000)
    page.go_back()
    expect(status(page, 0)).to_have_text("Terkirim", timeout=15_000)
    slot.refresh_from_db()
    assert len(slot.draft) == 2
    phone.close()


@pytest.mark.django_db(transaction=True)
def test_an_answer_sent_here_gives_way_to_a_later_one_from_another_phone(browser, live_server, slot):
    first, second = browser.new_context(**PHONE), browser.new_context(**PHONE)
    one, two = first.new_page(), second.new_page()
    one.goto(f"{live_server.url}/r/{slot.code}/?page=1")
    question(one, 0).get_by_label("a").check()
    expect(status(one, 0)).to_have_text("Terkirim")
    two.goto(f"{live_server.url}/r/{slot.code}/?page=1")
    question(two, 0).get_by_label("c").check()  # later, on the other phone
    expect(status(two, 0)).to_have_text("Terkirim")
    one.reload()  # the page shows what the server holds, not this phone's older answer
    expect(question(one, 0).get_by_label("c")).to_be_checked()
    expect(status(one, 0)).to_have_text("")
    first.close()
    second.close()


@pytest.mark.django_db(transaction=True)
def test_a_refused_request_is_said_beside_the_answer_and_not_sent_again(browser, live_server, slot):
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    sent = []

    def gone(route):
        sent.append(1)
        route.fulfill(status=404, content_type="application/json", body='{"error": "Kode ini tidak dikenal."}')

    phone.route("**/sync/", gone)
    page.goto(f"{live_server.url}/r/{slot.code}/")
    question(page, 0).get_by_label("c").check()
    expect(status(page, 0)).to_have_text("Kode ini tidak dikenal.")
    assert "unsaved" in question(page, 0).get_attribute("class")
    page.wait_for_timeout(3000)  # longer than the first retry's wait
    assert sent == [1]
    phone.close()
