"""The Rapor Pendidikan in the menu."""

from django.utils.translation import gettext_lazy

from mutu.accounts.permissions import Perm
from mutu.core.dashboard import register_menu

register_menu(22, gettext_lazy("Rapor Pendidikan"), "pbd:home", Perm.RP_VIEW)
