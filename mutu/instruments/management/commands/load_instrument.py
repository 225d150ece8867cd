from django.core.management.base import BaseCommand, CommandError

from mutu.instruments import services


class Command(BaseCommand):
    help = "Load an instrument from YAML (or the shipped sample with --default); prints every problem found."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--default", action="store_true", help='Load the shipped "SNP 2019 (contoh)".')

    def handle(self, *args, file=None, default=False, **options):
        if not file and not default:
            raise CommandError("Sebutkan berkas instrumen atau --default.")
        try:
            doc = services.build_default_document() if default else services.read_document(file)
            version = services.load_instrument(doc)
        except services.InstrumentError as exc:
            for place, message in exc.problems:
                self.stdout.write(f"{place}: {message}")
            raise CommandError(f"{len(exc.problems)} masalah; instrumen tidak dimuat.") from exc
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Instrumen {version.code} dimuat: {version.nodes.count()} node.")
        for place, message in services.validation_warnings(doc):
            self.stdout.write(f"Perhatian — {place}: {message}")
