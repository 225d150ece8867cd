from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.accounts"
    label = "accounts"

    def ready(self):
        from . import views  # noqa: F401  (registers the failed-login counter)
