from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.demo"
    label = "demo"
    verbose_name = gettext_lazy("Demo")
