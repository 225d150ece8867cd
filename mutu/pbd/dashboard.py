"""The Rapor Pendidikan in the menu, and the good practices waiting on the LPMP's home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from mutu.accounts.permissions import ROLE_PERMS, Perm
from mutu.core.dashboard import register_menu, register_section, todo

from .models import Practice

register_menu(22, gettext_lazy("Rapor Pendidikan"), "pbd:home", Perm.RP_VIEW)


@register_section(35)
def practices_section(user, membership, section):
    """The LPMP's to-do: the good practices its province's schools proposed."""
    if Perm.PRACTICE_REVIEW not in ROLE_PERMS[membership.role] or not membership.province_id:
        return
    waiting = Practice.objects.filter(state=Practice.State.PROPOSED, school__province_id=membership.province_id)
    count = waiting.count()
    if count:
        url = reverse("pbd:practices") + "?status=proposed"
        section["todos"].append(
            todo(
                ngettext(
                    "%(count)s good practice waits for review.", "%(count)s good practices wait for review.", count
                )
                % {"count": count},
                url,
            )
        )
