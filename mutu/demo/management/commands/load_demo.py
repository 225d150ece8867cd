from django.core.management.base import BaseCommand

from mutu.demo.services import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the Riau demo (regions, schools, one persona per role). Safe to run again."

    def handle(self, *args, **options):
        table, code = load_demo()
        width = max(len(row[0]) for row in table)
        role_width = max(len(row[1]) for row in table)
        self.stdout.write(f"\nAkun demo (kata sandi untuk semua: {DEMO_PASSWORD})\n")
        self.stdout.write(f"{'username'.ljust(width)}  {'peran'.ljust(role_width)}  cakupan")
        for username, role, scope in table:
            self.stdout.write(f"{username.ljust(width)}  {role.ljust(role_width)}  {scope}")
        self.stdout.write(f"\nKode responden untuk mencoba kuesioner di /r/ (seorang guru, belum mengisi): {code}\n")
