from django.core.management.base import BaseCommand, CommandError

from mutu.accounts.scopes import UNRESTRICTED
from mutu.pbd import importing


class Command(BaseCommand):
    help = (
        "Import a Rapor Pendidikan download (a school's PBD workbook, a school list or a regional report; "
        "the kind is read from the file). Saves every row or none; exits with status 1 when rows were refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, help="The year, when the file does not say it.")
        parser.add_argument("--npsn", default="", help="A workbook's school, when the file does not say it.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row but save nothing.")

    def handle(self, *args, file, year, npsn, dry_run, **options):
        try:
            report = importing.run(
                file, scope=UNRESTRICTED, original_name=file, year=year, npsn=npsn, commit=not dry_run
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        for row, place, message in report.errors:
            self.stdout.write(f"baris {row}: {place}: {message}")
        saved = "disimpan" if report.saved else "tidak disimpan"
        self.stdout.write(
            f"{report.kind or '?'} {report.year or '?'}: {report.total_rows} baris, {len(report.errors)} masalah; "
            f"{report.created} baru, {report.changed} berubah, {report.unchanged} tetap ({saved})."
        )
        if report.errors:
            raise SystemExit(1)
