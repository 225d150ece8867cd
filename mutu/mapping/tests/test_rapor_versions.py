"""A published rapor is a record: a re-score after publication (late answers, a reopened verval)
makes a provisional version beside it, which the pengawas verifies and publishes as the next version
or sets aside; pages, exports, the API and regional means read the published version meanwhile."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mutu.instruments.models import Node
from mutu.mapping import scoring, services
from mutu.mapping.models import PendingScore, RaporVersion, RegionScore, SchoolScore, Verification

from .conftest import options


def publish(client, pengawas, round_, school):
    client.force_login(pengawas)
    for standard in ("1", "2"):
        node = Node.objects.get(version=round_.instrument, code=standard)
        client.post(reverse("mapping:agree", args=[round_.pk, school.npsn, node.pk]))
    advance = reverse("mapping:advance", args=[round_.pk, school.npsn])
    client.post(advance)
    client.post(advance)


def late_answer(round_, school):
    (late,) = services.add_respondents(actor=None, round_=round_, school=school, respondent_type="komite", count=1)
    services.submit_answers(respondent=late, options=options(round_.instrument, "komite", {"Q1": ["c"]}))


def xlsx_rows(client, round_, school):
    xlsx = client.get(reverse("mapping:rapor", args=[round_.pk, school.npsn]) + "?format=xlsx")
    return list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).worksheets[0].values)


def published_state(round_, school):
    score = SchoolScore.objects.get(round=round_, school=school)
    regions = sorted((r.kind, r.code, r.total, bytes(r.values)) for r in RegionScore.objects.filter(round=round_))
    return bytes(score.values), score.total, score.total_published, score.level, regions


@pytest.fixture
def published(client, personas, scored_round, schools):
    publish(client, personas["pengawas"], scored_round, schools["a"])
    return scored_round


def test_sd001_published_then_rescored_keeps_every_published_figure(client, personas, published, schools):
    """The worked example: published, a late respondent sends, the LPMP scores the round again."""
    school = schools["a"]
    before = published_state(published, school)
    version = RaporVersion.objects.get(round=published, school=school)
    assert version.number == 1 and version.total_published == before[2] and len(version.verifications) == 4
    client.force_login(personas["kepsek_a"])
    published_rows = xlsx_rows(client, published, school)
    late_answer(published, school)
    scoring.score_round(published.pk)
    assert published_state(published, school) == before  # the rapor, its level and every regional mean
    pending = PendingScore.objects.get(round=published, school=school)
    assert pending.total != before[1] and pending.open
    client.force_login(personas["kepsek_a"])
    page = client.get(reverse("mapping:rapor", args=[published.pk, school.npsn])).content.decode()
    shown = f"{before[2]:.2f}".replace(".", ",")
    assert shown in page and "Versi terbit 1" in page and "Versi sementara yang lebih baru" in page
    assert f"{pending.total_published:.2f}".replace(".", ",") in page and "1 jawaban terkirim setelah terbit" in page
    assert page.count("disetujui") >= 4  # the verval as it was published, beside the published numbers
    # The API reports the published values and that a newer provisional version exists.
    api = client.get(f"/api/rounds/{published.pk}/schools/{school.npsn}/rapor").json()
    assert api["total_published"] == before[2] and api["version"] == 1
    assert api["newer_provisional"]["total_published"] == pending.total_published
    # The XLSX and PDF read the published version too.
    rows = xlsx_rows(client, published, school)
    assert "versi terbit 1" in str(rows[0][0]) and rows == published_rows  # the same cells as published
    # A second re-score changes nothing more.
    scoring.score_round(published.pk)
    assert published_state(published, school) == before and PendingScore.objects.count() == 1


def test_the_pengawas_verifies_and_publishes_the_newer_version(
    client, personas, published, schools, django_capture_on_commit_callbacks
):
    school = schools["a"]
    late_answer(published, school)
    scoring.score_round(published.pk)
    pending_total = PendingScore.objects.get(round=published, school=school).total_published
    client.force_login(personas["pengawas"])
    queue = client.get(reverse("mapping:verval_list", args=[published.pk])).content.decode()
    assert "versi baru perlu diverifikasi" in queue and "1 sekolah menunggu" in queue
    verval = client.get(reverse("mapping:verval", args=[published.pk, school.npsn])).content.decode()
    assert "Anda memverifikasi versi yang lebih baru" in verval and "tinjau ulang" in verval
    advance = reverse("mapping:advance", args=[published.pk, school.npsn])
    refused = client.post(advance, follow=True).content.decode()
    assert "1 sub-indikator belum diverifikasi" in refused  # 1.1.1 changed under its agreement
    assert RaporVersion.objects.filter(round=published, school=school).count() == 1
    node = Node.objects.get(version=published.instrument, code="1")
    client.post(reverse("mapping:agree", args=[published.pk, school.npsn, node.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(advance)
    score = SchoolScore.objects.get(round=published, school=school)
    assert score.total_published == pending_total and not PendingScore.objects.exists()
    versions = list(RaporVersion.objects.filter(round=published, school=school))
    assert [v.number for v in versions] == [1, 2] and "1 jawaban terkirim setelah terbit" in versions[1].reason
    assert RegionScore.objects.get(round=published, kind="regency", code="14.01").total == pytest.approx(score.total)
    page = client.get(reverse("mapping:rapor", args=[published.pk, school.npsn])).content.decode()
    assert "Versi terbit 2" in page and "Versi 1 ·" in page and "Versi 2 ·" in page


def test_setting_aside_keeps_the_published_rapor_until_something_new(client, personas, published, schools):
    school = schools["a"]
    late_answer(published, school)
    scoring.score_round(published.pk)
    client.force_login(personas["pengawas"])
    url = reverse("mapping:set_aside", args=[published.pk, school.npsn])
    refused = client.post(url, {"reason": " "}, follow=True).content.decode()
    assert "Tuliskan alasan" in refused and PendingScore.objects.get().open
    client.post(url, {"reason": "Jawaban terlambat dihitung pada putaran berikutnya"})
    scoring.score_round(published.pk)
    assert not PendingScore.objects.get().open  # the same scores stay set aside
    body = client.post(
        reverse("mapping:verify", args=[published.pk, school.npsn, Node.objects.get(code="1.1.1").pk]),
        {"agreed": "1"},
        follow=True,
    ).content.decode()
    assert "rapor ini sudah terbit" in body.lower()


def test_reopening_by_the_lpmp_makes_a_version_the_pengawas_corrects_and_publishes(
    client, personas, published, schools
):
    school = schools["a"]
    before = published_state(published, school)
    client.force_login(personas["lpmp"])
    url = reverse("mapping:reopen", args=[published.pk, school.npsn])
    assert "Tuliskan alasan" in client.post(url, {"reason": ""}, follow=True).content.decode()
    client.post(url, {"reason": "Dokumen kurikulum ditemukan saat kunjungan"})
    client.post(url, {"reason": "klik dua kali"})  # a double click reopens once
    pending = PendingScore.objects.get()
    assert pending.reopened_by == personas["lpmp"] and pending.reopen_reason.startswith("Dokumen")
    client.force_login(personas["pengawas"])
    node = Node.objects.get(version=published.instrument, code="1.1.1")
    client.post(
        reverse("mapping:verify", args=[published.pk, school.npsn, node.pk]),
        {"agreed": "0", "corrected": "7", "note": "Dokumen lengkap"},
    )
    assert published_state(published, school) == before  # still the published version
    assert PendingScore.objects.get().total == pytest.approx(5.775)
    client.post(reverse("mapping:advance", args=[published.pk, school.npsn]))
    assert SchoolScore.objects.get(round=published, school=school).total == pytest.approx(5.775)
    v1, v2 = RaporVersion.objects.filter(round=published, school=school)
    assert v1.verifications[str(node.pk)][0] is True and v2.verifications[str(node.pk)] == [
        False,
        7.0,
        "Dokumen lengkap",
    ]
    assert "dibuka kembali: Dokumen kurikulum" in v2.reason
    assert Verification.objects.get(node=node).corrected == 7


@pytest.mark.parametrize("who", ["kepsek_a", "operator_a", "dinas_kampar", "pengawas_other", "lpmp_jambi", "nobody"])
@pytest.mark.parametrize("name", ["reopen", "set_aside"])
def test_only_the_pengawas_or_lpmp_of_the_school_reopens_or_sets_aside(client, personas, published, schools, who, name):
    client.force_login(personas[who])
    url = reverse(f"mapping:{name}", args=[published.pk, schools["a"].npsn])
    assert client.get(url).status_code in (403, 404, 405)
    assert client.post(url, {"reason": "x"}).status_code in (403, 404)
    assert not PendingScore.objects.exists()


def test_a_late_respondent_is_told_the_answers_wait_for_a_new_version(client, published, schools):
    (late,) = services.add_respondents(
        actor=None, round_=published, school=schools["a"], respondent_type="komite", count=1
    )
    page = client.get(reverse("respond:questions", args=[late.code])).content.decode()
    assert "Rapor sekolah ini sudah terbit" in page


def test_a_rescore_that_differs_only_in_the_last_bits_is_no_new_version(published, schools):
    import numpy as np

    score = SchoolScore.objects.get(round=published, school=schools["a"])
    values = np.frombuffer(bytes(score.values), dtype="<f8").copy()
    values[~np.isnan(values)] *= 1 + 2e-16  # what another order of sums gives
    assert values.tobytes() != bytes(score.values) and scoring.same_scores(values.tobytes(), bytes(score.values))
    SchoolScore.objects.filter(pk=score.pk).update(values=values.tobytes())  # published from that order
    scoring.score_round(published.pk)
    assert not PendingScore.objects.exists()


def test_scoring_and_publication_say_which_province_changed(
    client, personas, published, schools, django_capture_on_commit_callbacks
):
    """Stored aggregates of other apps (the programme's effect) refresh from `results_changed`."""
    from mutu.core.signals import results_changed

    heard = []

    def listen(sender, province_ids, **kwargs):
        heard.append(sorted(province_ids))

    results_changed.connect(listen)
    try:
        late_answer(published, schools["a"])
        scoring.score_round(published.pk)
        assert heard == [[schools["a"].province_id]]  # the round's province
        with django_capture_on_commit_callbacks(execute=True):
            publish(client, personas["pengawas"], published, schools["a"])
    finally:
        results_changed.disconnect(listen)
    assert heard[-1] == [schools["a"].province_id] and PendingScore.objects.count() == 0
