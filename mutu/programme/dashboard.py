"""The programme on the dashboard: its menu entry, and what waits on each role."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.models import Role
from mutu.accounts.permissions import Perm, has_perm
from mutu.accounts.scopes import area_of
from mutu.core.dashboard import register_menu, register_section, todo

from . import events
from .models import Cohort, ModelSchool, ModelSchoolStatus

register_menu(27, gettext_lazy("Model schools"), "programme:home", Perm.PROGRAMME_VIEW)


@register_section(40)
def programme_section(user, membership, section):
    if not has_perm(user, Perm.PROGRAMME_VIEW):
        return
    area = area_of([membership])
    if membership.role == "admin_lpmp" or area.national:
        waiting = ModelSchool.objects.filter(
            cohort__in=Cohort.objects.filter(area.province_q()), status=ModelSchoolStatus.CANDIDATE
        ).count()
        if waiting and has_perm(user, Perm.PROGRAMME_MANAGE):
            section["todos"].append(
                todo(
                    _("%(count)s model school candidates wait for designation.") % {"count": waiting},
                    reverse("programme:home"),
                )
            )
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
