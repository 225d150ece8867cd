"""Respondents without accounts: codes, saving answers, resume, submit once; operators see progress only."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutu.instruments.models import Option, Question
from mutu.mapping import services
from mutu.mapping.models import Respondent


@pytest.fixture
def round_(open_round):
    return open_round


def add(client, personas, round_, school, rtype="guru", count=2):
    client.force_login(personas["operator_a"])
    url = reverse("mapping:respondents", args=[round_.pk, school.npsn])
    return client.post(url, {"respondent_type": rtype, "count": count})


def save(client, code, question_id, values, key=None):
    """One answer as a phone sends it (static/js/respond.js); (HTTP status, the answer's result)."""
    answer = {"key": key or uuid.uuid4().hex, "question": question_id, "values": [str(v) for v in values]}
    response = client.post(
        reverse("respond:sync", args=[code]),
        json.dumps({"answers": [answer | {"client_time": timezone.now().isoformat()}]}),
        content_type="application/json",
    )
    body = response.json()
    return response.status_code, body["results"][0] | {"answered": body["answered"]} if "results" in body else body


def test_the_operators_round_page_leads_to_the_schools_respondents_and_code_sheet(client, personas, round_, schools):
    client.force_login(personas["operator_a"])
    page = client.get(reverse("mapping:progress", args=[round_.pk])).content.decode()
    assert reverse("mapping:respondents", args=[round_.pk, schools["a"].npsn]) in page
    assert reverse("mapping:sheet", args=[round_.pk, schools["a"].npsn]) in page and "Responden dan kodenya" in page
    client.force_login(personas["lpmp"])  # a province is no school's own page
    assert "Responden dan kodenya" not in client.get(reverse("mapping:progress", args=[round_.pk])).content.decode()


def test_operator_creates_codes_and_sees_progress_but_not_answers(client, personas, round_, schools):
    assert add(client, personas, round_, schools["a"]).status_code == 302
    add(client, personas, round_, schools["a"])  # a second batch continues the numbering
    slots = list(Respondent.objects.filter(round=round_).order_by("number"))
    assert [s.number for s in slots] == [1, 2, 3, 4]
    assert len({s.code for s in slots}) == 4 and all(len(s.code) == 10 for s in slots)
    option = Option.objects.filter(question__questionnaire__respondent_type="guru", code="c").first()
    services.save_answer(respondent_id=slots[0].pk, question_id=option.question_id, values=[str(option.pk)])
    page = client.get(reverse("mapping:respondents", args=[round_.pk, schools["a"].npsn])).content.decode()
    assert slots[0].code in page and "sedang mengisi" in page
    assert "Pertanyaan Q1" not in page and f'value="{option.pk}"' not in page  # questions and answers never appear
    sheet = client.get(reverse("mapping:sheet", args=[round_.pk, schools["a"].npsn]))
    assert sheet["Content-Type"] == "application/pdf" and sheet.content.startswith(b"%PDF")


def test_answer_resume_and_submit_once(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], count=1)
    client.logout()
    slot = Respondent.objects.get(round=round_)
    response = client.post(reverse("respond:code"), {"code": slot.code.lower()})
    assert response["Location"] == reverse("respond:questions", args=[slot.code])
    questions = list(Question.objects.filter(questionnaire__respondent_type="guru").order_by("position"))
    q1, q2, q3 = questions
    first = q1.options.get(code="c")
    assert save(client, slot.code, q1.pk, [first.pk], key="k1")[1]["status"] == "saved"
    assert save(client, slot.code, q1.pk, [first.pk], key="k1")[1] == {  # the same save retried
        "key": "k1",
        "question": q1.pk,
        "status": "duplicate",
        "answered": 1,
    }
    slot.refresh_from_db()
    assert slot.draft == {str(q1.pk): first.pk}
    # Leaving and coming back shows the saved answer.
    page = client.get(reverse("respond:questions", args=[slot.code])).content.decode()
    assert f'value="{first.pk}" checked' in page and '<strong id="answered">1</strong> dari 3 terjawab' in page
    submit = reverse("respond:submit", args=[slot.code])
    response = client.post(submit)
    assert response.status_code == 409 and "2 pertanyaan belum dijawab." in response.content.decode()
    questions_url = reverse("respond:questions", args=[slot.code])
    assert f'href="{questions_url}?page=1#q-{q2.pk}">2. {q2.text}</a>' in response.content.decode()
    save(client, slot.code, q2.pk, [q2.options.get(code="b").pk])
    save(client, slot.code, q3.pk, [q3.options.get(code="x").pk, q3.options.get(code="z").pk])
    assert client.post(submit).status_code == 302
    slot.refresh_from_db()
    sent_at, packed = slot.submitted_at, bytes(slot.packed)
    assert sorted(services.pack(slot.draft)) == sorted(packed) and len(packed) == 16
    client.post(submit)  # a double click
    slot.refresh_from_db()
    assert slot.submitted_at == sent_at
    late = save(client, slot.code, q1.pk, [q1.options.get(code="a").pk])[1]
    assert late["status"] == "refused" and "sudah dikirim" in late["message"]
    page = client.get(reverse("respond:questions", args=[slot.code])).content.decode()
    assert "jawaban untuk kode ini sudah terkirim" in page and "<fieldset" not in page


