from django.core.management.base import BaseCommand, CommandError

from mutu.schools import importing


class Command(BaseCommand):
    help = "Import schools from a Dapodik CSV/XLSX export. Exits with status 1 when rows were rejected."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row but save nothing.")
        parser.add_argument("--all-or-nothing", action="store_true", help="Save nothing when any row is rejected.")

    def handle(self, *args, file, dry_run, all_or_nothing, **options):
        try:
            mapping = importing.guess_mapping(importing.read_headers(file))
            if importing.encoding_name(file):
                self.stdout.write(f"Berkas dibaca sebagai {importing.encoding_name(file)}.")
            report = importing.run_import(
                file,
                mapping,
                commit=not dry_run,
                all_or_nothing=all_or_nothing,
                on_error=lambda row, label, message: self.stdout.write(f"baris {row}: {label}: {message}"),
            )
        except (importing.ImportFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        saved = "disimpan" if report.committed else "tidak disimpan"
        self.stdout.write(
            f"{report.total_rows} baris, {report.valid_rows} valid, {report.rejected_rows} ditolak; "
            f"{report.created} baru, {report.updated} diperbarui ({saved})."
        )
        if report.rejected_rows:
            raise SystemExit(1)
