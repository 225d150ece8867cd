from django.core.management.base import BaseCommand, CommandError

from mutu.mapping.external import import_external_values
from mutu.mapping.models import Round
from mutu.schools.importing import ImportFileError


class Command(BaseCommand):
    help = "Load outside data (NPSN;Kode;Nilai 0–7) for a round's external sub-indicators. Exit 1 on rejected rows."

    def add_arguments(self, parser):
        parser.add_argument("round", type=int)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, round, file, dry_run, **options):
        round_ = Round.objects.filter(pk=round).first()
        if round_ is None:
            raise CommandError(f"Putaran {round} tidak ada.")
        try:
            saved, errors = import_external_values(
                round_,
                file,
                commit=not dry_run,
                on_error=lambda row, message: self.stdout.write(f"baris {row}: {message}"),
            )
        except (ImportFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{saved} nilai {'diperiksa' if dry_run else 'disimpan'}, {len(errors)} baris ditolak.")
        if errors:
            raise SystemExit(1)
