"""Respondents' answers are never traceable to a person by the school's own staff."""

import csv
import io

import pytest
from django.urls import reverse

from mutu.mapping import services
from mutu.mapping.models import Respondent


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("persona", ["kepsek_a", "operator_a", "tpmps_a", "pengawas", "dinas_kampar"])
def test_school_staff_and_their_supervisors_get_no_raw_answers(client, personas, scored_round, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("mapping:export", args=[scored_round.pk, "responses"])).status_code == 404
    # Aggregates stay available to them.
    assert client.get(reverse("mapping:export", args=[scored_round.pk, "scores"])).status_code == 200


def test_analysts_get_answers_without_codes_in_an_order_that_names_nobody(client, personas, scored_round):
    client.force_login(personas["lpmp"])
    rows = _csv(client.get(reverse("mapping:export", args=[scored_round.pk, "responses"])))
    header, body = rows[0], rows[1:]
    assert header == ["NPSN", "Jenjang", "Jenis responden", "Jawaban", "Jawaban angka dan teks"]
    codes = set(Respondent.objects.values_list("code", flat=True))
    assert not any(cell in codes for row in body for cell in row)
    assert len(body) == Respondent.objects.filter(submitted_at__isnull=False).count()
    # Within a school and type, rows follow their answers, not their slot or submission order.
    guru = [row[3] for row in body if row[2] == "guru"]
    assert guru == sorted(guru) and guru[0].startswith("Q1=a")  # slot 2 answered Q1=a, slot 1 Q1=b


def test_a_sent_code_shows_only_that_it_was_sent(client, personas, scored_round):
    slot = Respondent.objects.filter(round=scored_round, respondent_type="ks").first()
    page = client.get(reverse("respond:questions", args=[slot.code])).content.decode()
    assert "sudah terkirim" in page
    assert "Pertanyaan Q1" not in page and "checked" not in page and "<fieldset" not in page


def test_staff_lists_show_the_status_not_the_code_of_sent_slots(client, personas, open_round, schools):
    sent, waiting = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="ks", count=2
    )
    services.submit_answers(respondent=sent, options=[])
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("mapping:respondents", args=[open_round.pk, schools["a"].npsn])).content.decode()
    assert waiting.code in page and sent.code not in page and "disembunyikan setelah terkirim" in page


def test_respondent_pages_are_never_cached(client, open_round, schools):
    (slot,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="ks", count=1
    )
    for url in (reverse("respond:code"), reverse("respond:questions", args=[slot.code])):
        assert "no-store" in client.get(url)["Cache-Control"]
