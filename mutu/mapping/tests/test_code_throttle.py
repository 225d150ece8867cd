"""Wrong respondent codes are limited per real client address; honest respondents are never locked out."""

import logging
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutu.instruments.models import Question
from mutu.mapping import services
from mutu.mapping.tests.test_respond import save


@pytest.fixture
def slot(open_round, schools):
    (slot,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="ks", count=1
    )
    return slot


def wrong(client, n, **extra):
    return [client.post(reverse("respond:code"), {"code": "ZZZZZZZZZZ"}, **extra).status_code for _ in range(n)]


def test_a_respondent_keeps_saving_while_others_at_the_address_type_wrong_codes(slot, settings):
    settings.MUTU_CODE_ATTEMPTS = 20
    respondent, lab = Client(), Client()  # two browsers behind one address (a school lab, one NAT)
    assert respondent.post(reverse("respond:code"), {"code": slot.code}).status_code == 302
    assert wrong(lab, 25).count(429) == 5  # the 21st wrong code from the address is refused
    question = Question.objects.get(questionnaire__respondent_type="ks", code="Q1")
    status, result = save(respondent, slot.code, question.pk, [question.options.first().pk])
    assert status == 200 and result["status"] == "saved"
    assert respondent.get(reverse("respond:questions", args=[slot.code])).status_code == 200
    # The lab itself is locked, for valid and wrong codes alike: a guess that hits is not told apart.
    assert lab.post(reverse("respond:code"), {"code": slot.code}).status_code == 429


def test_the_default_budget_outlasts_a_lab_of_typos(slot):
    lab = Client()
    assert set(wrong(lab, 60)) == {200}  # 40 students, some typing twice
    assert lab.post(reverse("respond:code"), {"code": slot.code}).status_code == 302


def test_the_lock_lasts_what_its_message_says(client, db, settings):
    settings.MUTU_CODE_ATTEMPTS, settings.MUTU_CODE_WINDOW_SECONDS = 3, 900
    assert wrong(client, 4) == [200, 200, 200, 429]
    page = client.get(reverse("respond:code"))
    minutes = int(page.content.decode().split("Coba lagi dalam ")[1].split(" menit")[0])
    assert page.status_code == 429 and 1 <= minutes <= 15
    # Every counter stays in the cache at least until the window the message announces has ended,
    # however often it was incremented (the cache's incr() rewrites the expiry).
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM mutu_cache")
        expiries = [row[0] for row in cursor.fetchall()]
    if isinstance(expiries[0], str):  # SQLite returns the text
        expiries = [datetime.fromisoformat(e) for e in expiries]
    ends = min(e if timezone.is_aware(e) else e.replace(tzinfo=UTC) for e in expiries)
    assert (ends - timezone.now()).total_seconds() >= (minutes - 1) * 60


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_budget_is_per_real_client_address(client, db, settings, proxies):
    settings.MUTU_CODE_ATTEMPTS, settings.MUTU_TRUSTED_PROXIES = 2, proxies
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the reverse proxy
    first = {**proxy, "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7"}
    assert wrong(client, 3, **first)[-1] == 429
    # Another client behind the same proxy, whatever it claims further left in the header.
    other = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7, 198.51.100.9"}
    assert wrong(client, 1, **other) == ([200] if proxies else [429])


def test_many_wrong_codes_from_everywhere_raise_an_alarm(client, db, settings, caplog):
    settings.MUTU_CODE_ALARM, settings.MUTU_TRUSTED_PROXIES = 3, 1
    with caplog.at_level(logging.WARNING, logger="mutu.respond"):
        for n in range(6):
            wrong(client, 1, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    alarms = [r for r in caplog.records if "wrong respondent codes" in r.getMessage()]
    assert len(alarms) == 1  # once per window, not once per code