def test_a_code_opens_only_its_own_questionnaire(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], rtype="ks", count=1)
    add(client, personas, round_, schools["a"], rtype="guru", count=1)
    client.logout()
    ks = Respondent.objects.get(respondent_type="ks")
    guru_question = Question.objects.get(questionnaire__respondent_type="guru", code="Q3")
    assert save(client, ks.code, guru_question.pk, [guru_question.options.first().pk])[1]["status"] == "refused"
    ks_question = Question.objects.get(questionnaire__respondent_type="ks", code="Q1")
    foreign_option = Option.objects.get(question__questionnaire__respondent_type="guru", question__code="Q1", code="a")
    assert save(client, ks.code, ks_question.pk, [foreign_option.pk])[1]["status"] == "refused"
    ks.refresh_from_db()
    assert ks.draft == {}


def test_codes_expire_with_the_round(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], count=1)
    client.logout()
    slot = Respondent.objects.get()
    round_.closes_on = date.today() - timedelta(days=1)
    round_.save()
    response = client.get(reverse("respond:questions", args=[slot.code]))
    assert response.status_code == 410 and "sudah ditutup" in response.content.decode()


def test_page_without_javascript_saves_the_whole_page(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], rtype="ks", count=1)
    client.logout()
    slot = Respondent.objects.get()
    q1, q2 = Question.objects.filter(questionnaire__respondent_type="ks").order_by("position")
    client.post(
        reverse("respond:questions", args=[slot.code]) + "?page=1",
        {f"q{q1.pk}": q1.options.get(code="b").pk, f"q{q2.pk}": q2.options.get(code="a").pk},
    )
    slot.refresh_from_db()
    assert len(slot.draft) == 2


def test_garbage_answers_are_refused_cleanly(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], rtype="ks", count=1)
    client.logout()
    slot = Respondent.objects.get()
    question = Question.objects.get(questionnaire__respondent_type="ks", code="Q1")
    refused = save(client, slot.code, question.pk, ["abc"])[1]
    assert refused["status"] == "refused" and refused["message"] == "Opsi itu bukan milik pertanyaan ini."


def test_number_and_text_questions_are_answered_too(client, db, personas, schools):
    from mutu.instruments.services import load_instrument
    from mutu.mapping.tests.conftest import TINY

    doc = {**TINY, "code": "tiny-isian"}
    doc["questionnaires"] = [dict(q) for q in TINY["questionnaires"]]
    doc["questionnaires"][0] = {
        **doc["questionnaires"][0],
        "questions": doc["questionnaires"][0]["questions"]
        + [{"code": "N1", "kind": "number", "text": "Jumlah rombel"}, {"code": "T1", "kind": "text", "text": "Saran"}],
    }
    instrument = load_instrument(doc)
    round_ = services.create_round(
        actor=None,
        name="R",
        year=2026,
        instrument=instrument,
        province=None,
        opens_on=date.today(),
        closes_on=date.today(),
        quotas={},
    )
    (slot,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="ks", count=1)
    page = client.get(reverse("respond:questions", args=[slot.code])).content.decode()
    assert 'inputmode="decimal"' in page and "<textarea" in page
    number = Question.objects.get(questionnaire__version=instrument, code="N1")
    save(client, slot.code, number.pk, ["12,5"])
    bad = save(client, slot.code, number.pk, ["dua belas"])[1]
    assert bad["status"] == "refused" and "Masukkan angka." in bad["message"]
    slot.refresh_from_db()
    assert slot.draft[str(number.pk)] == 12.5


