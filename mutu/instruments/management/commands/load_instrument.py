from django.core.management.base import BaseCommand, CommandError

from mutu.instruments import services
from mutu.regions.models import Province


class Command(BaseCommand):
    help = "Load an instrument from YAML (or the shipped sample with --default); prints every problem found."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--default", action="store_true", help='Load the shipped "SNP 2019 (contoh)".')
        parser.add_argument("--province", help="Code of the owning province (LPMP); national (pusat) without it.")
        parser.add_argument("--draft", action="store_true", help="Load as a draft, not usable by rounds yet.")

    def handle(self, *args, file=None, default=False, province=None, draft=False, **options):
        if not file and not default:
            raise CommandError("Sebutkan berkas instrumen atau --default.")
        owner = None
        if province:
            owner = Province.objects.filter(code=province).first()
            if owner is None:
                raise CommandError(f"Tidak ada provinsi dengan kode {province}.")
        try:
            doc = services.build_default_document() if default else services.read_document(file)
            version = services.load_instrument(doc, province=owner, publish=not draft)
        except services.InstrumentError as exc:
            for place, message in exc.problems:
                self.stdout.write(f"{place}: {message}")
            raise CommandError(f"{len(exc.problems)} masalah; instrumen tidak dimuat.") from exc
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Instrumen {version.code} dimuat: {version.nodes.count()} node.")
        for place, message in version.warnings:
            self.stdout.write(f"Perhatian — {place}: {message}")
