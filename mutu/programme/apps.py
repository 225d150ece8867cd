from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.programme"
    label = "programme"
    verbose_name = gettext_lazy("Model schools")

    def ready(self):
        from mutu.core.signals import results_changed

        from . import dashboard, documents, effect  # noqa: F401  (register menu entries, home section, documents)

        results_changed.connect(effect.results_changed, dispatch_uid="programme-effect")
