"""The cycle on the dashboard: its menu entry, and what waits on each role this year."""

from collections import Counter

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.permissions import Perm, has_perm
from mutu.accounts.scopes import area_of
from mutu.core.charts import NEUTRAL, OK, BarRow, Chart
from mutu.core.dashboard import register_menu, register_section, todo
from mutu.mapping.dashboard import CHART_ROLES
from mutu.schools.models import School

from .models import CycleDocument, SchoolCycle, State, Step
from .selectors import DONE, current_document

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
        section["todos"].append(
            todo(_("%(count)s cycle documents wait for review.") % {"count": waiting}, f"{home}&waiting=1")
        )
    if membership.role in CHART_ROLES:
        section["cycle_chart"] = steps_chart(membership, year)
        section["panels"].append("cycle/home/_steps_chart.html")


def steps_chart(membership, year):
    """Where the schools' cycles of `year` stand: how many schools are at each step, how many finished
    and how many did not start; each bar links to the cycle list of that step."""
    schools = School.objects.filter(area_of([membership]).school_q())
    cycles = SchoolCycle.objects.filter(school__in=schools, year=year).prefetch_related(
        Prefetch("documents", queryset=CycleDocument.objects.order_by("id"))
    )
    at = Counter()
    for cycle in cycles:
        document = current_document(cycle.documents.all(), cycle.entry_step)
        at[document.step if document else DONE] += 1
    total = schools.count()
    home = reverse("cycle:home")
    rows = [
        BarRow(
            label=str(label),
            value=at[step],
            total=total,
            url=f"{home}?year={year}&step={step}",
            text=_("%(count)s of %(total)s") % {"count": at[step], "total": total},
            color=OK if step == DONE else NEUTRAL,
        )
        for step, label in [*Step.choices, (DONE, _("cycle complete"))]
    ]
    not_started = total - sum(at.values())
    note = _("%(count)s schools have not started the cycle of %(year)s.") % {"count": not_started, "year": year}
    return Chart(title=_("SPMI cycle %(year)s: schools at each step") % {"year": year}, rows=rows, note=note)
