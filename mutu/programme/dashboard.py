"""The programme on the dashboard: its menu entry, and what waits on each role."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mutu.accounts.models import Role
from mutu.accounts.permissions import Perm, has_perm
from mutu.accounts.scopes import area_of
from mutu.core.charts import OK, BarRow, Chart
from mutu.core.dashboard import register_menu, register_section, todo
from mutu.mapping.dashboard import CHART_ROLES
from mutu.schools.models import School

from . import events, selectors, services
from .models import Cohort, ModelSchool, ModelSchoolStatus

register_menu(27, gettext_lazy("Model schools"), "programme:home", Perm.PROGRAMME_VIEW)


@register_section(40)
def programme_section(user, membership, section):
    if not has_perm(user, Perm.PROGRAMME_VIEW):
        return
    area = area_of([membership])
    if membership.role in CHART_ROLES:
        provinces = School.objects.filter(area.school_q()).values("province_id")
        cohort = selectors.cohorts_for(user).filter(province_id__in=provinces).order_by("-year", "-pk").first()
        if cohort is not None:
            section["programme_chart"] = coverage_chart(user, cohort)
            section["panels"].append("programme/home/_coverage_chart.html")
    if membership.role == "admin_lpmp" or area.national:
        candidates = ModelSchool.objects.filter(
            cohort__in=Cohort.objects.filter(area.province_q()), status=ModelSchoolStatus.CANDIDATE
        )
        waiting = candidates.count()
        if waiting and has_perm(user, Perm.PROGRAMME_MANAGE):
            cohorts = set(candidates.values_list("cohort_id", flat=True))
            url = (
                reverse("programme:cohort", args=[cohorts.pop()]) + "?status=calon"
                if len(cohorts) == 1
                else reverse("programme:home")
            )
            text = ngettext(
                "%(count)s model school candidate waits for designation.",
                "%(count)s model school candidates wait for designation.",
                waiting,
            )
            section["todos"].append(todo(text % {"count": waiting}, url))
        return
    if membership.role == Role.FASILITATOR:
        section["today"] = events.today_sessions(user)
        section["panels"].append("programme/home/_today.html")
    if membership.school_id:
        record = ModelSchool.objects.filter(school_id=membership.school_id, status=ModelSchoolStatus.DESIGNATED).first()
        if record:
            section["todos"].append(
                todo(
                    _("Your school is a model school of %(cohort)s.") % {"cohort": record.cohort.name},
                    reverse("programme:model_school", args=[record.cohort_id, record.pk]),
                )
            )


def coverage_chart(user, cohort):
    """The cohort's imbas coverage per kab/kota: imbas schools against the target of its designated
    model schools; each bar links to the kab/kota in the imbas network."""
    rows = services.coverage(cohort, selectors.model_schools_for(user, cohort), selectors.imbas_for(user, cohort))
    network = reverse("programme:network", args=[cohort.pk])
    bars = [
        BarRow(
            label=row["regency"].name,
            value=min(row["imbas"], row["models"] * cohort.imbas_target),
            total=row["models"] * cohort.imbas_target,
            url=f"{network}#regency-{row['regency'].pk}",
            text=_("%(imbas)s of %(target)s imbas")
            % {"imbas": row["imbas"], "target": row["models"] * cohort.imbas_target},
            color=OK,
        )
        for row in rows
        if row["models"]
    ]
    return Chart(
        title=_("%(cohort)s: imbas schools against the target, per kab/kota") % {"cohort": cohort.name}, rows=bars
    )
