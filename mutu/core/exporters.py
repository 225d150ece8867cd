"""One exporter base: a subclass yields header and rows; the base renders CSV or XLSX, streaming."""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse


class _Echo:
    def write(self, value):
        return value


class ListExporter:
    filename = "export"

    def headers(self):
        raise NotImplementedError

    def rows(self):
        raise NotImplementedError

    def csv_response(self):
        # Semicolons and a BOM: what Excel in an Indonesian locale opens correctly.
        writer = csv.writer(_Echo(), delimiter=";")

        def stream():
            yield "\ufeff"
            yield writer.writerow(self.headers())
            for row in self.rows():
                yield writer.writerow(["" if v is None else v for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}.csv"'
        return response

    def xlsx_response(self):
        import xlsxwriter

        handle = tempfile.TemporaryFile(suffix=".xlsx")
        workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet()
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, self.headers(), bold)
        for index, row in enumerate(self.rows(), start=1):
            sheet.write_row(index, 0, ["" if v is None else v for v in row])
        workbook.close()
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{self.filename}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
