from django.conf import settings
from django.core.management.base import BaseCommand

from mutu.core import documents


class Command(BaseCommand):
    help = "Remove the files of drawn documents older than MUTU_DOCUMENT_DAYS (run once a day)."

    def handle(self, *args, **options):
        removed = documents.prune()
        self.stdout.write(f"{removed} dokumen lebih dari {settings.MUTU_DOCUMENT_DAYS} hari dihapus.")
