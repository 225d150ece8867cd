from django.apps import AppConfig


class Config(AppConfig):
    name = "mutu.accounts"
    label = "accounts"
