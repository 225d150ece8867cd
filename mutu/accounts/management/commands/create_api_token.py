from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mutu.accounts.models import User
from mutu.accounts.tokens import create_token


class Command(BaseCommand):
    help = "Create an API token for a user; it reads the API with that user's scopes. Printed once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'dashboard dinas'")
        parser.add_argument("--days", type=int, help="Days until it ends (default and most: MUTU_API_TOKEN_DAYS).")

    def handle(self, *args, username, name, days=None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username} tidak ada.")
        if days is not None and not 1 <= days <= settings.MUTU_API_TOKEN_DAYS:
            raise CommandError(f"--days harus antara 1 dan {settings.MUTU_API_TOKEN_DAYS}.")
        self.stdout.write(create_token(user=user, name=name, days=days))
