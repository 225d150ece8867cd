"""What the programme's pages say when a list is empty, and the facilitator's ways in: today's sessions on
the home page, the attendance code shown full screen and closed early."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import browser_log_in, confirm
from mutu.core.models import AuditEntry
from mutu.programme import events
from mutu.programme.models import Attendance, AttendanceCode, Participant


def test_a_cohort_whose_schools_are_outside_the_scope_says_so(login, personas, cohort, model_school, event):
    page = login(personas["fasilitator"]).get(reverse("programme:cohort", args=[cohort.pk])).content.decode()
    assert "Angkatan ini memiliki 1 sekolah model dan calon; tidak satu pun dalam cakupan Anda." in page
    assert "sekolah model yang ditetapkan; tidak satu pun dalam cakupan Anda" in page
    assert "Belum ada sekolah yang diusulkan" not in page  # the wrong text of issue 22


def test_a_status_filter_with_no_hit_says_so(login, personas, cohort, model_school):
    url = reverse("programme:cohort", args=[cohort.pk]) + "?status=calon"
    page = login(personas["lpmp"]).get(url).content.decode()
    assert "Tidak ada sekolah di angkatan ini dengan status tersebut." in page
    assert "Belum ada sekolah yang diusulkan" not in page


def test_an_empty_cohort_says_nobody_was_proposed(login, personas, cohort):
    page = login(personas["lpmp"]).get(reverse("programme:cohort", args=[cohort.pk])).content.decode()
    assert "Belum ada sekolah yang diusulkan." in page


def _participants(event, schools, n=3):
    return [
        Participant.objects.create(
            event=event,
            session=event.sessions.get(),
            name=f"Guru {i}",
            role="guru",
            regency=schools["a"].regency,
            school=schools["a"],
            key=f"guru-{i}",
            code=f"GURU{i:04d}",
        )  # fmt: skip
        for i in range(n)
    ]


def test_event_search_finds_a_personal_code_and_names_an_empty_search(login, personas, event, schools):
    _participants(event, schools)
    client = login(personas["lpmp"])
    url = reverse("programme:event", args=[event.pk])
    found = client.get(url, {"q": "guru0002"}).content.decode()
    assert "Guru 2" in found and "Guru 1" not in found and "(1 dari 3)" in found
    none = client.get(url, {"q": "Zainuddin"}).content.decode()
    assert "Tidak ada peserta yang cocok dengan “Zainuddin”." in none
    assert "Belum ada peserta" not in none  # the wrong text of issue 22: the event has 3
    # Who only views the event (a Dinas) does not look people up by the code printed on their letter.
    dinas = login(personas["dinas_kampar"]).get(url, {"q": "GURU0002"}).content.decode()
    assert "Guru 2" not in dinas


def test_a_finished_import_does_not_say_it_is_being_read(login, personas, event):
    client = login(personas["lpmp"])
    upload = SimpleUploadedFile("peserta.csv", b"Nama;Peran;Kabupaten/Kota\nBudi;guru;Kampar\n", "text/csv")
    response = client.post(reverse("programme:participant_import", args=[event.pk]), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Berkas sedang dibaca" not in page and "Berkas diterima." in page


def test_the_facilitators_home_lists_todays_sessions_with_their_open_codes(login, personas, event):
    session = event.sessions.get()
    client = login(personas["fasilitator"])
    home = client.get(reverse("home")).content.decode()
    assert "Sesi hari ini" in home and "TPK Kampar" in home and "hari ke-1 dari 2" in home
    assert "buka kode presensi hari ini" in home
    code = events.open_code(actor=personas["fasilitator"], session=session, day=1, minutes=30)
    home = client.get(reverse("home")).content.decode()
    assert f"Tampilkan kode {code.code}" in home and reverse("programme:code", args=[event.pk, code.pk]) in home
    # Two days later the two-day event is over: it is no longer today's.
    later = events.today_sessions(personas["fasilitator"], today=timezone.localdate() + timedelta(days=2))
    assert later == []


def test_a_code_closes_early_once_and_stops_check_ins(client, login, personas, event, schools):
    people = _participants(event, schools, 1)
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=120)
    staff = login(personas["fasilitator"])
    url = reverse("programme:code_close", args=[event.pk, code.pk])
    page = staff.post(url, follow=True).content.decode()
    assert f"Kode {code.code} ditutup" in page and f"Kode {code.code} sudah berakhir" in page
    assert 'class="bigcode"' not in page and "Buka kode baru" in page  # a closed code is not shown as usable
    assert reverse("programme:cohort", args=[event.cohort.pk]) in page.split("</nav>", 2)[1]  # the cohort in the crumbs
    code.refresh_from_db()
    closed_at = code.valid_until
    assert closed_at <= timezone.now()
    staff.post(url)  # a second click changes nothing
    code.refresh_from_db()
    assert code.valid_until == closed_at
    assert AuditEntry.objects.filter(action="programme.code_close").count() == 1
    staff.logout()
    refused = client.post(reverse("check_in"), {"day_code": code.code, "participant_code": people[0].code})
    assert "Terima kasih" not in refused.content.decode()
    assert not Attendance.objects.filter(participant=people[0]).exists()
    # The venue's link or QR of the closed code says so before anyone types.
    link = client.get(reverse("check_in_code", args=[code.code])).content.decode()
    assert "Kode kehadiran ini kedaluwarsa pukul" in link
    upcoming = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    AttendanceCode.objects.filter(pk=upcoming.pk).update(valid_from=timezone.now() + timedelta(hours=1))
    for quiet in (upcoming.code, "ZZZZZZ"):  # a code yet to open, or none at all, is not confirmed
        assert "kedaluwarsa" not in client.get(reverse("check_in_code", args=[quiet])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_code_page_goes_full_screen_and_asks_before_closing(page, live_server, personas, event):
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    browser_log_in(page, live_server, "fasilitator")
    page.goto(f"{live_server.url}{reverse('programme:code', args=[event.pk, code.pk])}")
    page.get_by_role("button", name="Layar penuh (untuk proyektor)").click()
    page.wait_for_function("document.fullscreenElement && document.fullscreenElement.id === 'code-screen'")
    page.evaluate("document.exitFullscreen()")
    page.get_by_role("button", name="Tutup kode sekarang").click()
    confirm(page)
    page.wait_for_selector(".msg-success")
    assert "ditutup" in page.locator(".msg-success").inner_text()


def test_the_event_page_gives_each_field_its_own_id(client, personas, event):
    """Several forms on one page (the event, a new session, a roster, an import): a label that points
    at another form's field would send the cursor, and a screen reader, to the wrong place."""
    import re
    from collections import Counter

    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:event", args=[event.pk])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, n in ids.items() if n > 1] == []
    assert 'for="new_session_name"' in page and 'id="new_session_name"' in page
