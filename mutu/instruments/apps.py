from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.instruments"
    label = "instruments"
    verbose_name = gettext_lazy("Instruments")
