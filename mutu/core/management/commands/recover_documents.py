from django.core.management.base import BaseCommand

from mutu.core import documents


class Command(BaseCommand):
    help = (
        "Queue again the documents whose worker died while drawing them (run every minute by "
        "mutu-recover.timer; a document's page does the same when it is opened)."
    )

    def handle(self, *args, **options):
        found = documents.recover()
        if found:
            self.stdout.write(f"{found} dokumen diantrekan ulang: pekerjanya berhenti di tengah pembuatan.")
