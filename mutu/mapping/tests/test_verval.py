"""Verval that means something: corrections are an input of the engine, the rapor is provisional
until published, and a pengawas verifies a school in a few actions."""

import numpy as np
import pytest
from django.urls import reverse

from mutu.instruments.models import Node
from mutu.mapping import scoring
from mutu.mapping.models import Milestone, RegionScore, SchoolScore, Verification


def node(round_, code):
    return Node.objects.get(version=round_.instrument, code=code)


def values(round_, row):
    codes = list(Node.objects.filter(version=round_.instrument).order_by("position").values_list("code", flat=True))
    return dict(zip(codes, np.frombuffer(bytes(row), dtype="<f8"), strict=True))


def region_rows(round_):
    return sorted(
        (r.kind, r.code, r.schools, r.with_rapor, r.total, bytes(r.values), r.level_counts)
        for r in RegionScore.objects.filter(round=round_)
    )


def test_a_correction_changes_the_published_standard_school_and_regional_scores(
    client, personas, scored_round, schools, django_capture_on_commit_callbacks
):
    """1.1.1 corrected from 3.675 to 7: standard 1 = (7 + 5.25 + 3.5) / 3 = 5.25 (was 4.1417), the school
    (5.25 + 6.3) / 2 = 5.775 (was 5.2208), and so Kampar and Riau, whose only rapor it is."""
    client.force_login(personas["pengawas"])
    url = reverse("mapping:verify", args=[scored_round.pk, schools["a"].npsn, node(scored_round, "1.1.1").pk])
    with django_capture_on_commit_callbacks(execute=True):  # the regions' refresh task, after commit
        client.post(url, {"agreed": "0", "corrected": "7", "note": "Dokumen kurikulum lengkap saat kunjungan"})
    score = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    now, before = values(scored_round, score.values), values(scored_round, score.original_values)
    assert now["1.1.1"] == 7 and now["1"] == pytest.approx(5.25) and score.total == pytest.approx(5.775)
    assert before["1.1.1"] == pytest.approx(3.675) and score.original_total == pytest.approx((12.425 / 3 + 6.3) / 2)
    assert score.total_published == 5.78 and score.level == 3
    for kind, code in (("regency", "14.01"), ("province", "14"), ("district", schools["a"].district.code)):
        region = RegionScore.objects.get(round=scored_round, kind=kind, code=code)
        assert region.total == pytest.approx(5.775)
        assert values(scored_round, region.values)["1"] == pytest.approx(5.25)
    # The same numbers as a whole re-score by the engine, which reads the corrections too.
    after_correction = region_rows(scored_round)
    scoring.score_round(scored_round.pk)
    assert region_rows(scored_round) == after_correction
    rapor = client.get(reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn])).content.decode()
    assert "5,78" in rapor and "sebelum verifikasi 5,22" in rapor and "(mesin 3,68)" in rapor
    # Agreeing again takes the correction back.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"agreed": "1"})
    assert SchoolScore.objects.get(round=scored_round, school=schools["a"]).total == pytest.approx(5.2208, abs=1e-4)
    assert RegionScore.objects.get(round=scored_round, kind="regency", code="14.01").total == pytest.approx(
        5.2208, abs=1e-4
    )


def test_agreeing_with_a_whole_standard_keeps_corrections_and_counts_once(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    args = [scored_round.pk, schools["a"].npsn]
    client.post(
        reverse("mapping:verify", args=args + [node(scored_round, "1.2.1").pk]),
        {"agreed": "0", "corrected": "2", "note": "Tidak ada bukti"},
    )
    agree = reverse("mapping:agree", args=args + [node(scored_round, "1").pk])
    response = client.post(agree, HTTP_HX_REQUEST="true")
    client.post(agree, HTTP_HX_REQUEST="true")  # a double click
    body = response.content.decode()
    # htmx gets the standard back with what is saved, and the counter out of band; no full page.
    assert 'id="std-' in body and 'id="verval-summary" hx-swap-oob="true"' in body and "<html" not in body
    assert "3/4" in body and "dikoreksi menjadi 2,00" in body
    assert Verification.objects.filter(round=scored_round).count() == 3
    assert not Verification.objects.get(node__code="1.2.1").agreed


def test_the_rapor_is_provisional_until_published_then_final_with_names(client, personas, scored_round, schools):
    personas["pengawas"].first_name, personas["pengawas"].last_name = "Siti", "Aminah"
    personas["pengawas"].save()
    rapor = reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn])
    client.force_login(personas["kepsek_a"])
    assert "Sementara: pengawas belum menerbitkan" in client.get(rapor).content.decode()
    client.force_login(personas["pengawas"])
    for standard in ("1", "2"):
        client.post(
            reverse("mapping:agree", args=[scored_round.pk, schools["a"].npsn, node(scored_round, standard).pk])
        )
    advance = reverse("mapping:advance", args=[scored_round.pk, schools["a"].npsn])
    client.post(advance)
    client.post(advance)
    client.force_login(personas["kepsek_a"])
    page = client.get(rapor).content.decode()
    assert "Sementara" not in page and ">final<" in page and "Siti Aminah" in page
    assert set(Milestone.objects.filter(school=schools["a"]).values_list("step", flat=True)) == {
        "complete",
        "scored",
        "verified",
        "published",
    }
    client.force_login(personas["pengawas"])
    late = client.post(
        reverse("mapping:verify", args=[scored_round.pk, schools["a"].npsn, node(scored_round, "1.1.1").pk]),
        {"agreed": "0", "corrected": "1", "note": "x"},
        follow=True,
    )
    assert "sudah terbit; buka kembali" in late.content.decode()
    assert not Verification.objects.filter(agreed=False).exists()


def test_the_verval_page_is_one_page_with_every_sub_indicator(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    page = client.get(reverse("mapping:verval", args=[scored_round.pk, schools["a"].npsn])).content.decode()
    for code in ("1.1.1", "1.1.2", "1.2.1", "2.1.1"):
        assert f">{code}</span>" in page
    assert page.count("Setujui sisa standar ini") == 2 and "0/4" in page


def test_a_wrong_correction_says_what_is_wrong_and_keeps_what_was_typed(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    url = reverse("mapping:verify", args=[scored_round.pk, schools["a"].npsn, node(scored_round, "1.1.1").pk])
    body = client.post(url, {"agreed": "0", "corrected": "9", "note": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "lebih kecil dari atau sama dengan 7" in body and "Jelaskan koreksi dalam catatan." in body
    assert "Isi nilai koreksi" not in body and ".;" not in body  # one message per problem, none false
    assert 'value="9"' in body  # the typed value is kept for the fix
    assert not Verification.objects.exists()


def test_the_rapor_says_when_responses_arrived_after_it_was_computed(client, personas, scored_round, schools):
    from mutu.mapping import services

    (late,) = services.add_respondents(
        actor=None, round_=scored_round, school=schools["a"], respondent_type="komite", count=1
    )
    services.submit_answers(respondent=late, options=[])
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn])).content.decode()
    assert "1 jawaban terkirim setelah rapor ini dihitung" in page
    scoring.score_round(scored_round.pk)
    page = client.get(reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn])).content.decode()
    assert "terkirim setelah rapor ini dihitung" not in page


def test_a_correction_equal_to_the_engine_is_an_agreement(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    url = reverse("mapping:verify", args=[scored_round.pk, schools["a"].npsn, node(scored_round, "1.1.2").pk])
    body = client.post(url, {"agreed": "0", "corrected": "5,25", "note": "sama"}, HTTP_HX_REQUEST="true")
    assert "sama dengan nilai mesin" in body.content.decode() and not Verification.objects.exists()
