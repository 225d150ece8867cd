"""Attendance: a participant marks themselves present on a phone with the day's time-limited code and
their personal code (typed, from a link, from the venue's QR); the facilitator's checklist; late and
absent shown; expired codes, codes of another event and guessing refused."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutu.programme import events
from mutu.programme.models import Attendance, AttendanceCode, Participant


def test_a_participant_checks_in_with_the_days_code_once(client, personas, event, people):
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    url = reverse("check_in")
    response = client.post(url, {"day_code": code.code.lower(), "participant_code": "budi-2345"})
    assert "Terima kasih, Budi" in response.content.decode()
    again = client.post(url, {"day_code": code.code, "participant_code": "BUDI2345"})
    assert "sudah tercatat hadir pada hari ke-1" in again.content.decode()
    assert Attendance.objects.filter(participant=people[0]).count() == 1
    link = client.get(reverse("check_in_code", args=[code.code]))  # from the QR code
    assert f'value="{code.code}"' in link.content.decode() and link["Cache-Control"].startswith("max-age=0")


def test_expired_and_foreign_codes_are_refused(client, personas, event, people, cohort, schools):
    session = event.sessions.get()
    code = events.open_code(actor=personas["lpmp"], session=session, day=1, minutes=5)
    AttendanceCode.objects.filter(pk=code.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    response = client.post(reverse("check_in"), {"day_code": code.code, "participant_code": "BUDI2345"})
    assert response.status_code == 422 and "kedaluwarsa" in response.content.decode()
    other = events.save_event(
        actor=personas["lpmp"],
        cohort=cohort,
        data={"name": "Bimtek lain", "kind": "bimtek", "stage": 2, "mode": "daring", "days": 1},
    )
    other_session = events.save_session(
        actor=personas["lpmp"], event=other, data={"name": "Daring"}, regencies=[schools["a"].regency]
    )
    foreign = events.open_code(actor=personas["lpmp"], session=other_session, day=1, minutes=30)
    response = client.post(reverse("check_in"), {"day_code": foreign.code, "participant_code": "BUDI2345"})
    assert "tidak sesuai dengan kode hari ini" in response.content.decode()
    assert "Bimtek SPMI" not in response.content.decode() and "Budi" not in response.content.decode()
    response = client.post(reverse("check_in"), {"day_code": "ZZZZZZ", "participant_code": "BUDI2345"})
    assert "tidak ada" in response.content.decode()
    assert not Attendance.objects.exists()


def test_guessing_codes_is_throttled(client, settings, event, people):
    settings.MUTU_CODE_ATTEMPTS = 3
    for _ in range(3):
        client.post(reverse("check_in"), {"day_code": "ZZZZZZ", "participant_code": "X"})
    response = client.post(reverse("check_in"), {"day_code": "ZZZZZZ", "participant_code": "X"})
    assert response.status_code == 429 and "Terlalu banyak kode salah" in response.content.decode()


def test_only_who_runs_the_event_opens_codes(personas, event):
    session = event.sessions.get()
    for who in ("pengawas", "dinas_kampar", "kepsek_a", "lpmp_jambi"):
        with pytest.raises(events.ProgrammeError):
            events.open_code(actor=personas[who], session=session, day=1, minutes=10)
    with pytest.raises(events.ProgrammeError, match="berlangsung 2 hari"):
        events.open_code(actor=personas["fasilitator"], session=session, day=3, minutes=10)


def test_the_checklist_marks_and_unmarks_and_a_resubmit_changes_nothing(client, personas, event, people):
    client.force_login(personas["fasilitator"])
    session = event.sessions.get()
    session.starts_on = date.today() - timedelta(days=1)  # both days have come
    session.save()
    url = reverse("programme:checklist", args=[event.pk, session.pk])
    ticks = {"present": [f"{people[0].pk}:1", f"{people[0].pk}:2", f"{people[1].pk}:1"]}
    client.post(url, ticks)
    client.post(url, ticks | {"shown": ticks["present"]})
    assert Attendance.objects.count() == 3
    unticked = {"present": [f"{people[0].pk}:1"], "shown": ticks["present"]}  # as the page drew them
    refused = client.post(url, unticked)
    assert refused.status_code == 400 and "Sebutkan alasan" in refused.content.decode()
    assert Attendance.objects.count() == 3
    page = refused.content.decode()  # the ticks come back as they were typed
    assert f'value="{people[0].pk}:1" checked' in page and f'value="{people[1].pk}:1">' in page
    client.post(url, unticked | {"reason": "Sari salah dicentang"})
    assert list(Attendance.objects.values_list("participant__name", "day")) == [("Budi", 1)]
    client.force_login(personas["pengawas"])
    assert client.post(url, ticks).status_code == 404


def test_late_and_absent_are_shown(client, personas, event, people):
    session = event.sessions.get()
    session.starts_on = date.today() - timedelta(days=3)
    session.save()
    mark = Attendance.objects.create(participant=people[0], day=1, method="kode")
    late_at = timezone.make_aware(timezone.datetime.combine(session.starts_on, event.start_time)) + timedelta(hours=1)
    Attendance.objects.filter(pk=mark.pk).update(at=late_at)
    rows = {
        r["participant"].name: [d["state"] for d in r["days"]]
        for r in events.attendance_table(event, event.participants.all())
    }
    assert rows == {"Budi": ["late", "absent"], "Sari": ["absent", "absent"]}
    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:attendance", args=[event.pk])).content.decode()
    assert "terlambat" in page and "tidak hadir" in page


def test_a_code_opens_on_its_sessions_day_and_a_stale_checklist_keeps_new_check_ins(client, personas, event, people):
    session = event.sessions.get()
    session.starts_on = date.today() - timedelta(days=10)
    session.save()
    with pytest.raises(events.ProgrammeError, match="kodenya dibuka pada hari itu"):
        events.open_code(actor=personas["fasilitator"], session=session, day=1, minutes=30)
    drawn = set()  # the facilitator drew the checklist with nobody present; then Budi checked in himself
    Attendance.objects.create(participant=people[0], day=1, method="kode")
    events.save_checklist(actor=personas["fasilitator"], session=session, present={(people[1].pk, 1)}, shown=drawn)
    assert set(Attendance.objects.values_list("participant__name", flat=True)) == {"Budi", "Sari"}
    events.save_checklist(
        actor=personas["fasilitator"], session=session, present=set(), shown={(people[0].pk, 1)}, reason="keliru"
    )
    assert list(Attendance.objects.values_list("participant__name", flat=True)) == ["Sari"]  # seen and unticked


def test_wati_cannot_be_ticked_for_a_day_that_has_not_come(client, personas, event, people):
    """The worked example: ticked for 8 December on the 7th, she became eligible for a certificate."""
    session = event.sessions.get()
    session.starts_on = date.today()  # day 2 is tomorrow
    session.save()
    client.force_login(personas["fasilitator"])
    url = reverse("programme:checklist", args=[event.pk, session.pk])
    page = client.get(url).content.decode()
    assert f'value="{people[0].pk}:2"' not in page and f'value="{people[0].pk}:1"' in page
    response = client.post(url, {"present": [f"{people[0].pk}:1", f"{people[0].pk}:2"]})
    assert response.status_code == 400 and "belum tiba" in response.content.decode()
    assert not Attendance.objects.exists()
    with pytest.raises(events.ProgrammeError, match="belum tiba"):
        events.save_checklist(actor=personas["fasilitator"], session=session, present={(people[0].pk, 2)})
    client.post(url, {"present": [f"{people[0].pk}:1"]})
    assert list(Attendance.objects.values_list("day", flat=True)) == [1]


def test_check_in_is_no_oracle_and_one_device_checks_in_one_person(client, personas, event, people, cohort, schools):
    session = event.sessions.get()
    code = events.open_code(actor=personas["fasilitator"], session=session, day=1, minutes=30)
    other = events.save_event(
        actor=personas["lpmp"], cohort=cohort, data={"name": "Lain", "kind": "bimtek", "stage": 2, "days": 1}
    )
    other_session = events.save_session(
        actor=personas["lpmp"], event=other, data={"name": "Daring"}, regencies=[schools["a"].regency]
    )
    Participant.objects.create(
        event=other,
        session=other_session,
        name="Rina",
        role="guru",
        regency=schools["a"].regency,
        key="r",
        code="RINA2345",
    )
    url = reverse("check_in")
    for personal in ("RINA2345", "XXXX2345"):  # another event's person, nobody: the same neutral answer
        page = client.post(url, {"day_code": code.code, "participant_code": personal}).content.decode()
        assert (
            "Kode peserta ini tidak sesuai dengan kode hari ini" in page and "Rina" not in page and "Lain" not in page
        )
    # Budi checks in from his phone and is named; the same phone cannot then check Sari in.
    assert (
        "Terima kasih, Budi"
        in client.post(url, {"day_code": code.code, "participant_code": "BUDI2345"}).content.decode()
    )
    made_up = client.post(url, {"day_code": code.code, "participant_code": "XXXX9999"})
    taken = client.post(url, {"day_code": code.code, "participant_code": "SARI2345"})
    assert made_up.status_code == taken.status_code == 409  # the same answer: real codes are not told apart
    assert (
        taken.status_code == 409
        and "Sari" not in taken.content.decode()
        and "perangkatnya sendiri" in taken.content.decode()
    )
    assert list(Attendance.objects.values_list("participant__name", flat=True)) == ["Budi"]
    again = client.post(url, {"day_code": code.code, "participant_code": "BUDI2345"})  # his own code again
    assert "sudah tercatat hadir" in again.content.decode()


def test_a_venue_behind_one_address_is_never_locked_out_of_right_codes(client, settings, personas, event, people):
    settings.MUTU_CODE_ATTEMPTS = 3
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    for _ in range(4):  # somebody's typos lock the address …
        client.post(reverse("check_in"), {"day_code": code.code, "participant_code": "SALAH234"})
    assert client.post(reverse("check_in"), {"day_code": "ZZZZZZ", "participant_code": "X"}).status_code == 429
    # … yet Sari, on the same network, with her right codes, checks in.
    other_phone = client.__class__()
    response = other_phone.post(reverse("check_in"), {"day_code": code.code, "participant_code": "SARI2345"})
    assert response.status_code == 200 and "Terima kasih, Sari" in response.content.decode()


def test_remove_is_offered_only_for_who_has_not_attended(client, personas, event, people):
    """An attended participant stays registered: the page offers no "Hapus" for them (it was offered,
    then refused); the others are removed after a confirmation."""
    Attendance.objects.create(participant=people[0], day=1, method="kode")
    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:event", args=[event.pk])).content.decode()
    remove = [reverse("programme:participant_remove", args=[event.pk, p.pk]) for p in people]
    assert remove[0] not in page and "Hadir: tetap terdaftar" in page
    assert f'action="{remove[1]}" data-confirm=' in page
    refused = client.post(remove[0], follow=True).content.decode()
    assert "tetap terdaftar" in refused and Participant.objects.filter(pk=people[0].pk).exists()
    client.force_login(personas["lpmp_jambi"])  # another province's LPMP
    assert client.post(remove[1]).status_code == 404
    client.force_login(personas["lpmp"])
    client.post(remove[1])
    assert not Participant.objects.filter(pk=people[1].pk).exists()


def offline(client, code, personal, given_at, key="k1"):
    body = {"key": key, "day_code": code, "participant_code": personal, "client_time": given_at.isoformat()}
    response = client.post(reverse("check_in_sync"), json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_a_check_in_made_offline_counts_at_the_phones_time_and_once(client, personas, event, people):
    """Made at the venue without signal and sent later: it counts, is marked offline for the
    facilitator with the phone's time, and a retry of the same check-in changes nothing."""
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    made = timezone.now() - timedelta(minutes=10)
    AttendanceCode.objects.filter(pk=code.pk).update(valid_from=made - timedelta(minutes=5))
    status, body = offline(client, code.code, "BUDI2345", made)
    assert status == 200 and body == {"key": "k1", "status": "saved", "name": "Budi"}
    assert offline(client, code.code, "BUDI2345", made)[1]["status"] == "duplicate"
    mark = Attendance.objects.get(participant=people[0])
    assert mark.method == "luring" and abs((mark.device_at - made).total_seconds()) < 1
    client.force_login(personas["fasilitator"])
    page = client.get(reverse("programme:attendance", args=[event.pk])).content.decode()
    assert f"luring, {timezone.localtime(made):%H:%M}" in page


