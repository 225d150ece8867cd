"""The cycle on the dashboard: its menu entry, and what waits on each role this year."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.permissions import Perm, has_perm
from mutu.accounts.scopes import area_of
from mutu.core.dashboard import register_menu, register_section, todo

from .models import CycleDocument, State

register_menu(25, gettext_lazy("SPMI cycle"), "cycle:home", Perm.CYCLE_VIEW)
register_menu(26, gettext_lazy("Visits"), "cycle:visits", Perm.CYCLE_REVIEW)


@register_section(30)
def cycle_section(user, membership, section):
    if not has_perm(user, Perm.CYCLE_VIEW):
        return
    year = timezone.localdate().year
    documents = CycleDocument.objects.filter(area_of([membership]).school_q(prefix="cycle__school__"), cycle__year=year)
    home = reverse("cycle:home") + f"?year={year}"
    if membership.school_id:
        returned = documents.filter(state=State.REVISION).count()
        if returned:
            section["todos"].append(todo(_("%(count)s cycle documents need revision.") % {"count": returned}, home))
        return
    waiting = documents.filter(state__in=[State.SUBMITTED, State.IN_REVIEW]).count()
    if waiting and has_perm(user, Perm.CYCLE_REVIEW):
        section["todos"].append(todo(_("%(count)s cycle documents wait for review.") % {"count": waiting}, home))
