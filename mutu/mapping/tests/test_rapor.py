"""Rapor pages, exports, verval and the status timeline."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mutu.instruments.models import Node
from mutu.mapping.models import Milestone, Verification


def rapor_url(round_, school):
    return reverse("mapping:rapor", args=[round_.pk, school.npsn])


def test_school_rapor_page(client, personas, scored_round, schools, django_assert_max_num_queries):
    client.force_login(personas["kepsek_a"])
    with django_assert_max_num_queries(25):
        page = client.get(rapor_url(scored_round, schools["a"])).content.decode()
    assert "5,22" in page and "Menuju SNP 4" in page  # 5.2208 shown the Indonesian way
    # The chart: bar widths in plain numbers, values the Indonesian way, each standard's level named.
    assert 'style="width:59.17%' in page and 'class="chart-value">4,14<' in page
    assert '<span class="level-name"><span class="swatch" style="background:#4d7c0f"></span>Menuju SNP 4</span>' in page
    assert "Tidak ada catatan kualitas data." in page  # groups of 2: too small to compare (privacy)
    assert "dihitung" in page and "0 dari 4 sub-indikator sudah diverifikasi pengawas." in page


def test_rapor_page_query_count_does_not_grow_with_data(
    client,
    personas,
    scored_round,
    schools,
    django_assert_num_queries,
):
    from mutu.mapping import scoring, services

    client.force_login(personas["kepsek_a"])
    client.get(rapor_url(scored_round, schools["a"]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(rapor_url(scored_round, schools["a"]))
    slots = services.add_respondents(
        actor=None, round_=scored_round, school=schools["a"], respondent_type="siswa", count=30
    )
    for slot in slots:
        services.submit_answers(respondent=slot, options=[])
    scoring.score_round(scored_round.pk)
    with CaptureQueriesContext(connection) as large:
        client.get(rapor_url(scored_round, schools["a"]))
    assert len(large) == len(small)


def test_rapor_pdf_and_xlsx(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    pdf = client.get(rapor_url(scored_round, schools["a"]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(rapor_url(scored_round, schools["a"]) + "?format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.worksheets[0]
    rows = list(sheet.values)
    assert sheet.title == "Rapor mutu 10400001 2026" and rows[0][0] == "Rapor mutu 10400001 2026 (sementara)"  # title
    assert rows[1][:3] == ("Kode", "Uraian", "Nilai")
    # Numbers are numbers (shown with 2 decimals), at full precision; columns are sized.
    (sub,) = [r for r in rows if r[0] == "1.1.1"]
    assert sub[:2] == ("1.1.1", "Sub 1.1.1") and sub[2] == pytest.approx(3.675)
    assert sheet["C3"].number_format == "0.00" and sheet.column_dimensions["B"].width > 10


def test_region_page_counts_not_sent_and_sorts(client, personas, scored_round, schools):
    client.force_login(personas["lpmp"])
    page = client.get(reverse("mapping:region", args=[scored_round.pk, "regency", "14.01"]) + "?sort=name")
    body = page.content.decode()
    assert "tidak kirim" in body and "SD Negeri 001 Bangkinang" in body
    assert page.context["figures"].not_sent == 1
    pdf = client.get(reverse("mapping:region", args=[scored_round.pk, "regency", "14.01"]) + "?format=pdf")
    assert pdf.content.startswith(b"%PDF")


def test_verval_keeps_the_original_and_nothing_is_auto_approved(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    school = schools["a"]
    advance = reverse("mapping:advance", args=[scored_round.pk, school.npsn])
    client.post(advance)
    assert not Milestone.objects.filter(step="verified").exists()  # 4 sub-indicators still unreviewed
    subs = list(Node.objects.filter(version=scored_round.instrument, kind="sub").order_by("position"))
    url = lambda node: reverse("mapping:verify", args=[scored_round.pk, school.npsn, node.pk])  # noqa: E731
    response = client.post(url(subs[0]), {"agreed": "0", "corrected": "4,5", "note": ""}, follow=True)
    assert "Jelaskan koreksi dalam catatan." in response.content.decode()
    client.post(url(subs[0]), {"agreed": "0", "corrected": "4,5", "note": "Bukti supervisi belum lengkap"})
    for node in subs[1:]:
        client.post(url(node), {"agreed": "1"})
    correction = Verification.objects.get(node=subs[0])
    assert (correction.original, correction.corrected) == (pytest.approx(3.675), 4.5)
    client.post(advance)
    client.post(advance)
    client.post(advance)  # published already: nothing more happens
    steps = list(Milestone.objects.filter(school=school).values_list("step", flat=True))
    assert steps.count("verified") == 1 and steps.count("published") == 1
    late = client.post(url(subs[1]), {"agreed": "1"}, follow=True)
    assert "sudah terbit; buka kembali" in late.content.decode()
    page = client.get(rapor_url(scored_round, school)).content.decode()
    assert "dikoreksi menjadi 4,50" in page and "Bukti supervisi belum lengkap" in page


def test_analyst_csv_exports_are_scoped_and_anonymous(client, personas, scored_round, schools):
    client.force_login(personas["lpmp"])
    responses = b"".join(client.get(reverse("mapping:export", args=[scored_round.pk, "responses"])).streaming_content)
    lines = responses.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "NPSN;Jenjang;Jenis responden;Jawaban;Jawaban angka dan teks" and len(lines) == 9
    assert "10400001;SD;guru;Q1=b,Q2=b,Q3=x,Q3=z;" in lines[1:]
    codes = list(scored_round.respondents.values_list("code", flat=True))
    assert not any(code in responses.decode() for code in codes)
    scores = b"".join(client.get(reverse("mapping:export", args=[scored_round.pk, "scores"])).streaming_content)
    header, row = scores.decode("utf-8-sig").strip().splitlines()
    assert header.startswith(
        "NPSN;Sekolah;Kecamatan;Kabupaten/kota;Jenjang;Nilai;Nilai 2 desimal (seperti di rapor);Level;"
        "Nilai sebelum verifikasi;Status;1;"
    )
    full = repr((12.425 / 3 + 6.3) / 2).replace(".", ",")  # full precision, the Indonesian Excel way
    assert row.startswith(
        f"10400001;SD Negeri 001 Bangkinang;Bangkinang Kota;Kabupaten Kampar;SD;{full};5,22;Menuju SNP 4;"
    )
    assert ";sementara;" in row
    standard = client.get(reverse("mapping:export", args=[scored_round.pk, "scores"]), {"csv": "standard"})
    header, row = b"".join(standard.streaming_content).decode("utf-8").strip().splitlines()
    assert header.startswith("NPSN,Sekolah,") and f",SD,{(12.425 / 3 + 6.3) / 2!r},5.22," in row
    client.force_login(personas["kepsek_b"])  # another school: its export holds no row of school a
    other = b"".join(client.get(reverse("mapping:export", args=[scored_round.pk, "scores"])).streaming_content)
    assert "10400001" not in other.decode()


def test_lpmp_admin_opens_a_round_for_their_province_and_scores_it(client, personas, tiny, schools):
    from mutu.mapping.models import Round, SchoolScore

    client.force_login(personas["lpmp"])
    form = client.get(reverse("mapping:create")).content.decode()
    assert "Jambi" not in form and "Riau" in form
    data = {
        "name": "Pemetaan Riau 2027",
        "year": 2027,
        "province": schools["a"].province_id,
        "instrument": tiny.pk,
        "opens_on": "2027-02-01",
        "closes_on": "2027-01-01",
    }
    data |= {
        f"quota_{lv}_{t}": 1 for lv in ("SD", "SMP", "SMA", "SMK", "SLB") for t in ("ks", "guru", "siswa", "komite")
    }
    response = client.post(reverse("mapping:create"), data)
    assert "Putaran harus ditutup setelah dibuka." in response.content.decode()
    data["closes_on"] = "2027-03-31"
    client.post(reverse("mapping:create"), data)
    round_ = Round.objects.get()
    assert round_.quotas["SD"] == {"ks": 1, "guru": 1, "siswa": 1, "komite": 1}
    tiny.refresh_from_db()
    assert tiny.frozen
    services_add(round_, schools["a"])
    client.post(reverse("mapping:score", args=[round_.pk]))  # the immediate task backend runs it here
    assert SchoolScore.objects.filter(round=round_, school=schools["a"]).exists()
    jambi = client.post(reverse("mapping:create"), {**data, "province": schools["d"].province_id})
    assert jambi.status_code == 200 and Round.objects.count() == 1  # not their province


def services_add(round_, school):
    from mutu.mapping import services

    slots = services.add_respondents(actor=None, round_=round_, school=school, respondent_type="ks", count=1)
    services.submit_answers(respondent=slots[0], options=[])
    return slots


def test_home_pages_point_at_the_open_round(client, personas, scored_round, schools):
    from datetime import date, timedelta

    scored_round.opens_on, scored_round.closes_on = date.today() - timedelta(days=1), date.today() + timedelta(days=9)
    scored_round.save()
    client.force_login(personas["operator_a"])
    page = client.get(reverse("home")).content.decode()
    assert "Pemetaan 2026: rapor mutu sudah tersedia." in page
    client.force_login(personas["pengawas"])
    assert "Pemetaan 2026: 1 sekolah menunggu verifikasi Anda." in client.get(reverse("home")).content.decode()
    client.force_login(personas["lpmp"])
    assert "Pemetaan 2026: 1 dari 3 sekolah sudah memenuhi kuota." in client.get(reverse("home")).content.decode()


def test_region_page_query_count_does_not_grow_with_data(
    client, personas, scored_round, schools, django_assert_max_num_queries
):
    from mutu.factories import SchoolFactory
    from mutu.mapping import scoring, services

    client.force_login(personas["lpmp"])
    url = reverse("mapping:region", args=[scored_round.pk, "regency", "14.01"])
    # The page's own reads, the session read and its save (the idle deadline moves on every request).
    with django_assert_max_num_queries(22):
        client.get(url)
    for school in SchoolFactory.create_batch(40):
        (slot,) = services.add_respondents(
            actor=None, round_=scored_round, school=school, respondent_type="ks", count=1
        )
        services.submit_answers(respondent=slot, options=[])
    scoring.score_round(scored_round.pk)
    with django_assert_max_num_queries(22):
        page = client.get(url + "?sort=flags")
    assert page.context["page"].paginator.count == 41


def test_deadline_view_lists_lagging_schools_and_regencies(client, personas, scored_round, schools):
    client.force_login(personas["lpmp"])
    page = client.get(reverse("mapping:progress", args=[scored_round.pk]))
    progress = page.context["progress"]
    assert (progress["total"], progress["complete"]) == (3, 1)
    assert [(s.npsn, s.sent, s.quota) for s in progress["lagging"]] == [("10400002", 0, 3), ("10400003", 0, 0)]
    assert {r["name"]: (r["schools"], r["complete"]) for r in progress["regencies"]} == {
        "Kabupaten Kampar": (2, 1),
        "Kota Pekanbaru": (1, 0),
    }
    client.force_login(personas["dinas_pekanbaru"])  # a Dinas sees only its own schools
    assert client.get(reverse("mapping:progress", args=[scored_round.pk])).context["progress"]["total"] == 1
