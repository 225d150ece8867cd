"""What each role sees first: its scope in numbers and the next things to do."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutu.accounts.models import ROLE_SCOPE, Role, Scope
from mutu.regions.models import Province
from mutu.schools.models import School, SchoolImport
from mutu.schools.selectors import INCOMPLETE, membership_school_q, school_summary


def _todo(text, url=None):
    return {"text": text, "url": url}


def missing_profile_fields(school):
    checks = [
        (_("principal"), school.principal_name),
        (_("accreditation"), school.accreditation),
        (_("address"), school.address),
        (_("coordinates"), school.latitude is not None and school.longitude is not None),
    ]
    return [label for label, present in checks if not present]


def mapping_todos(membership, schools, role):
    """Open mapping rounds over these schools: respondents to collect, rapor to verify, progress to chase."""
    from mutu.mapping.models import Milestone, Round, SchoolProgress

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
                    _todo(
                        _("%(round)s: %(sent)s of %(quota)s respondents have answered; it closes on %(date)s.")
                        % {
                            "round": round_.name,
                            "sent": sent,
                            "quota": quota,
                            "date": round_.closes_on.strftime("%d-%m-%Y"),
                        },
                        reverse("mapping:respondents", args=[round_.pk, school.npsn]),
                    )
                )
            if Milestone.objects.filter(round=round_, school=school, step=Milestone.Step.SCORED).exists():
                todos.append(
                    _todo(
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
                    _todo(
                        _("%(round)s: %(count)s schools wait for your verification.")
                        % {"round": round_.name, "count": waiting},
                        reverse("mapping:verval_list", args=[round_.pk]),
                    )
                )
        total = in_round.count()
        complete = SchoolProgress.objects.filter(round=round_, complete=True, school__in=in_round).count()
        if total and complete < total:
            todos.append(
                _todo(
                    _("%(round)s: %(complete)s of %(total)s schools have met their quota.")
                    % {"round": round_.name, "complete": complete, "total": total},
                    progress,
                )
            )
    return todos


def section_for(user, membership):
    """Context for one membership's block on the home page."""
    role = membership.role
    schools = School.objects.filter(membership_school_q(membership))
    section = {"membership": membership, "template": f"core/home/{ROLE_SCOPE[role]}.html", "todos": []}
    list_url = reverse("schools:list")
    if ROLE_SCOPE[role] == Scope.SCHOOL:
        school = membership.school
        section["school"] = school
        missing = missing_profile_fields(school)
        if missing and role in (Role.KEPALA_SEKOLAH, Role.OPERATOR):
            section["todos"].append(
                _todo(
                    _("Complete the school profile: %(fields)s are missing.") % {"fields": ", ".join(missing)},
                    reverse("schools:edit", args=[school.npsn]),
                )
            )
        section["missing"] = missing
        section["todos"] += mapping_todos(membership, schools, role)
        return section
    summary = school_summary(schools)
    section["summary"] = summary
    if ROLE_SCOPE[role] == Scope.ASSIGNED:
        section["schools"] = list(
            schools.select_related("district", "regency")
            .annotate(incomplete=Count("id", filter=INCOMPLETE))
            .order_by("name")[:50]
        )
        if not summary["total"]:
            section["todos"].append(_todo(_("No school is assigned to you yet: ask your LPMP admin.")))
        if membership.valid_to:
            days = (membership.valid_to - timezone.localdate()).days
            if days <= 60:
                section["todos"].append(
                    _todo(
                        _("Your assignment ends in %(days)s days (%(date)s).")
                        % {"days": days, "date": membership.valid_to.strftime("%d-%m-%Y")}
                    )
                )
    if summary["incomplete"]:
        section["todos"].append(
            _todo(
                _("%(count)s schools have an incomplete profile.") % {"count": summary["incomplete"]},
                f"{list_url}?incomplete=on",
            )
        )
    if role == Role.ADMIN_PUSAT:
        section["provinces_without_schools"] = list(
            Province.objects.annotate(n=Count("schools")).filter(n=0).values_list("name", flat=True)
        )
        if section["provinces_without_schools"]:
            section["todos"].append(
                _todo(
                    _("%(count)s provinces have no school data yet: import a Dapodik export.")
                    % {"count": len(section["provinces_without_schools"])},
                    reverse("schools:import"),
                )
            )
    if role in (Role.ADMIN_PUSAT, Role.ADMIN_LPMP, Role.DINAS):
        section["per_regency"] = list(
            schools.values("regency__name")
            .annotate(total=Count("id"), incomplete=Count("id", filter=INCOMPLETE))
            .order_by("regency__name")[:60]
        )
        pending = SchoolImport.objects.filter(
            uploaded_by=user, state__in=[SchoolImport.State.UPLOADED, SchoolImport.State.VALIDATED]
        ).count()
        if pending:
            section["todos"].append(
                _todo(
                    _("%(count)s school imports are waiting for you to finish them.") % {"count": pending},
                    reverse("schools:import"),
                )
            )
        if not summary["total"]:
            section["todos"].append(
                _todo(_("No school in your area yet: import a Dapodik export."), reverse("schools:import"))
            )
    section["todos"] += mapping_todos(membership, schools, role)
    section["levels"] = [(level, summary[f"level_{level}"]) for level in ("SD", "SMP", "SMA", "SMK", "SLB")]
    return section
