from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.mapping"
    label = "mapping"
    verbose_name = gettext_lazy("Quality mapping")

    def ready(self):
        from . import dashboard, rapor  # noqa: F401  (register menu entries, home section, documents, exports)
