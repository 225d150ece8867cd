from django.core.management.base import BaseCommand, CommandError

from mutu.accounts.models import User
from mutu.accounts.tokens import create_token


class Command(BaseCommand):
    help = "Create an API token for a user; it reads the API with that user's scopes. Printed once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'dashboard dinas'")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username} tidak ada.")
        self.stdout.write(create_token(user=user, name=name))
