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
