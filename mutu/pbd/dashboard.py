"""The Rapor Pendidikan in the menu, and the good practices waiting on the LPMP's home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from mutu.accounts.models import ROLE_SCOPE, Scope
from mutu.accounts.permissions import ROLE_PERMS, Perm
from mutu.core.dashboard import register_menu, register_section, todo

from .models import Practice
from .practices import candidates

register_menu(22, gettext_lazy("Rapor Pendidikan"), "pbd:home", Perm.RP_VIEW)


@register_section(35)
def practices_section(user, membership, section):
    """Good practices on the home: the reviewer's waiting ones; the school team's returned ones and
    the activities it could propose."""
    perms = ROLE_PERMS[membership.role]
    if Perm.PRACTICE_REVIEW in perms and ROLE_SCOPE[membership.role] in (Scope.NATIONAL, Scope.PROVINCE):
        waiting = Practice.objects.filter(state=Practice.State.PROPOSED)
        if membership.province_id:
            waiting = waiting.filter(school__province_id=membership.province_id)
        if count := waiting.count():
            section["todos"].append(
                todo(
                    ngettext(
                        "%(count)s good practice waits for review.", "%(count)s good practices wait for review.", count
                    )
                    % {"count": count},
                    reverse("pbd:practices") + "?status=proposed",
                )
            )
    if Perm.CYCLE_EDIT in perms and membership.school_id:
        school_url = reverse("pbd:school", args=[membership.school.npsn]) + "#practices"
        if returned := Practice.objects.filter(school=membership.school_id, state=Practice.State.RETURNED).count():
            text = ngettext(
                "%(count)s good practice was returned to be corrected.",
                "%(count)s good practices were returned to be corrected.",
                returned,
            )
            section["todos"].append(todo(text % {"count": returned}, school_url))
        if ready := len(candidates(membership.school)):
            text = ngettext(
                "%(count)s activity can be proposed as a good practice.",
                "%(count)s activities can be proposed as good practices.",
                ready,
            )
            section["todos"].append(todo(text % {"count": ready}, school_url))
