"""Workbooks built like the ministry's downloads (title rows, merged headers, decimal commas, the score
inside the capaian sentence, "Tidak Tersedia"): the demo's example files and the tests' fixtures.

`figures(npsn, year, codes)` gives a school's made-up but stable figures; the writers lay them out as
the official files do.
"""

import hashlib
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .worksheets import ARKAS_COLUMNS, ARKAS_SHEET, RKT_COLUMNS, RKT_SHEET

HEADER = Font(bold=True)
# How the ministry words capaian per indicator family (the number is the score, 0–100).
SENTENCES = {
    "A.1": "{label} ({score}% peserta didik mencapai batas kompetensi minimum literasi)",
    "A.2": "{label} ({score}% peserta didik mencapai batas kompetensi minimum numerasi)",
    "A.3": "{label} (Indeks Karakter {score})",
}
CAPAIAN_WORDS = {"baik": "Baik", "sedang": "Sedang", "kurang": "Kurang"}
RANKS = ["Atas (1-20%)", "Menengah atas (21-40%)", "Menengah (41-60%)", "Menengah bawah (61-80%)", "Bawah (81-100%)"]


def comma(value):
    return f"{value:.2f}".replace(".", ",")


def label_of(score):
    return "Baik" if score >= 70 else "Sedang" if score >= 40 else "Kurang"


def figures(npsn, year, codes):
    """{code: score} stable per school, year and code; a school's second year moves a few points."""
    out = {}
    for code in codes:
        seed = int(hashlib.sha256(f"{npsn}:{code}".encode()).hexdigest()[:8], 16)
        base = 25 + seed % 6000 / 100  # 25.00–84.99
        drift = (int(hashlib.sha256(f"{npsn}:{code}:{year}".encode()).hexdigest()[:4], 16) % 1200) / 100 - 5
        out[code] = Decimal(str(round(min(100, max(0, base + (drift if year % 2 else 0))), 2)))
    return out


def sentence(code, score):
    if score is None:
        return "Tidak Tersedia"
    template = SENTENCES.get(code, "{label} (skor {score})")
    return template.format(label=label_of(score), score=comma(score))


def _title(sheet, rows, width):
    for text in rows:
        sheet.append([text])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
        sheet.cell(sheet.max_row, 1).font = HEADER


