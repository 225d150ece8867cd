"""The third-party apps' sections of the admin, named in Mutu's languages (their labels stay). Apart
from core/apps.py, which must hold one AppConfig for Django to pick it."""

import axes.apps
import django_otp.plugins.otp_static.apps as otp_static
import django_otp.plugins.otp_totp.apps as otp_totp
import django_tasks_db.apps
from django.utils.translation import gettext_lazy


class Axes(axes.apps.AppConfig):
    verbose_name = gettext_lazy("Log-in lockouts")


class OtpTotp(otp_totp.DefaultConfig):
    verbose_name = gettext_lazy("Two-factor sign-in (authenticator apps)")


class OtpStatic(otp_static.DefaultConfig):
    verbose_name = gettext_lazy("Two-factor sign-in (recovery codes)")


class TasksDb(django_tasks_db.apps.TasksAppConfig):
    verbose_name = gettext_lazy("Background tasks")
