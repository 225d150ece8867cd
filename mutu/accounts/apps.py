from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.accounts"
    label = "accounts"

    def ready(self):
        from . import two_factor, views  # noqa: F401  (register the failed-login counter, the sign-in hook)