def test_an_offline_check_in_the_day_before_late_or_from_a_clock_ahead_is_refused_with_the_reason(
    client, personas, event, people, settings
):
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    _status, body = offline(client, code.code, "BUDI2345", timezone.now() - timedelta(days=1))
    assert body["status"] == "refused" and "sebelum kode ini dibuka" in body["message"]
    settings.MUTU_OFFLINE_CHECKIN_HOURS = 1
    _status, body = offline(client, code.code, "BUDI2345", timezone.now() - timedelta(hours=2))
    assert body["status"] == "refused" and "lebih dari 1 jam kemudian" in body["message"]
    _status, body = offline(client, code.code, "BUDI2345", timezone.now() + timedelta(hours=1))
    assert body["status"] == "refused" and "jam ponsel salah" in body["message"]
    _status, body = offline(client, code.code, "XXXX0000", timezone.now())  # no oracle of who is registered
    assert body["status"] == "refused" and "tidak sesuai dengan kode hari ini" in body["message"]
    assert not Attendance.objects.exists()
    response = client.post(reverse("check_in_sync"), "{}", content_type="application/json")
    assert response.status_code == 400 and "client_time" in response.json()["error"]


def test_one_phone_checks_in_one_person_offline_as_online(client, personas, event, people):
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    assert offline(client, code.code, "BUDI2345", timezone.now())[1]["status"] == "saved"
    _status, body = offline(client, code.code, people[1].code, timezone.now(), key="k2")
    assert body["status"] == "refused" and "Perangkat ini sudah mencatat" in body["message"]


