"""The schools app on the dashboard: its menu entries, each role's school figures and to-dos."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.models import ROLE_SCOPE, Role, Scope
from mutu.accounts.permissions import Perm
from mutu.core import dates
from mutu.core.dashboard import register_menu, register_section, todo
from mutu.regions.models import Province

from .models import School, SchoolImport
from .selectors import INCOMPLETE, membership_school_q, school_summary

# Importing is an action of the school list (its "Import" button) and of the home's to-dos, as the
# Rapor Pendidikan's import is of its pages and the instruments of the mapping's: the top navigation
# keeps one line at 1280 px.
register_menu(10, gettext_lazy("Schools"), "schools:list", Perm.SCHOOL_VIEW)


def missing_profile_fields(school):
    checks = [
        (_("principal"), school.principal_name),
        (_("accreditation"), school.accreditation),
        (_("address"), school.address),
        (_("coordinates"), school.latitude is not None and school.longitude is not None),
    ]
    return [label for label, present in checks if not present]


@register_section(10)
def school_section(user, membership, section):
    """The schools of the membership in numbers, and what is missing from them."""
    role = membership.role
    schools = School.objects.filter(membership_school_q(membership))
    list_url = reverse("schools:list")
    if ROLE_SCOPE[role] == Scope.SCHOOL:
        school = membership.school
        section["school"] = school
        missing = missing_profile_fields(school)
        if missing and role in (Role.KEPALA_SEKOLAH, Role.OPERATOR):
            section["todos"].append(
                todo(
                    _("Complete the school profile: %(fields)s are missing.") % {"fields": ", ".join(missing)},
                    reverse("schools:edit", args=[school.npsn]),
                )
            )
        section["missing"] = missing
        return
    summary = school_summary(schools)
    section["summary"] = summary
    if ROLE_SCOPE[role] == Scope.ASSIGNED:
        section["schools"] = list(
            schools.select_related("district", "regency")
            .annotate(incomplete=Count("id", filter=INCOMPLETE))
            .order_by("name")[:50]
        )
        if not summary["total"]:
            section["todos"].append(todo(_("No school is assigned to you yet: ask your LPMP admin.")))
        if membership.valid_to:
            days = (membership.valid_to - timezone.localdate()).days
            if days <= 60:
                section["todos"].append(
                    todo(
                        _("Your assignment ends in %(days)s days (%(date)s).")
                        % {"days": days, "date": dates.shown(membership.valid_to)}
                    )
                )
    if summary["incomplete"]:
        section["todos"].append(
            todo(
                _("%(count)s schools have an incomplete profile.") % {"count": intcomma(summary["incomplete"])},
                f"{list_url}?incomplete=on",
            )
        )
    if role == Role.ADMIN_PUSAT:
        section["provinces_without_schools"] = list(
            Province.objects.annotate(n=Count("schools")).filter(n=0).values_list("name", flat=True)
        )
        if section["provinces_without_schools"]:
            section["todos"].append(
                todo(
                    _("%(count)s provinces have no school data yet: import a Dapodik export.")
                    % {"count": len(section["provinces_without_schools"])},
                    reverse("schools:import"),
                )
            )
    if role in (Role.ADMIN_PUSAT, Role.ADMIN_LPMP, Role.DINAS):
        section["per_regency"] = list(
            schools.values("regency_id", "regency__name")
            .annotate(total=Count("id"), incomplete=Count("id", filter=INCOMPLETE))
            .order_by("regency__name")[:60]
        )
        pending = SchoolImport.objects.filter(
            uploaded_by=user, state__in=[SchoolImport.State.UPLOADED, SchoolImport.State.VALIDATED]
        ).count()
        if pending:
            section["todos"].append(
                todo(
                    _("%(count)s school imports are waiting for you to finish them.") % {"count": pending},
                    reverse("schools:import"),
                )
            )
        if not summary["total"]:
            section["todos"].append(
                todo(_("No school in your area yet: import a Dapodik export."), reverse("schools:import"))
            )
    # The jenjang the scope holds (a Dinas kab/kota has no SMA): no box that is always 0.
    levels = ("SD", "SMP", "SMA", "SMK", "SLB")
    section["levels"] = [(level, summary[f"level_{level}"]) for level in levels if summary[f"level_{level}"]]
