from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mutu.mapping import selectors, services
from mutu.mapping.models import Round
from mutu.schools.models import School


class Command(BaseCommand):
    help = (
        "Recount the per-school progress of a mapping round from its respondent slots, and its counts per "
        "kab/kota (after manual repairs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="Round id")

    def handle(self, *args, round, **options):
        round_ = Round.objects.filter(pk=round).first()
        if round_ is None:
            raise CommandError(f"Putaran {round} tidak ada.")
        schools = School.objects.filter(province_id=round_.province_id) if round_.province_id else School.objects
        rows = list(schools.order_by("id").values_list("id", "level"))
        with transaction.atomic():
            services.refresh_progress(round_, rows, regions=False)
        services.refresh_region_progress(round_.pk)
        complete = selectors.region_progress(round_, schools.all())["complete"]
        self.stdout.write(f"Progres {len(rows)} sekolah dihitung ulang; {complete} sudah memenuhi kuota.")
