"""Answers queued on a device while offline (issue #25 §4): sent in one request, idempotent on each
answer's key, the later answer by time winning per question, refused with a reason when the round
or the respondent no longer allows it."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutu.instruments.models import Question
from mutu.mapping import services
from mutu.mapping.models import Respondent


@pytest.fixture
def slot(open_round, schools):
    (slot,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="guru", count=1
    )
    return slot


@pytest.fixture
def questions(slot):
    return list(Question.objects.filter(questionnaire__respondent_type="guru").order_by("position"))


def option(question, code):
    return str(question.options.get(code=code).pk)


def at(minutes):
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def sync(client, slot, *answers, **extra):
    items = [{"key": k, "question": q.pk, "values": v, "client_time": t} for k, q, v, t in answers]
    response = client.post(
        reverse("respond:sync", args=[slot.code]),
        json.dumps({"answers": items, **extra}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def statuses(body):
    return [(r["key"], r["status"]) for r in body["results"]]


def test_the_same_key_twice_saves_once(client, slot, questions):
    q1 = questions[0]
    answer = ("k-1", q1, [option(q1, "a")], at(5))
    status, body = sync(client, slot, answer)
    assert status == 200 and statuses(body) == [("k-1", "saved")] and body["answered"] == 1
    status, body = sync(client, slot, answer, answer)  # a retry, and a second tab sending the same queue
    assert statuses(body) == [("k-1", "duplicate"), ("k-1", "duplicate")]
    slot.refresh_from_db()
    assert slot.draft == {str(q1.pk): int(option(q1, "a"))}


def test_the_later_answer_by_device_time_wins_whatever_the_order_of_arrival(client, slot, questions):
    q1 = questions[0]
    later, earlier = ("b-2", q1, [option(q1, "b")], at(1)), ("a-1", q1, [option(q1, "a")], at(10))
    _status, body = sync(client, slot, later)
    _status, body = sync(client, slot, earlier)  # the other device, back online after it
    (result,) = body["results"]
    assert result["status"] == "superseded" and result["value"] == int(option(q1, "b"))  # it is told what stands
    # In one batch out of order: applied by time, the later one stays.
    q2 = questions[1]
    _status, body = sync(client, slot, ("y", q2, [option(q2, "b")], at(2)), ("x", q2, [option(q2, "a")], at(8)))
    assert statuses(body) == [("x", "saved"), ("y", "saved")]
    slot.refresh_from_db()
    assert slot.draft[str(q1.pk)] == int(option(q1, "b")) and slot.draft[str(q2.pk)] == int(option(q2, "b"))


def test_an_online_save_and_a_queued_answer_meet_by_time(client, slot, questions):
    q1 = questions[0]
    _status, body = sync(client, slot, ("old", q1, [option(q1, "a")], at(30)))
    services.save_answer(respondent_id=slot.pk, question_id=q1.pk, values=[option(q1, "b")])  # online, now
    _status, body = sync(client, slot, ("queued", q1, [option(q1, "c")], at(20)))  # given before it
    assert statuses(body) == [("queued", "superseded")]
    future = (timezone.now() + timedelta(days=3)).isoformat()  # a device clock ahead counts as now
    _status, body = sync(client, slot, ("ahead", q1, [option(q1, "c")], future))
    slot.refresh_from_db()
    assert statuses(body) == [("ahead", "saved")] and slot.draft_times[str(q1.pk)][0] <= int(
        timezone.now().timestamp() * 1000
    )


def test_a_key_after_submit_is_refused_with_the_reason(client, slot, questions):
    for question in questions:
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            first = question.options.order_by("position").first()
            services.save_answer(respondent_id=slot.pk, question_id=question.pk, values=[str(first.pk)])
    q1 = questions[0]
    applied = ("before", q1, [option(q1, "b")], at(0))
    sync(client, slot, applied)
    services.submit(respondent_id=slot.pk)
    _status, body = sync(client, slot, applied, ("after", q1, [option(q1, "c")], at(0)))
    assert statuses(body) == [("before", "duplicate"), ("after", "refused")]  # nothing lost, nothing changed
    assert "sudah dikirim" in body["results"][1]["message"] and body["sent"] is True


def test_a_closed_round_a_foreign_question_and_a_bad_value_are_refused_per_answer(client, slot, questions, open_round):
    q1 = questions[0]
    foreign = Question.objects.exclude(questionnaire__respondent_type="guru").first()
    _status, body = sync(client, slot, ("f", foreign, ["1"], at(1)), ("v", q1, ["999999"], at(1)))
    assert statuses(body) == [("f", "refused"), ("v", "refused")]
    assert "tidak ada di kuesioner" in body["results"][0]["message"]
    open_round.closes_on = date.today() - timedelta(days=1)
    open_round.save()
    _status, body = sync(client, slot, ("late", q1, [option(q1, "a")], at(1)))
    assert statuses(body) == [("late", "refused")] and "ditutup" in body["results"][0]["message"]
    assert Respondent.objects.get(pk=slot.pk).draft == {}


def test_a_queued_send_has_the_servers_checks_and_says_what_stops_it(client, slot, questions):
    q1, q2, q3 = questions
    status, body = sync(client, slot, ("k-1", q1, [option(q1, "a")], at(3)), submit=True)
    assert status == 200 and not body["sent"]
    refusal = body["submit_error"]
    assert refusal["message"] == "2 pertanyaan belum dijawab."
    assert [m["number"] for m in refusal["missing"]] == [2, 3]
    assert refusal["missing"][0]["url"].endswith(f"?page=1#q-{q2.pk}")
    answers = [("k-2", q2, [option(q2, "b")], at(2)), ("k-3", q3, [option(q3, "x")], at(1))]
    status, body = sync(client, slot, *answers, submit=True)
    assert statuses(body) == [("k-2", "saved"), ("k-3", "saved")] and body["sent"] and "submit_error" not in body
    slot.refresh_from_db()
    assert slot.submitted_at is not None and slot.packed
    sent_at = slot.submitted_at
    status, body = sync(client, slot, *answers, submit=True)  # the same queue again, from a second tab
    assert body["sent"] and "submit_error" not in body
    assert [r["status"] for r in body["results"]] == ["duplicate", "duplicate"]
    slot.refresh_from_db()
    assert slot.submitted_at == sent_at


def test_the_pages_are_marked_for_the_service_worker_and_the_sent_page_clears_the_device(client, slot, questions):
    page = client.get(reverse("respond:questions", args=[slot.code]))
    assert "X-Mutu-Offline" not in page  # a single page is not what the phone keeps
    offline = page.context["offline"]
    assert offline["questions"] == [[q.pk for q in questions]] and offline["answered"] == []
    assert offline["pages"] == [f"/r/{slot.code}/?page=1"] and not offline["is_whole"]
    whole = client.get(offline["whole"])
    assert whole["X-Mutu-Offline"] == "whole" and whole.context["offline"]["is_whole"]
    assert whole.content.decode().count('<fieldset class="question"') == 3
    services.submit_answers(respondent=slot, options=[option(q, c) for q, c in zip(questions, "abx", strict=True)])
    sent = client.get(reverse("respond:questions", args=[slot.code]))
    assert sent["X-Mutu-Offline"] == "forget" and b"data-forget" in sent.content


def test_the_service_worker_is_served_for_the_respondent_pages_with_the_static_files_it_keeps(client):
    response = client.get(reverse("respond:worker"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache" and response.wsgi_request.path == "/r/sw.js"
    text = response.content.decode()
    assert '"/static/js/respond.js"' in text and '"/static/css/mutu.css"' in text
    assert client.post(reverse("respond:worker")).status_code == 405


@pytest.mark.parametrize(
    "payload,named",
    [
        ("not json", "bukan objek JSON"),
        (json.dumps({"answers": [], "submit": "yes"}), "“submit” bernilai true atau false"),
        (json.dumps({"answers": {"a": 1}}), "paling banyak"),
        (json.dumps({"answers": [{"key": "k", "question": 1, "values": ["1"]}]}), "Jawaban 1: “client_time”"),
        (json.dumps({"answers": [{"key": "k k", "question": 1, "values": [], "client_time": "x"}]}), "“key”"),
        (json.dumps({"answers": [{"key": "k", "question": "1", "values": [], "client_time": "x"}]}), "“question”"),
        (json.dumps({"answers": [{"key": "k", "question": 1, "values": [1], "client_time": "x"}]}), "“values”"),
        (
            json.dumps({"answers": [{"key": "k", "question": 1, "values": [], "client_time": "2026-13-40T99:00"}]}),
            "“client_time”",
        ),
        (
            json.dumps({"answers": [{"key": "k", "question": 1, "values": [], "client_time": "2026-01-01T10:00"}]}),
            "“client_time”",
        ),
    ],
)
def test_a_malformed_queue_is_refused_whole_naming_the_answer_and_field(client, slot, payload, named):
    response = client.post(reverse("respond:sync", args=[slot.code]), payload, content_type="application/json")
    assert response.status_code == 400 and named in response.json()["error"]
    assert Respondent.objects.get(pk=slot.pk).draft == {}


def test_an_unknown_code_is_refused_and_counted_as_a_wrong_code(client, slot, settings):
    settings.MUTU_CODE_ATTEMPTS = 2
    url = reverse("respond:sync", args=["ZZZZZZZZZZ"])
    body = json.dumps({"answers": []})
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert client.post(url, body, content_type="application/json").status_code == 429  # guessing is throttled


def test_a_burst_from_a_device_that_opened_its_code_is_never_throttled(client, slot, questions, settings):
    """A queued burst is one respondent's answers: a browser that opened its code is not throttled by
    the wrong codes others typed behind the same address."""
    settings.MUTU_CODE_ATTEMPTS = 1
    client.get(reverse("respond:questions", args=[slot.code]))
    for _ in range(3):
        client.post(reverse("respond:sync", args=["ZZZZZZZZZZ"]), "{}", content_type="application/json")
    q1 = questions[0]
    burst = [(f"k{n}", q1, [option(q1, "abc"[n % 3])], at(60 - n)) for n in range(50)]
    status, body = sync(client, slot, *burst)
    assert status == 200 and len(body["results"]) == 50 and statuses(body)[-1] == ("k49", "saved")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
ITEM = st.fixed_dictionaries(
    {
        "key": st.text(max_size=70) | JSON,
        "question": st.integers(-5, 10**12) | JSON,
        "values": st.lists(st.text(max_size=30), max_size=4) | JSON,
        "client_time": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()) | JSON,
    }
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(JSON, st.fixed_dictionaries({"answers": st.lists(ITEM, max_size=5)})))
def test_any_body_gets_an_answer_never_a_server_error(client, slot, body):
    """Fuzzing the sync endpoints as every other endpoint: whatever arrives, a 200 with a status per
    answer or a 400 with the reason, and a check-in body likewise."""
    payload = json.dumps(body)
    response = client.post(reverse("respond:sync", args=[slot.code]), payload, content_type="application/json")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert all(r["status"] in {"saved", "duplicate", "superseded", "refused"} for r in response.json()["results"])
    response = client.post(reverse("check_in_sync"), payload, content_type="application/json")
    assert response.status_code in (200, 400), response.content


def test_in_development_the_worker_changes_with_the_content_of_what_it_keeps(client, settings, tmp_path):
    settings.DEBUG = True
    before = client.get(reverse("respond:worker")).content
    copy = tmp_path / "js"
    copy.mkdir()
    (copy / "respond.js").write_text("// changed")
    settings.STATICFILES_DIRS = [str(tmp_path), *settings.STATICFILES_DIRS]
    from django.contrib.staticfiles import finders

    finders.get_finder.cache_clear()
    try:
        assert client.get(reverse("respond:worker")).content != before
    finally:
        finders.get_finder.cache_clear()


def test_deeply_nested_json_is_refused_as_malformed(client, slot):
    deep = '{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(reverse("respond:sync", args=[slot.code]), deep, content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_a_closed_round_clears_what_the_phone_kept_of_the_code(client, slot, open_round):
    open_round.closes_on = date.today() - timedelta(days=1)
    open_round.save()
    closed = client.get(reverse("respond:questions", args=[slot.code]))
    assert closed.status_code == 410 and closed["X-Mutu-Offline"] == "forget" and b"data-forget" in closed.content
