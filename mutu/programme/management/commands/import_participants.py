from django.core.management.base import BaseCommand, CommandError

from mutu.programme import events
from mutu.programme.models import Event
from mutu.programme.services import ProgrammeError
from mutu.schools.importing import ImportFileError, encoding_name


class Command(BaseCommand):
    help = (
        "Import an event's participants from a CSV/XLSX file (columns: Nama, Peran, Kab/Kota, NPSN, NIP, Kontak). "
        "Saves every row or none; exits with status 1 when rows were refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("event", type=int, help="The event's number (as in its URL).")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row but save nothing.")

    def handle(self, *args, event, file, dry_run, **options):
        found = Event.objects.select_related("cohort__province").filter(pk=event).first()
        if found is None:
            raise CommandError(f"Kegiatan {event} tidak ada.")
        try:
            if encoding_name(file):
                self.stdout.write(f"Berkas dibaca sebagai {encoding_name(file)}.")
            report = events.import_file(
                found,
                file,
                commit=not dry_run,
                on_error=lambda row, label, message: self.stdout.write(f"baris {row}: {label}: {message}"),
            )
        except (ImportFileError, ProgrammeError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        saved = "disimpan" if report.committed else "tidak disimpan"
        self.stdout.write(
            f"{report.total_rows} baris, {len(report.errors)} ditolak; {report.created} peserta baru ({saved})."
        )
        if report.errors:
            raise SystemExit(1)