def test_autosave_is_one_locked_read_and_one_write(client, personas, round_, schools, django_assert_max_num_queries):
    add(client, personas, round_, schools["a"], rtype="ks", count=1)
    client.logout()
    slot = Respondent.objects.get()
    question = Question.objects.get(questionnaire__respondent_type="ks", code="Q1")
    first, last = question.options.first(), question.options.last()
    save(client, slot.code, question.pk, [first.pk])  # the questionnaire is now cached
    client.get(reverse("respond:questions", args=[slot.code]))  # opened: never throttled from now on
    # savepoint, locked read, update, release
    with django_assert_max_num_queries(4):
        assert save(client, slot.code, question.pk, [last.pk])[0] == 200
    slot.refresh_from_db()
    assert slot.draft == {str(question.pk): last.pk}


def test_autosave_refuses_unknown_codes_and_closed_rounds(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], rtype="ks", count=1)
    client.logout()
    slot = Respondent.objects.get()
    question = Question.objects.get(questionnaire__respondent_type="ks", code="Q1")
    values = [question.options.first().pk]
    round_.closes_on = date.today() - timedelta(days=1)
    round_.save()
    closed = save(client, slot.code, question.pk, values)[1]
    assert closed["status"] == "refused" and "sudah ditutup" in closed["message"]
    assert save(client, "ZZZZZZZZZZ", question.pk, values)[0] == 404
    slot.refresh_from_db()
    assert slot.draft == {}


def test_new_codes_skip_codes_already_taken(round_, schools, monkeypatch):
    (taken,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="ks", count=1)
    drawn = iter(["AAAAAAAAAA", "BBBBBBBBBB"])
    monkeypatch.setattr(services, "new_code", lambda: next(drawn))
    # As the model drew them: a clash with the table; its redraw then clashes within the batch.
    slots = [
        Respondent(round=round_, school=schools["a"], respondent_type="guru", number=n, code=code)
        for n, code in ((1, taken.code), (2, "AAAAAAAAAA"))
    ]
    slots = Respondent.objects.bulk_create(services.redraw_taken_codes(slots))
    assert sorted(slot.code for slot in slots) == ["AAAAAAAAAA", "BBBBBBBBBB"]


def test_reopening_the_send_address_leads_back_to_the_questions(client, round_, schools):
    (slot,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="ks", count=1)
    response = client.get(reverse("respond:submit", args=[slot.code.lower()]))
    assert response.status_code == 302 and response["Location"] == reverse("respond:questions", args=[slot.code])
    refused = client.put(reverse("respond:sync", args=[slot.code]))
    assert refused.status_code == 405 and "Alamat ini hanya menerima kiriman formulir" in refused.content.decode()


def test_coming_back_opens_the_page_of_the_first_unanswered_question(client, personas, round_, schools, monkeypatch):
    from mutu.mapping import respond

    monkeypatch.setattr(respond, "QUESTIONS_PER_PAGE", 1)
    add(client, personas, round_, schools["a"], count=1)
    client.logout()
    slot = Respondent.objects.get(round=round_)
    q1, q2, q3 = Question.objects.filter(questionnaire__respondent_type="guru").order_by("position")
    url = reverse("respond:questions", args=[slot.code])
    assert f'name="q{q1.pk}"' in client.get(url).content.decode()  # nothing answered: the first page
    services.save_answer(respondent_id=slot.pk, question_id=q1.pk, values=[str(q1.options.first().pk)])
    page = client.get(url).content.decode()
    assert f'name="q{q2.pk}"' in page and f'name="q{q1.pk}"' not in page
    # A page asked for by number is that page: the way back to an answered question stays open.
    assert f'name="q{q1.pk}"' in client.get(url, {"page": 1}).content.decode()


def test_the_last_page_has_one_primary_action_that_saves_and_sends(client, personas, round_, schools):
    add(client, personas, round_, schools["a"], rtype="ks", count=1)
    client.logout()
    slot = Respondent.objects.get()
    q1, q2 = Question.objects.filter(questionnaire__respondent_type="ks").order_by("position")
    url = reverse("respond:questions", args=[slot.code])
    form = client.get(url).content.decode().split("<main>")[1].split("</main>")[0]
    assert form.count('class="btn"') == 1 and "Kirim jawaban" in form  # "Simpan" is secondary
    send = reverse("respond:submit", args=[slot.code])
    assert f'formaction="{send}"' in form
    answers = {f"q{q1.pk}": q1.options.first().pk, f"q{q2.pk}": q2.options.first().pk}
    response = client.post(send, answers)  # without JavaScript: the page's answers are saved, then sent
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.submitted_at is not None
