from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.programme"
    label = "programme"
    verbose_name = gettext_lazy("Model schools")

    def ready(self):
        from . import dashboard, documents  # noqa: F401  (register menu entries, home section, documents)