def pbd_workbook(path, *, school, year, indicators, scores, previous=None):
    """A school's RAPOR-PBD workbook: the report sheet filled, the worksheets empty as downloaded.
    `indicators` are (code, name) pairs; `scores` {code: Decimal or None}."""
    previous = previous or {}
    book = Workbook()
    guide = book.active
    guide.title = "Panduan PBD"
    guide.append(["Panduan Perencanaan Berbasis Data: Identifikasi, Refleksi, Benahi."])
    report = book.create_sheet("Laporan Rapor Pendidikan")
    header = [
        "No",
        "Indikator",
        "Capaian",
        f"Skor {year}",
        f"Skor {year - 1}",
        "Perubahan",
        "Peringkat di Kab/Kota",
        "Peringkat Nasional",
        "Sumber Data",
    ]
    _title(
        report,
        [
            f"Laporan Rapor Pendidikan Tahun {year}",
            f"Nama Satuan Pendidikan: {school.name}",
            f"NPSN: {school.npsn}",
        ],
        len(header),
    )
    report.append([])
    report.append(header)
    for number, (code, name) in enumerate(indicators, start=1):
        score, before = scores.get(code), previous.get(code)
        moved = "Tidak Tersedia"
        if score is not None and before is not None:
            moved = "Naik" if score > before else "Turun" if score < before else "Tetap"
        bucket = RANKS[min(4, int((100 - score) // 20))] if score is not None else "Tidak Tersedia"
        report.append(
            [
                number,
                f"{code} {name}",
                sentence(code, score),
                comma(score) if score is not None else "Tidak Tersedia",
                comma(before) if before is not None else "Tidak Tersedia",
                moved,
                bucket,
                bucket,
                "Asesmen Nasional" if code.startswith("A") else "Survei Lingkungan Belajar",
            ]
        )
    report.append([])
    report.append(["Catatan: skor 0-100; Tidak Tersedia berarti data belum ada."])
    for name, columns in (
        ("Rekomendasi Keseluruhan", ["No", "Indikator", "Capaian", "Rekomendasi"]),
        ("Rekomendasi Prioritas", ["No", "Indikator Prioritas", "Capaian", "Alasan"]),
        (RKT_SHEET, RKT_COLUMNS),
        (ARKAS_SHEET, ARKAS_COLUMNS),
    ):
        sheet = book.create_sheet(name)
        sheet.append(columns)
    book.save(path)


def school_list(path, *, year, region_name, indicators, rows):
    """A region's list of schools: one row per school, per indicator a merged header over Capaian and
    Skor. `rows` are (school, {code: Decimal or None})."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Satuan Pendidikan"
    fixed = ["No", "NPSN", "Nama Satuan Pendidikan", "Kecamatan", "Jenjang", "Status"]
    width = len(fixed) + 2 * len(indicators)
    _title(sheet, [f"Rapor Pendidikan Tahun {year}", region_name], width)
    sheet.append(fixed + [part for code, name in indicators for part in (f"{code} {name}", None)])
    top = sheet.max_row
    sheet.append([None] * len(fixed) + ["Capaian", "Skor"] * len(indicators))
    for column in range(1, len(fixed) + 1):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    for index in range(len(indicators)):
        column = len(fixed) + 1 + 2 * index
        sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
        sheet.cell(top, column).alignment = Alignment(horizontal="center")
    for number, (school, scores) in enumerate(rows, start=1):
        cells = [number, school.npsn, school.name, school.district.name, school.level, school.get_status_display()]
        for code, _name in indicators:
            score = scores.get(code)
            cells += [
                label_of(score) if score is not None else "Tidak Tersedia",
                comma(score) if score is not None else "Tidak Tersedia",
            ]
        sheet.append(cells)
    book.save(path)


def region_report(path, *, year, indicators, rows, slices=()):
    """The regional report: three merged header rows, the "Label Capaian" row, rows of regions, then
    slice sections. `rows` are (provinsi, kabupaten/kota, jenis, status, {code: (label, change)});
    `slices` are (section title, [(group, provinsi, kabupaten/kota, jenis, {code: (label, change)})])."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Rapor Pendidikan Daerah"
    fixed = ["Provinsi", "Kabupaten/Kota", "Jenis Satuan Pendidikan", "Status"]
    width = len(fixed) + 2 * len(indicators)
    sheet.append([f"Rapor Pendidikan Daerah Tahun {year}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(fixed + [part for code, _name in indicators for part in (code, None)])
    sheet.append([None] * len(fixed) + [part for _code, name in indicators for part in (name, None)])
    sheet.append([None] * len(fixed) + ["Label Capaian", "Perubahan dari tahun lalu"] * len(indicators))
    for column in range(1, len(fixed) + 1):
        sheet.merge_cells(start_row=2, start_column=column, end_row=4, end_column=column)
    for index in range(len(indicators)):
        column = len(fixed) + 1 + 2 * index
        for row in (2, 3):
            sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 1)

    def values(found):
        return [part for code, _name in indicators for part in found.get(code, ("Tidak Tersedia", "Tidak Tersedia"))]

    for province, regency, level, status, found in rows:
        sheet.append([province, regency, level, status] + values(found))
    for title, groups in slices:
        sheet.append([title])
        for group, province, regency, level, found in groups:
            sheet.append([province, regency, level, group] + values(found))
    book.save(path)


def worksheet(path, rkt_rows, arkas_rows):
    """A filled Lembar Kerja RKT and Rancangan ARKAS, as a school fills the official workbook's."""
    book = Workbook()
    book.active.title = RKT_SHEET
    for sheet, columns, rows in (
        (book.active, RKT_COLUMNS, rkt_rows),
        (book.create_sheet(ARKAS_SHEET), ARKAS_COLUMNS, arkas_rows),
    ):
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
    book.save(path)
