from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.schools"
    label = "schools"
