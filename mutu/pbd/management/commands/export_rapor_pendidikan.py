import sys

from django.core.management.base import BaseCommand, CommandError

from mutu.pbd.exports import SchoolExporter
from mutu.schools.models import School


class Command(BaseCommand):
    help = "Export a school's Rapor Pendidikan of a year: one row per indicator, with last year's score."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's NPSN.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", help="The file to write (standard output when left out, CSV only).")

    def handle(self, *args, school, year, format, out, **options):
        found = School.objects.filter(npsn=school).first()
        if found is None:
            raise CommandError(f"NPSN {school} tidak ada.")
        exporter = SchoolExporter(found, year)
        if format == "xlsx" and not out:
            raise CommandError("XLSX perlu --out BERKAS.")
        response = exporter.xlsx_response() if format == "xlsx" else exporter.csv_response("standard")
        content = b"".join(
            part if isinstance(part, bytes) else part.encode("utf-8") for part in response.streaming_content
        )
        if out:
            with open(out, "wb") as handle:
                handle.write(content)
        else:
            sys.stdout.buffer.write(content)
