"""Pengawas monitoring visits with their follow-ups, and what is behind schedule in a region."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core import dates
from mutu.core.notifications import notify
from mutu.core.services import record_audit
from mutu.schools.models import School

from .models import CycleDocument, State, Visit, VisitSchool
from .services import CycleError, may, team


def reports_for(user):
    """The school reports of visits (one per school visited) in the user's view: a joint visit shows
    each user only the schools they may see."""
    area = area_for(user, Perm.CYCLE_VIEW)
    return VisitSchool.objects.filter(area.school_q(prefix="school__"))


def visits_for(user):
    """Visits to schools in the user's view, each with the reports of the schools the user sees."""
    from django.db.models import Prefetch

    reports = reports_for(user)
    return (
        Visit.objects.filter(pk__in=reports.values("visit_id"))
        .select_related("pengawas")
        .prefetch_related(Prefetch("reports", queryset=reports.select_related("school", "closed_by")))
    )


def reviewable_schools(user):
    return School.objects.filter(area_for(user, Perm.CYCLE_REVIEW).school_q()).order_by("name")


@transaction.atomic
def record_visit(*, actor, data, reports):
    """A visit with one report per school: `reports` is [(school, findings, recommendations)]."""
    schools = [school for school, _findings, _recommendations in reports]
    allowed = set(reviewable_schools(actor).filter(pk__in=[s.pk for s in schools]).values_list("pk", flat=True))
    if not schools or len(allowed) != len(schools) or len(set(schools)) != len(schools):
        raise CycleError(_("A visit is recorded for schools you supervise."))
    if data.get("follow_up_due") and data["follow_up_due"] < data["visited_on"]:
        raise CycleError(_("The follow-up cannot be due before the visit."))
    for school, findings, recommendations in reports:
        if not findings.strip() or not recommendations.strip():
            raise CycleError(_("Write the findings and recommendations for %(school)s.") % {"school": school.name})
    visit = Visit.objects.create(pengawas=actor, visited_on=data["visited_on"])
    VisitSchool.objects.bulk_create(
        VisitSchool(
            visit=visit,
            school=school,
            findings=findings.strip(),
            recommendations=recommendations.strip(),
            follow_up_due=data.get("follow_up_due"),
        )
        for school, findings, recommendations in reports
    )
    record_audit(actor=actor, action="cycle.visit", obj=visit, changes={"schools": len(schools)})
    for school in schools:
        notify(
            team(school),
            _("%(who)s recorded a monitoring visit to %(school)s.") % {"who": actor, "school": school.name},
            reverse("cycle:visits"),
        )
    return visit


@transaction.atomic
def close_follow_up(*, actor, report, note):
    """One visited school's team (or the pengawas) records its follow-up as done, with its evidence;
    the other schools of a joint visit keep theirs."""
    report = VisitSchool.objects.select_for_update().select_related("visit__pengawas", "school").get(pk=report.pk)
    visit = report.visit
    if not (visit.pengawas == actor or may(actor, Perm.CYCLE_EDIT, report.school)):
        raise CycleError(_("Only the visited school's team or its pengawas closes the follow-up."))
    note = note.strip()
    if not note:
        raise CycleError(_("Say what was done and where its evidence is."))
    if report.follow_up != VisitSchool.FollowUp.DONE:
        report.follow_up, report.follow_up_note = VisitSchool.FollowUp.DONE, note
        report.closed_by, report.closed_at = actor, timezone.now()
        report.save(update_fields=["follow_up", "follow_up_note", "closed_by", "closed_at"])
        record_audit(actor=actor, action="cycle.follow_up", obj=visit, changes={"school": report.school.name})
        notify([visit.pengawas], _("%(school)s closed the follow-up of your visit of %(date)s.") % {
            "school": report.school.name, "date": dates.shown(visit.visited_on)},
            reverse("cycle:visits"))  # fmt: skip
    return report


def _overdue(user, year):
    """(late documents, overdue follow-up links visit ↔ school) in the user's view: querysets."""
    today = timezone.localdate()
    area = area_for(user, Perm.CYCLE_VIEW)
    late = CycleDocument.objects.filter(
        area.school_q(prefix="cycle__school__"),
        cycle__year=year,
        due_on__lt=today,
        state__in=[State.DRAFT, State.REVISION],
    )
    follow_ups = VisitSchool.objects.filter(
        area.school_q(prefix="school__"),
        follow_up=VisitSchool.FollowUp.OPEN,
        follow_up_due__lt=today,
    )
    return late, follow_ups


def deadlines_set(user, year):
    """Whether any document of the year in the user's view has a due date (else nothing can be late)."""
    area = area_for(user, Perm.CYCLE_VIEW)
    return CycleDocument.objects.filter(
        area.school_q(prefix="cycle__school__"), cycle__year=year, due_on__isnull=False
    ).exists()


def behind(user, year):
    """(documents past their due date and not submitted, open follow-ups past theirs) in the user's view."""
    late, follow_ups = _overdue(user, year)
    return late.count(), follow_ups.count()


def behind_schools(user, year):
    """The schools behind schedule in the user's view, the most behind first: for each, its late steps
    (with their due dates) and its overdue follow-ups (with the earliest deadline). Two queries."""
    late, follow_ups = _overdue(user, year)
    rows = {}

    def row(school):
        return rows.setdefault(school.pk, {"school": school, "late": [], "follow_ups": 0, "oldest": None})

    for document in late.select_related("cycle__school__regency").order_by("due_on"):
        row(document.cycle.school)["late"].append(document)
    for link in follow_ups.select_related("school__regency"):
        entry = row(link.school)
        entry["follow_ups"] += 1
        due = link.follow_up_due
        entry["oldest"] = min(due, entry["oldest"]) if entry["oldest"] else due
    return sorted(rows.values(), key=lambda r: (-(len(r["late"]) + r["follow_ups"]), r["school"].name))
