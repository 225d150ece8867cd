"""One exporter base: a subclass yields a header and rows; the base renders CSV or XLSX, streaming.

CSV comes in two conventions: "Excel Indonesia" (the default: `;` between cells, decimal comma, a BOM
so Excel reads UTF-8) or standard (`,` and decimal point, RFC 4180). XLSX has a named sheet, a title
row, column widths and numbers stored as numbers. Neither ever carries a live formula: XLSX strings
stay strings, and a CSV cell that begins with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`
(OWASP "CSV injection")."""

import csv
import re
import tempfile
from decimal import Decimal
from itertools import chain, islice

from django.http import FileResponse, StreamingHttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV_DIALECTS = {"excel-id": (";", ","), "standard": (",", ".")}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 200  # rows read ahead to size the XLSX columns
MAX_WIDTH = 60


class _Echo:
    def write(self, value):
        return value


def csv_dialect(request):
    """The CSV convention a request asks for (`?csv=standard`), Excel Indonesia otherwise."""
    return "standard" if request.GET.get("csv") == "standard" else "excel-id"


def _csv_cell(value, decimal):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return "" if value != value else repr(value).replace(".", decimal)  # NaN: missing, not "nan"
    if isinstance(value, int | Decimal):  # a Decimal keeps its places: 56.00 stays "56,00"
        return str(value).replace(".", decimal)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class ListExporter:
    filename = "export"
    title = ""  # the title row; the filename when empty
    sheet = ""  # the sheet's name (Excel takes 31 characters); the title when empty
    float_format = "0.00"  # how XLSX shows decimals (the full value is stored)

    def headers(self):
        raise NotImplementedError

    def rows(self):
        raise NotImplementedError

    def source(self):
        """The queryset the rows come from (one row each): how large an export is."""
        raise NotImplementedError

    def _csv_lines(self, dialect):
        delimiter, decimal = CSV_DIALECTS[dialect]
        writer = csv.writer(_Echo(), delimiter=delimiter)
        if dialect == "excel-id":
            yield "\ufeff"
        yield writer.writerow([_csv_cell(h, decimal) for h in self.headers()])
        for row in self.rows():
            yield writer.writerow([_csv_cell(v, decimal) for v in row])

    def csv_response(self, dialect="excel-id"):
        response = StreamingHttpResponse(self._csv_lines(dialect), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{self.filename}.csv"'
        return response

    def write(self, handle, fmt, dialect="excel-id"):
        """The whole file (`fmt` "csv" or "xlsx") into a binary file, as the worker makes a large
        export; the number of rows written, headers left out."""
        if fmt == "xlsx":
            return self._write_xlsx(handle)
        lines = 0
        for line in self._csv_lines(dialect):
            handle.write(line.encode("utf-8"))
            lines += 1
        return lines - 1 - (dialect == "excel-id")  # the header line and the BOM are no rows

    def sheets(self):
        """(sheet name, title row, headers, rows) per sheet; one sheet unless a subclass has several tables."""
        title = self.title or self.filename
        yield self.sheet or title, title, self.headers(), self.rows()

    def xlsx_response(self):
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        self._write_xlsx(handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{self.filename}.xlsx",
            content_type=CONTENT_TYPES["xlsx"],
        )

    def _write_xlsx(self, handle):
        import xlsxwriter

        workbook = xlsxwriter.Workbook(
            handle,
            {"constant_memory": True, "in_memory": False, "strings_to_formulas": False, "strings_to_numbers": False},
        )
        formats = {
            "title": workbook.add_format({"bold": True, "font_size": 13}),
            "header": workbook.add_format({"bold": True, "bottom": 1}),
            "number": workbook.add_format({"num_format": self.float_format}),
        }
        names, written = set(), 0
        for label, title, headers, rows in self.sheets():
            name = re.sub(r"[\[\]:*?/\\]", " ", str(label))[:31]
            while name.lower() in names:  # Excel refuses two sheets of the same name
                name = name[:28] + f" {len(names) + 1}"
            names.add(name.lower())
            written += _write_sheet(workbook.add_worksheet(name), str(title), list(headers), rows, formats)
        workbook.close()
        return written


def _write_sheet(sheet, title, headers, rows, formats):
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    for column, header in enumerate(headers):
        longest = max([len(str(header))] + [len(_shown(row[column])) for row in sample if column < len(row)])
        sheet.set_column(column, column, min(MAX_WIDTH, longest + 2))
    sheet.write_string(0, 0, title, formats["title"])
    sheet.write_row(1, 0, headers, formats["header"])
    sheet.freeze_panes(2, 0)
    index = 1
    for index, row in enumerate(chain(sample, rows), start=2):
        for column, value in enumerate(row):
            if value is None or (isinstance(value, float) and value != value):
                continue  # missing stays an empty cell, never 0
            if isinstance(value, bool):
                sheet.write_boolean(index, column, value)
            elif isinstance(value, float | Decimal):
                sheet.write_number(index, column, float(value), formats["number"])
            elif isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    return index - 1


def _shown(value):
    if isinstance(value, float | Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)
