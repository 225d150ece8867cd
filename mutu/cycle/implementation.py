"""Implementation: each planned activity's status, dates, actual cost, people and evidence.

Editable while the pelaksanaan step is a draft or returned for revision. Progress rolls up to the
program and the plan: the share of activities done (cancelled ones left out) and of the budget
realised (actual costs against planned totals). The step can be submitted when no activity of the
cycle's year is still "not started" and every activity done has at least one piece of evidence.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutu.core import uploads
from mutu.core.services import record_audit

from .models import Activity, ActivityStatus, CycleDocument, Evidence, Step
from .services import CycleError, open_step, permitted

FIELDS = ["status", "started_on", "finished_on", "actual_cost", "people", "notes"]
EVIDENCE_KINDS = {"pdf", "image", "office"}


def implementation_document(cycle):
    return CycleDocument.objects.filter(cycle=cycle, step=Step.IMPLEMENTATION).first()


def _check(actor, cycle):
    open_step(
        actor,
        cycle,
        implementation_document(cycle),
        not_team=_("Only the school's own team records its implementation."),
        closed=_("The implementation can be changed only while its step is a draft or returned for revision."),
        after_earlier=True,  # implemented is what was planned and accepted
    )


def editable(user, cycle):
    return permitted(_check, user, cycle)


def _check_activity(actor, activity):
    """The activity's cycle, once the actor may record this activity in it (its own year only)."""
    cycle = activity.program.cycle
    _check(actor, cycle)
    if activity.year != cycle.year:
        raise CycleError(
            _("This activity belongs to %(year)s: record it in that year's cycle.") % {"year": activity.year}
        )
    return cycle


def activities(cycle):
    return Activity.objects.filter(program__cycle=cycle, year=cycle.year).select_related("program")


@transaction.atomic
def record(*, actor, activity, data):
    cycle = _check_activity(actor, activity)
    if data.get("started_on") and data.get("finished_on") and data["finished_on"] < data["started_on"]:
        raise CycleError(_("The activity cannot finish before it starts."))
    changes = {
        name: [str(getattr(activity, name)), str(data[name])]
        for name in FIELDS
        if getattr(activity, name) != data[name]
    }
    for name in FIELDS:
        setattr(activity, name, data[name])
    activity.save(update_fields=FIELDS)
    if changes:
        record_audit(
            actor=actor, action="cycle.activity.implement", obj=activity, changes=changes,
            province_id=cycle.school.province_id,
        )  # fmt: skip
    return activity


@transaction.atomic
def add_evidence(*, actor, activity, upload=None, link="", description=""):
    """Attach a file (its type read from its content: PDF, images, office documents) or a link."""
    cycle = _check_activity(actor, activity)
    if upload is None and not link:
        raise CycleError(_("Attach a file or give a link."))
    evidence = Evidence(activity=activity, link=link, description=description, uploaded_by=actor)
    if upload is not None:
        try:
            evidence.mime = uploads.check(upload, EVIDENCE_KINDS)
        except uploads.UploadRefused as exc:
            raise CycleError(str(exc)) from exc
        evidence.original_name, evidence.size = upload.name[:255], upload.size
        evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    record_audit(
        actor=actor, action="cycle.evidence.add", obj=evidence, changes={"activity": activity.name},
        province_id=cycle.school.province_id,
    )  # fmt: skip
    return evidence


@transaction.atomic
def remove_evidence(*, actor, evidence):
    """Take evidence out of the record; the row stays, with who removed it and when."""
    _check(actor, evidence.activity.program.cycle)
    if evidence.removed_at is None:
        evidence.removed_at, evidence.removed_by = timezone.now(), actor
        evidence.save(update_fields=["removed_at", "removed_by"])
        record_audit(
            actor=actor, action="cycle.evidence.remove", obj=evidence,
            province_id=evidence.activity.program.cycle.school.province_id,
        )  # fmt: skip


@dataclass
class Realisation:
    """How far one year's activities (of a program, or of the whole plan) are carried out."""

    activities: int
    done_count: int
    cancelled: int
    planned: Decimal  # Rp, cancelled activities left out
    spent: Decimal
    done: float | None  # share of the activities done, cancelled ones left out; None when none counts
    realised: float | None  # share of the planned budget spent; None without a planned budget


def realisation(rows, year):
    """The realisation of the activities of `year` among `rows`: the one computation the implementation
    and monev pages, the monev report (PDF, XLSX), the golden thread and the API read, so that one
    program has one set of numbers (activities of the plan's later years count in their own cycle)."""
    rows = [a for a in rows if a.year == year]
    counted = [a for a in rows if a.status != ActivityStatus.CANCELLED]
    planned = sum((a.total for a in counted), Decimal(0))
    spent = sum((a.actual_cost or Decimal(0) for a in counted), Decimal(0))
    done = sum(1 for a in counted if a.status == ActivityStatus.DONE)
    return Realisation(
        activities=len(rows),
        done_count=done,
        cancelled=len(rows) - len(counted),
        planned=planned,
        spent=spent,
        done=done / len(counted) if counted else None,
        realised=float(spent / planned) if counted and planned else None,
    )


def unfinished(document):
    if document.step != Step.IMPLEMENTATION:
        return []
    rows = list(activities(document.cycle).prefetch_related("evidence"))
    reasons = [
        _("The activity “%(name)s” is still “not started”: record its status.") % {"name": a.name}
        for a in rows
        if a.status == ActivityStatus.PLANNED
    ]
    reasons += [
        _("The activity “%(name)s” is done but has no evidence.") % {"name": a.name}
        for a in rows
        if a.status == ActivityStatus.DONE and not any(e.removed_at is None for e in a.evidence.all())
    ]
    return reasons
