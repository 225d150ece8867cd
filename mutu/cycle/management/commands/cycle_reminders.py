from django.core.management.base import BaseCommand

from mutu.cycle.services import send_reminders


class Command(BaseCommand):
    help = "Remind school teams of SPMI cycle documents due soon (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_reminders()} dokumen diingatkan.")
