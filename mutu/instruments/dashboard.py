"""The instruments app on the dashboard: its menu entry."""

from django.utils.translation import gettext_lazy

from mutu.accounts.permissions import Perm
from mutu.core.dashboard import register_menu

register_menu(30, gettext_lazy("Instruments"), "instruments:list", Perm.ROUND_MANAGE)
