"""Reads of SPMI cycles, scoped by the user."""

from django.db.models import Prefetch

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.schools.models import School

from .models import STEPS, CycleDocument, SchoolCycle, State

WAITING_FOR_REVIEW = (State.SUBMITTED, State.IN_REVIEW)
DONE = "selesai"  # where a cycle stands once every step is accepted (a filter value beside the steps)


def cycle_school(user, npsn):
    """The school if its cycle is in the user's view, else None."""
    return School.objects.filter(area_for(user, Perm.CYCLE_VIEW).school_q(), npsn=npsn).first()


def current_document(documents, entry_step):
    """The first document of the cycle's steps not accepted yet (None: the cycle is complete)."""
    by_step = {d.step: d for d in documents}
    for step in STEPS[STEPS.index(entry_step) :]:
        document = by_step.get(step)
        if document is not None and document.state != State.ACCEPTED:
            return document
    return None


def standing(row):
    """The step a queue row's cycle is at, or DONE."""
    return row["document"].step if row["document"] else DONE


def queue(user, year):
    """The cycles of `year` in the user's view, those waiting on the user's review first, then by the
    current document's due date; with the number of schools in view that have not started."""
    area = area_for(user, Perm.CYCLE_VIEW)
    cycles = (
        SchoolCycle.objects.filter(area.school_q(prefix="school__"), year=year)
        .select_related("school__regency")
        .prefetch_related(Prefetch("documents", queryset=CycleDocument.objects.order_by("id")))
    )
    reviewable = set(
        SchoolCycle.objects.filter(area_for(user, Perm.CYCLE_REVIEW).school_q(prefix="school__"), year=year)
        .filter(documents__state__in=WAITING_FOR_REVIEW)
        .values_list("pk", flat=True)
    )
    rows = []
    for cycle in cycles:
        document = current_document(cycle.documents.all(), cycle.entry_step)
        rows.append({"cycle": cycle, "document": document, "waiting_on_me": cycle.pk in reviewable})
    far = "9999-12-31"
    rows.sort(
        key=lambda row: (
            not row["waiting_on_me"],
            str(row["document"].due_on) if row["document"] and row["document"].due_on else far,
            row["cycle"].school.name,
        )
    )
    not_started = School.objects.filter(area.school_q()).exclude(cycles__year=year).count()
    return rows, not_started
