from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.demo"
    label = "demo"
