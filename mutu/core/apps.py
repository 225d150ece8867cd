import axes.apps
import django_otp.plugins.otp_static.apps as otp_static
import django_otp.plugins.otp_totp.apps as otp_totp
from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Config(AppConfig):
    name = "mutu.core"
    label = "core"
    verbose_name = gettext_lazy("Audit")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from mutu.accounts.permissions import Perm

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .dashboard import register_menu

        register_menu(0, _("Home"), "home")
        register_menu(90, _("Audit log"), "audit_log", Perm.AUDIT_VIEW)


# The third-party apps' sections of the admin, named in Mutu's languages (their labels stay).
class Axes(axes.apps.AppConfig):
    verbose_name = gettext_lazy("Log-in lockouts")


class OtpTotp(otp_totp.DefaultConfig):
    verbose_name = gettext_lazy("Two-factor sign-in (authenticator apps)")


class OtpStatic(otp_static.DefaultConfig):
    verbose_name = gettext_lazy("Two-factor sign-in (recovery codes)")
