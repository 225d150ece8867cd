from django.core.management.base import BaseCommand, CommandError

from mutu.instruments import services
from mutu.instruments.models import InstrumentVersion


class Command(BaseCommand):
    help = "Write an instrument version to a YAML file that load_instrument reads back."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("file")

    def handle(self, *args, code, file, **options):
        version = InstrumentVersion.objects.filter(code=code).first()
        if version is None:
            raise CommandError(f"Instrumen {code} tidak ada.")
        services.write_document(services.export_instrument(version), file)
        self.stdout.write(f"Instrumen {code} ditulis ke {file}.")
