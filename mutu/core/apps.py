from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.core"
    label = "core"
    verbose_name = "Mutu"
