from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.mapping"
    label = "mapping"
