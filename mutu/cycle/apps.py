from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.cycle"
    label = "cycle"
    verbose_name = gettext_lazy("SPMI cycle")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers its menu entries and home section)
