from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.regions"
    label = "regions"
    verbose_name = gettext_lazy("Regions")
