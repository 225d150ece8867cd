from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.regions"
    label = "regions"
