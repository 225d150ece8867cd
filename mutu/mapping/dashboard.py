"""The mapping app on the dashboard: its menu entry and the open rounds' to-dos of each role."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.models import ROLE_SCOPE, Role, Scope
from mutu.accounts.permissions import Perm
from mutu.core import dates
from mutu.core.dashboard import register_menu, register_section, todo
from mutu.schools.models import School
from mutu.schools.selectors import membership_school_q

from .models import Milestone, Round, SchoolProgress

register_menu(20, gettext_lazy("Quality mapping"), "mapping:rounds", Perm.ROUND_VIEW)


@register_section(20)
def mapping_section(user, membership, section):
    section["todos"] += mapping_todos(
        membership, School.objects.filter(membership_school_q(membership)), membership.role
    )


def mapping_todos(membership, schools, role):
    """Open mapping rounds over these schools: respondents to collect, rapor to verify, progress to chase."""
    today = timezone.localdate()
    rounds = Round.objects.filter(opens_on__lte=today, closes_on__gte=today).filter(
        Q(province__isnull=True) | Q(province_id__in=schools.values("province_id"))
    )
    todos = []
    for round_ in rounds.order_by("closes_on")[:3]:
        progress = reverse("mapping:progress", args=[round_.pk])
        if ROLE_SCOPE[role] == Scope.SCHOOL:
            school = membership.school
            counters = SchoolProgress.objects.filter(round=round_, school=school).first()
            sent = counters.sent_in_quota if counters else 0
            quota = round_.quota_total(school.level)
            if sent < quota and role in (Role.KEPALA_SEKOLAH, Role.OPERATOR):
                todos.append(
                    todo(
                        _("%(round)s: %(sent)s of %(quota)s respondents have answered; it closes on %(date)s.")
                        % {
                            "round": round_.name,
                            "sent": sent,
                            "quota": quota,
                            "date": dates.shown(round_.closes_on),
                        },
                        reverse("mapping:respondents", args=[round_.pk, school.npsn]),
                    )
                )
            if Milestone.objects.filter(round=round_, school=school, step=Milestone.Step.SCORED).exists():
                todos.append(
                    todo(
                        _("%(round)s: the rapor mutu is ready.") % {"round": round_.name},
                        reverse("mapping:rapor", args=[round_.pk, school.npsn]),
                    )
                )
            continue
        in_round = schools.filter(province_id=round_.province_id) if round_.province_id else schools
        if role == Role.PENGAWAS:
            waiting = (
                Milestone.objects.filter(round=round_, step=Milestone.Step.SCORED, school__in=in_round)
                .exclude(
                    school__in=Milestone.objects.filter(round=round_, step=Milestone.Step.VERIFIED).values("school")
                )
                .count()
            )
            if waiting:
                todos.append(
                    todo(
                        _("%(round)s: %(count)s schools wait for your verification.")
                        % {"round": round_.name, "count": waiting},
                        reverse("mapping:verval_list", args=[round_.pk]),
                    )
                )
        total = in_round.count()
        complete = SchoolProgress.objects.filter(round=round_, complete=True, school__in=in_round).count()
        if total and complete < total:
            todos.append(
                todo(
                    _("%(round)s: %(complete)s of %(total)s schools have met their quota.")
                    % {"round": round_.name, "complete": complete, "total": total},
                    progress,
                )
            )
    return todos
