"""Pengawas monitoring visits with their follow-ups, and what is behind schedule in a region."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core.notifications import notify
from mutu.core.services import record_audit
from mutu.schools.models import School

from .models import CycleDocument, State, Visit
from .services import CycleError, may, team


def visits_for(user):
    """Visits to schools in the user's view."""
    area = area_for(user, Perm.CYCLE_VIEW)
    ids = Visit.objects.filter(area.school_q(prefix="schools__")).values("pk")
    return Visit.objects.filter(pk__in=ids).select_related("pengawas").prefetch_related("schools")


def reviewable_schools(user):
    return School.objects.filter(area_for(user, Perm.CYCLE_REVIEW).school_q()).order_by("name")


@transaction.atomic
def record_visit(*, actor, data):
    schools = list(data["schools"])
    allowed = set(reviewable_schools(actor).filter(pk__in=[s.pk for s in schools]).values_list("pk", flat=True))
    if not schools or len(allowed) != len(schools):
        raise CycleError(_("A visit is recorded for schools you supervise."))
    if data.get("follow_up_due") and data["follow_up_due"] < data["visited_on"]:
        raise CycleError(_("The follow-up cannot be due before the visit."))
    visit = Visit.objects.create(
        pengawas=actor,
        visited_on=data["visited_on"],
        findings=data["findings"],
        recommendations=data["recommendations"],
        follow_up_due=data.get("follow_up_due"),
    )
    visit.schools.set(schools)
    record_audit(actor=actor, action="cycle.visit", obj=visit, changes={"schools": len(schools)})
    for school in schools:
        notify(
            team(school),
            _("%(who)s recorded a monitoring visit to %(school)s.") % {"who": actor, "school": school.name},
            reverse("cycle:visits"),
        )
    return visit


@transaction.atomic
def close_follow_up(*, actor, visit, note):
    """The visited school's team (or the pengawas) records the follow-up as done, with its evidence."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not (visit.pengawas == actor or any(may(actor, Perm.CYCLE_EDIT, school) for school in visit.schools.all())):
        raise CycleError(_("Only the visited school's team or its pengawas closes the follow-up."))
    note = note.strip()
    if not note:
        raise CycleError(_("Say what was done and where its evidence is."))
    if visit.follow_up != Visit.FollowUp.DONE:
        visit.follow_up, visit.follow_up_note = Visit.FollowUp.DONE, note
        visit.save(update_fields=["follow_up", "follow_up_note"])
        record_audit(actor=actor, action="cycle.follow_up", obj=visit)
        notify([visit.pengawas], _("A follow-up of your visit of %(date)s is done.") % {
            "date": visit.visited_on.strftime("%d-%m-%Y")}, reverse("cycle:visits"))  # fmt: skip
    return visit


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
    follow_ups = Visit.schools.through.objects.filter(
        area.school_q(prefix="school__"),
        visit__follow_up=Visit.FollowUp.OPEN,
        visit__follow_up_due__lt=today,
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
    return late.count(), follow_ups.values("visit_id").distinct().count()


def behind_schools(user, year):
    """The schools behind schedule in the user's view, the most behind first: for each, its late steps
    (with their due dates) and its overdue follow-ups (with the earliest deadline). Two queries."""
    late, follow_ups = _overdue(user, year)
    rows = {}

    def row(school):
        return rows.setdefault(school.pk, {"school": school, "late": [], "follow_ups": 0, "oldest": None})

    for document in late.select_related("cycle__school__regency").order_by("due_on"):
        row(document.cycle.school)["late"].append(document)
    for link in follow_ups.select_related("school__regency", "visit"):
        entry = row(link.school)
        entry["follow_ups"] += 1
        due = link.visit.follow_up_due
        entry["oldest"] = min(due, entry["oldest"]) if entry["oldest"] else due
    return sorted(rows.values(), key=lambda r: (-(len(r["late"]) + r["follow_ups"]), r["school"].name))
