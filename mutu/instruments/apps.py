from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.instruments"
    label = "instruments"
