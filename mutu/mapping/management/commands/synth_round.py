from django.core.management.base import BaseCommand, CommandError

from mutu.mapping.synth import synth_round
from mutu.regions.models import Province


class Command(BaseCommand):
    help = "Generate a realistic synthetic mapping round for one province (demos and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("province", help="Province code, e.g. 14 for Riau")
        parser.add_argument("--schools", type=int, help="Top the province up to this many schools")
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--not-sent", type=float, default=0.05, help="Share of schools that send nothing (tidak kirim)"
        )

    def handle(self, *args, province, schools, year, seed, not_sent, **options):
        target = Province.objects.filter(code=province).first()
        if target is None:
            raise CommandError(f"Provinsi {province} tidak ada.")
        if not 0 <= not_sent < 1:
            raise CommandError("--not-sent harus antara 0 dan 1.")
        round_ = synth_round(province=target, schools=schools, year=year, seed=seed, not_sent=not_sent)
        self.stdout.write(f"Putaran {round_.pk} dibuat: {round_.respondents.count()} responden.")
