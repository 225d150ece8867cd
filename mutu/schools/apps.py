from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.schools"
    label = "schools"
    verbose_name = gettext_lazy("Schools")

    def ready(self):
        from . import dashboard, exporters  # noqa: F401  (register menu entries, home section, exports)
