"""The exporter base: two CSV conventions, XLSX with a title row and real numbers, and never a live
formula in either."""

import csv
import io

import pytest
from openpyxl import load_workbook

from mutu.core.exporters import ListExporter

HOSTILE = ['=HYPERLINK("https://x","Lihat")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


class Sample(ListExporter):
    filename = "contoh"
    title = "Contoh: data/uji"

    def headers(self):
        return ["Nama", "Nilai", "Jumlah"]

    def rows(self):
        for text in HOSTILE:
            yield [text, 5.0631, 3]
        yield ["kosong", None, float("nan")]


def _csv(response, delimiter):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def test_csv_in_both_conventions_neutralises_formulas():
    excel = _csv(Sample().csv_response(), ";")
    assert excel[1] == ["'" + HOSTILE[0], "5,0631", "3"]
    assert all(row[0].startswith("'") for row in excel[1:7]) and excel[7] == ["kosong", "", ""]
    standard = _csv(Sample().csv_response("standard"), ",")
    assert standard[2] == ["'+1+1", "5.0631", "3"]


def test_xlsx_has_a_named_sheet_a_title_row_numbers_and_no_formula(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"".join(Sample().xlsx_response().streaming_content))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "Contoh  data uji"  # characters Excel refuses in sheet names replaced
    assert sheet["A1"].value == "Contoh: data/uji" and [c.value for c in sheet[2]] == ["Nama", "Nilai", "Jumlah"]
    for row, text in enumerate(HOSTILE, start=3):
        cell = sheet.cell(row=row, column=1)
        # A string, never a formula (openpyxl leaves Excel's escape of a carriage return as it is).
        assert cell.data_type == "s" and cell.value.replace("_x000D_", "\r") == text
        assert sheet.cell(row=row, column=2).value == pytest.approx(5.0631)
    assert sheet.cell(row=9, column=2).value is None and sheet.cell(row=9, column=3).value is None
    assert sheet.column_dimensions["A"].width >= len(HOSTILE[0])
