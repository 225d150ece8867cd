"""The mapping app on the dashboard: its menu entry and the open rounds' to-dos of each role."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.models import ROLE_SCOPE, Role, Scope
from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_of
from mutu.core import dates
from mutu.core.charts import OK, BarRow, Chart
from mutu.core.dashboard import register_menu, register_section, todo
from mutu.schools.models import School
from mutu.schools.selectors import membership_school_q

from . import selectors
from .models import Milestone, Round, SchoolProgress

register_menu(20, gettext_lazy("Quality mapping"), "mapping:rounds", Perm.ROUND_VIEW)


@register_section(20)
def mapping_section(user, membership, section):
    schools = School.objects.filter(membership_school_q(membership))
    section["todos"] += mapping_todos(membership, schools, membership.role)
    if membership.role in CHART_ROLES:
        round_ = open_rounds(schools).order_by("closes_on").first()
        if round_ is not None:
            section["round_chart"] = progress_chart(round_, schools, area_of([membership]))
            section["panels"].append("mapping/home/_progress_chart.html")


CHART_ROLES = {Role.ADMIN_LPMP, Role.DINAS, Role.PENGAWAS}  # whose homes show their region at a glance


def open_rounds(schools):
    today = timezone.localdate()
    return Round.objects.filter(opens_on__lte=today, closes_on__gte=today).filter(
        Q(province__isnull=True) | Q(province_id__in=schools.values("province_id"))
    )


def progress_chart(round_, schools, area):
    """The round's progress per kab/kota: schools that met their quota, of all; each bar links to the
    kab/kota's page of the round, which lists its schools."""
    in_round = schools.filter(province_id=round_.province_id) if round_.province_id else schools
    progress = selectors.region_progress(round_, in_round, area)
    rows = [
        BarRow(
            label=row["name"],
            value=row["complete"],
            total=row["schools"],
            url=reverse("mapping:region", args=[round_.pk, "regency", row["code"]]),
            text=_("%(complete)s of %(total)s") % {"complete": row["complete"], "total": row["schools"]},
            color=OK,
        )
        for row in sorted(progress["regencies"], key=lambda row: row["name"])
    ]
    return Chart(
        title=_("%(round)s: schools that met their quota, per kab/kota") % {"round": round_.name},
        rows=rows,
    )


def mapping_todos(membership, schools, role):
    """Open mapping rounds over these schools: respondents to collect, rapor to verify, progress to chase."""
    rounds = open_rounds(schools)
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
