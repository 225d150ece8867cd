from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.accounts"
    label = "accounts"
    verbose_name = gettext_lazy("Accounts")

    def ready(self):
        from . import two_factor, views  # noqa: F401  (register the failed-login counter, the sign-in hook)
