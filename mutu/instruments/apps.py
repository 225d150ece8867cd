from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.instruments"
    label = "instruments"

    def ready(self):
        from . import dashboard  # noqa: F401  (registers its menu entries and home section)
