from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.programme"
    label = "programme"

    def ready(self):
        from . import dashboard  # noqa: F401  (registers its menu entries and home section)
