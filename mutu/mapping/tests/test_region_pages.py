"""No dead ends between the region pages: every page links down and up, a user lands on their own
region, and tiles and tables count the same schools."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import browser_log_in as log_in


def region_url(round_, kind, code):
    return reverse("mapping:region", args=[round_.pk, kind, code])


def test_each_user_lands_on_their_own_region(client, personas, scored_round, schools):
    expected = {
        "lpmp": region_url(scored_round, "province", "14"),
        "dinas_kampar": region_url(scored_round, "regency", "14.01"),
        "dinas_riau": region_url(scored_round, "province", "14"),
        "pengawas": region_url(scored_round, "district", schools["a"].district.code),
    }
    for persona, url in expected.items():
        client.force_login(personas[persona])
        assert client.get(reverse("mapping:my_region", args=[scored_round.pk]))["Location"] == url, persona
    progress = client.get(reverse("mapping:progress", args=[scored_round.pk])).content.decode()
    assert reverse("mapping:my_region", args=[scored_round.pk]) in progress
    assert "Jawaban mentah (CSV)" not in progress  # offered only to those who may download it


def test_tiles_and_tables_count_the_same_schools(client, personas, scored_round, schools):
    """Kampar holds school a (SD, rapor) and c (SMA, tidak kirim); the Dinas of Kampar covers SD/SMP only."""
    client.force_login(personas["lpmp"])  # the whole province: the engine's stored rows
    page = client.get(region_url(scored_round, "province", "14"))
    figures, children = page.context["figures"], page.context["children"]
    assert figures.complete and (figures.schools, figures.with_rapor, figures.not_sent) == (3, 1, 2)
    assert sum(row["schools"] for row in children) == figures.schools
    assert sum(row["with_rapor"] for row in children) == figures.with_rapor == page.context["scores"].count()
    body = page.content.decode()
    assert f'href="{region_url(scored_round, "regency", "14.01")}"' in body  # down to the kab/kota
    client.force_login(personas["dinas_kampar"])
    page = client.get(region_url(scored_round, "regency", "14.01"))
    figures, children = page.context["figures"], page.context["children"]
    assert not figures.complete and (figures.schools, figures.with_rapor, figures.not_sent) == (1, 1, 0)
    assert [(row["name"], row["schools"], row["with_rapor"]) for row in children] == [
        (schools["a"].district.name, 1, 1)
    ]
    body = page.content.decode()
    assert "Angka ini mencakup 1 sekolah Kabupaten Kampar dalam cakupan Anda." in body
    assert "Rerata seluruh 1 sekolah wilayah ini yang memiliki rapor: 5,22." in body
    assert f'href="{region_url(scored_round, "province", "14")}"' in body  # up to the province
    assert f'href="{region_url(scored_round, "district", schools["a"].district.code)}"' in body  # and down


def test_the_region_xlsx_lists_the_schools(client, personas, scored_round, schools):
    client.force_login(personas["dinas_kampar"])
    response = client.get(region_url(scored_round, "regency", "14.01") + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    rows = [row for row in sheet.values if row and row[0] == schools["a"].npsn]
    assert len(rows) == 1 and rows[0][1] == schools["a"].name and rows[0][5] == "Menuju SNP 4"
    assert rows[0][3] == "Kabupaten Kampar" and rows[0][7] == "sementara"


def test_the_pengawas_home_leads_to_the_schools_waiting(client, personas, scored_round, schools):
    client.force_login(personas["pengawas"])
    home = client.get(reverse("home")).content.decode()
    queue = reverse("mapping:verval_list", args=[scored_round.pk])
    assert "1 sekolah menunggu verifikasi Anda" in home and queue in home
    page = client.get(queue).content.decode()
    assert schools["a"].name in page and reverse("mapping:verval", args=[scored_round.pk, schools["a"].npsn]) in page
    detail = client.get(reverse("schools:detail", args=[schools["a"].npsn])).content.decode()
    assert reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn]) in detail


@pytest.mark.django_db(transaction=True)
def test_dinas_goes_from_province_to_rapor_by_clicks_on_a_phone(browser, live_server, personas, scored_round, schools):
    phone = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(phone, live_server, "dinas_kampar")
    phone.goto(f"{live_server.url}{reverse('mapping:progress', args=[scored_round.pk])}")
    phone.get_by_role("link", name="Rapor mutu wilayah saya").click()
    phone.locator("nav.crumbs").get_by_role("link", name="Riau").click()  # up to the province …
    phone.get_by_role("link", name="Kabupaten Kampar").first.click()  # … and down again
    phone.get_by_role("link", name=schools["a"].district.name).first.click()
    phone.get_by_role("link", name=schools["a"].name).click()
    phone.get_by_role("heading", name=f"Rapor mutu · {schools['a'].name}").wait_for()
    assert phone.url.endswith(reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn]))


def test_a_partial_scope_is_named_as_such_beside_the_whole_region(client, personas, scored_round):
    client.force_login(personas["kepsek_a"])
    page = client.get(region_url(scored_round, "province", "14")).content.decode()
    assert "(cakupan Anda)" in page and ">Cakupan Anda</li>" in page and ">Riau (semua sekolah)</li>" in page


def test_a_long_region_pdf_is_drawn_by_the_worker(client, personas, scored_round, monkeypatch,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    from mutu.core.models import DocumentJob
    from mutu.mapping import rapor

    client.force_login(personas["dinas_kampar"])
    url = reverse("mapping:region", args=[scored_round.pk, "regency", "14.01"])
    short = client.get(url, {"format": "pdf"})  # one school: a page, drawn at once
    assert short["Content-Type"] == "application/pdf" and not DocumentJob.objects.exists()
    monkeypatch.setattr(rapor, "PDF_ROWS_IN_REQUEST", 0)  # as if Kampar listed hundreds of schools
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"format": "pdf"})
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("document", args=[job.pk])
    job.refresh_from_db()
    assert job.state == "done" and job.requested_by == personas["dinas_kampar"]
    body = b"".join(client.get(reverse("document_download", args=[job.pk])).streaming_content)
    assert body.startswith(b"%PDF")
    client.force_login(personas["dinas_pekanbaru"])  # somebody else's document
    assert client.get(reverse("document_download", args=[job.pk])).status_code == 404
