from django.core.management.base import BaseCommand

from mutu.mapping import services


class Command(BaseCommand):
    help = (
        "Queue again the provinces whose worker died while scoring them (run every minute by "
        "mutu-recover.timer; the round page does the same when it is opened)."
    )

    def handle(self, *args, **options):
        found = services.recover_parts()
        if found:
            self.stdout.write(f"{found} provinsi diantrekan ulang: pekerjanya berhenti di tengah penilaian.")
