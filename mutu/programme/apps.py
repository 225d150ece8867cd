from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.programme"
    label = "programme"

    def ready(self):
        from . import dashboard, documents  # noqa: F401  (register menu entries, home section, documents)
