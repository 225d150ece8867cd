"""The PBD flow in a browser: the principal uploads the school's workbook, reads the Rapor Pendidikan,
identifies, reflects, carries the plan in as the worksheets, sees the RKAS with its kode kegiatan and
downloads the worksheet; the Dinas sees its kab/kota's shares and the school behind one."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import browser_log_in
from mutu.cycle.services import start_cycle
from mutu.pbd import samples

D = Decimal
MAIN = [("A.1", "Kemampuan literasi"), ("A.2", "Kemampuan numerasi"), ("A.3", "Karakter")]


@pytest.mark.django_db(transaction=True)
def test_the_pbd_flow_from_the_workbook_to_the_rkas(page, live_server, personas, schools, tmp_path):
    start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    workbook = tmp_path / "RAPOR-PBD-SD NEGERI 001 BANGKINANG-10400001-DATA-2025.xlsx"
    samples.pbd_workbook(
        workbook,
        school=schools["a"],
        year=2025,
        indicators=MAIN,
        scores={"A.1": D("36.67"), "A.2": D("55"), "A.3": D("80")},
        previous={"A.1": D("40.1"), "A.2": D("50")},
    )
    browser_log_in(page, live_server, "kepsek_a")
    page.goto(f"{live_server.url}/rapor-pendidikan/impor/")
    page.get_by_label("Berkas").set_input_files(str(workbook))
    page.get_by_role("button", name="Unggah").click()
    page.get_by_text("Semua baris disimpan.").wait_for()
    page.get_by_role("link", name="Lihat Rapor Pendidikan").click()
    row = page.locator("tr", has_text="A.1 Kemampuan literasi")
    assert "Kurang" in row.inner_text() and "36,67" in row.inner_text()

    page.goto(f"{live_server.url}/cycle/10400001/2026/analysis/")
    proposals = page.locator("section", has_text="Diusulkan dari Rapor Pendidikan 2025")
    assert proposals.locator("tbody tr").first.inner_text().startswith("A.1")  # Kurang first
    proposals.locator("tbody tr").first.get_by_role("button", name="Pilih").click()
    problem = page.locator("article.problem").first
    problem.get_by_label("Sub-indikator akar masalah").select_option(label="A.1.1 Kompetensi membaca teks informasi")
    problem.get_by_label("Masalah", exact=True).fill("Capaian literasi Kurang dan turun")
    problem.get_by_label("Akar masalah", exact=True).fill("Bahan bacaan belum berjenjang")
    problem.get_by_label("Rekomendasi", exact=True).fill("Pojok baca dan asesmen diagnostik")
    problem.get_by_role("button", name="Simpan").click()
    page.get_by_text("Analisis A.1 tersimpan.").wait_for()

    filled = tmp_path / "lembar-kerja.xlsx"
    samples.worksheet(
        filled,
        [[1, "A.1 Kemampuan literasi", "Kurang", "A.1.1 Kompetensi membaca teks informasi", "Pojok baca kelas",
          "Sudut baca di tiap kelas", "Ya", "Pengembangan perpustakaan", "Kepala sekolah"]],
        [[1, "Pojok baca kelas", "Sudut baca di tiap kelas", "05.02.01", "Pengadaan buku", "Buku cerita anak",
          "Maret", 40, "buah", 35000, 1400000]],
    )  # fmt: skip
    page.goto(f"{live_server.url}/cycle/10400001/2026/plan/")
    page.get_by_label("Lembar kerja yang sudah diisi (XLSX)").set_input_files(str(filled))
    page.get_by_role("button", name="Masukkan ke rencana").click()
    page.get_by_text("Lembar kerja sudah masuk ke rencana: 1 kegiatan, 1 baris ARKAS.").wait_for()
    page.get_by_role("link", name="RKAS (anggaran)").click()
    assert "05.02.01" in page.locator("tr", has_text="Pojok baca kelas").inner_text()

    page.goto(f"{live_server.url}/cycle/10400001/2026/plan/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh lembar kerja (XLSX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "lembar-kerja-rkt-arkas-10400001-2026.xlsx"
    book = load_workbook(saved)
    rkt = list(book["Lembar Kerja RKT"].iter_rows(values_only=True))
    assert rkt[1][1:5] == (
        "A.1 Kemampuan literasi",
        "Kurang",
        "A.1.1 Kompetensi membaca teks informasi",
        "Pojok baca kelas",
    )
    arkas = list(book["Lembar Kerja Rancangan ARKAS"].iter_rows(values_only=True))
    assert arkas[1][3] == "05.02.01"

    page.context.clear_cookies()
    browser_log_in(page, live_server, "dinas_kampar")
    page.goto(f"{live_server.url}/rapor-pendidikan/")
    page.get_by_role("heading", name="Rapor Pendidikan 2025 · Kabupaten Kampar").wait_for()
    row = page.locator("tbody tr", has_text="A.1 Kemampuan literasi")
    row.locator("td[data-label=Kurang] a").click()
    page.get_by_role("link", name="SD Negeri 001 Bangkinang").wait_for()
