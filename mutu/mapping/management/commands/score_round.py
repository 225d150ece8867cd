import time

from django.core.management.base import BaseCommand, CommandError

from mutu.mapping import scoring
from mutu.mapping.models import Round


class Command(BaseCommand):
    help = "Score every school of a mapping round and rebuild its regional aggregates."

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="Round id")

    def handle(self, *args, round, **options):
        if not Round.objects.filter(pk=round).exists():
            raise CommandError(f"Putaran {round} tidak ada.")
        start = time.perf_counter()
        try:
            scored = scoring.score_round(round)
        except scoring.ScoringError as error:
            raise CommandError(
                f"Penghitungan berhenti; provinsi yang sudah selesai tersimpan, jalankan lagi setelah penyebabnya "
                f"diperbaiki.\n{error}"
            ) from error
        self.stdout.write(f"{scored} rapor sekolah dihitung dalam {time.perf_counter() - start:.2f} detik.")