def test_the_empty_check_in_form_is_kept_for_offline_use_and_a_result_is_not(client, personas, event, people):
    code = events.open_code(actor=personas["fasilitator"], session=event.sessions.get(), day=1, minutes=30)
    assert client.get(reverse("check_in"))["X-Mutu-Offline"] == "keep"
    assert client.get(reverse("check_in_code", args=[code.code]))["X-Mutu-Offline"] == "keep"
    done = client.post(reverse("check_in"), {"day_code": code.code, "participant_code": "BUDI2345"})
    assert "Terima kasih, Budi" in done.content.decode() and "X-Mutu-Offline" not in done
    worker = client.get(reverse("check_in_worker"))
    assert worker.wsgi_request.path == "/hadir/sw.js" and worker["Content-Type"].startswith("text/javascript")
    assert worker.content == client.get(reverse("respond:worker")).content  # one script, two scopes


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_phone_time_no_clock_shows_is_refused_as_malformed(client, event, people, when):
    body = {"key": "k1", "day_code": "ABCDEF", "participant_code": "BUDI2345", "client_time": when}
    response = client.post(reverse("check_in_sync"), json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "client_time" in response.json()["error"]


def test_deeply_nested_json_is_refused_as_malformed(client, db):
    deep = "[" * 100_000 + "]" * 100_000
    assert client.post(reverse("check_in_sync"), deep, content_type="application/json").status_code == 400
