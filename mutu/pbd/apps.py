from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.pbd"
    label = "pbd"
    verbose_name = gettext_lazy("Rapor Pendidikan")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers its menu entries)
        from .frameworks import load_shipped

        # The shipped indicator frameworks are data every installation needs, loaded once.
        post_migrate.connect(load_shipped, sender=self)
