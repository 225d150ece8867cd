"""Writes of the good-practice library (praktik baik).

A school proposes an activity of a cycle whose implementation was accepted, done, and planned against
a Rapor Pendidikan indicator that improved the next year; the story (problem, root cause, what was
done, cost, evidence, result) is copied from the plan into the proposal. An LPMP of the school's
province publishes it to the province or the nation, or returns it with a note; a returned practice
is corrected and proposed again; a published one can be withdrawn with a note. Every move is audited.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core.notifications import notify
from mutu.core.saving import Refused
from mutu.core.services import record_audit
from mutu.cycle.models import Activity, ActivityStatus, CycleDocument, State, Step
from mutu.cycle.services import may, team

from .effects import effects_by_school
from .models import Practice


class PracticeError(Refused):
    """The proposal or review is refused; the message says why, for people."""


def _accepted_implementation(cycle):
    """The cycle's accepted implementation document: `cycle` a SchoolCycle, or an OuterRef to one."""
    return CycleDocument.objects.filter(cycle=cycle, step=Step.IMPLEMENTATION, state=State.ACCEPTED)


def improved(activity, school_effects=None, accepted=None):
    """The Effect of the activity's improved Rapor Pendidikan indicator (the largest rise), or the reason
    it cannot be a good practice. `school_effects` (the school's) and `accepted` (whether the cycle's
    implementation was accepted): when the caller has them already."""
    cycle = activity.program.cycle
    if accepted is None:
        accepted = _accepted_implementation(cycle).exists()
    if not accepted:
        raise PracticeError(_("The cycle's implementation has not been accepted yet."))
    if activity.status != ActivityStatus.DONE:
        raise PracticeError(_("Only an activity that is done can be a good practice."))
    answered = {problem.pk for problem in activity.program.problems.all() if problem.indicator_id}
    if not answered:
        raise PracticeError(_("The activity does not answer a Rapor Pendidikan indicator."))
    if school_effects is None:
        school_effects = effects_by_school([cycle.school_id])[cycle.school_id]
    found = [e for e in school_effects if e.problem.pk in answered]
    rose = [e for e in found if e.change is not None and e.change > 0]
    if not rose:
        if all(e.after is None for e in found):
            raise PracticeError(_("The next year's Rapor Pendidikan of this indicator is not in Mutu yet."))
        raise PracticeError(_("The indicator did not improve the next year."))
    return max(rose, key=lambda e: e.change)


def candidates(school, school_effects=None):
    """[(activity, Effect)] of the school's activities that could be proposed now; `school_effects`:
    the school's, when the caller has them already."""
    found = []
    activities = (
        Activity.objects.filter(program__cycle__school=school, status=ActivityStatus.DONE)
        .filter(practice__isnull=True)  # a returned one is corrected from its own page
        .select_related("program__cycle")
        .prefetch_related("program__problems")
        .annotate(accepted=Exists(_accepted_implementation(OuterRef("program__cycle"))))
        .order_by("program__cycle__year", "pk")
    )
    if school_effects is None:
        school_effects = effects_by_school([school.pk])[school.pk]
    for activity in activities:
        try:
            found.append((activity, improved(activity, school_effects, activity.accepted)))
        except PracticeError:
            continue
    return found


def draft(activity, effect):
    """The proposal's fields as the plan tells the story; the school may word them before proposing."""
    problem = effect.problem
    evidence = activity.evidence.filter(removed_at__isnull=True)
    return {
        "title": activity.name,
        "problem_text": problem.problem or f"{problem.indicator.code} {problem.indicator.name}: {problem.capaian}",
        "root_cause": problem.root_cause,
        "action": activity.description or activity.name,
        "cost": activity.actual_cost,
        "result": _("%(code)s went from %(before)s to %(after)s.")
        % {
            "code": problem.indicator.code,
            "before": number_format(effect.before, 2),
            "after": number_format(effect.after, 2),
        },
        "evidence": list(evidence),
    }


def may_propose(user, school):
    return may(user, Perm.CYCLE_EDIT, school)


def may_review(user, practice):
    return area_for(user, Perm.PRACTICE_REVIEW).allows(practice.school.province_id, None, None)


@transaction.atomic
def propose(*, actor, activity, data):
    """Propose the activity (or propose a returned one again, with its new wording)."""
    activity = Activity.objects.select_for_update().select_related("program__cycle__school").get(pk=activity.pk)
    school = activity.program.cycle.school
    if not may_propose(actor, school):
        raise PracticeError(_("Only the school's own team proposes its good practices."))
    effect = improved(activity)
    evidence = [e for e in data["evidence"] if e.activity_id == activity.pk and e.removed_at is None]
    practice = Practice.objects.filter(activity=activity).first()
    if practice is not None and practice.state != Practice.State.RETURNED:
        raise PracticeError(
            _("This activity is already proposed (%(state)s).") % {"state": practice.get_state_display()}
        )
    practice = practice or Practice(activity=activity, school=school)
    fields = {key: data[key] for key in ("title", "problem_text", "root_cause", "action", "cost", "result")}
    for name, value in fields.items():
        setattr(practice, name, value)
    practice.problem, practice.indicator, practice.level = effect.problem, effect.problem.indicator, school.level
    practice.before, practice.after = effect.before, effect.after
    practice.propose(actor, timezone.now())
    practice.save()
    practice.evidence.set(evidence)
    record_audit(actor=actor, action="pbd.practice.propose", obj=practice, province_id=school.province_id)
    return practice


REVIEWS = {"publish": "publish", "return": "send_back", "withdraw": "withdraw"}


def _tell_school(practice, decision, note):
    """The school's team (and who proposed) hear of the review, with its note."""
    words = {
        "publish": _("The good practice “%(title)s” is published (%(reach)s)."),
        "return": _("The good practice “%(title)s” was returned: %(note)s"),
        "withdraw": _("The good practice “%(title)s” was withdrawn: %(note)s"),
    }
    text = words[decision] % {"title": practice.title, "reach": practice.get_reach_display(), "note": note}
    notify([*team(practice.school), practice.proposed_by], text, reverse("pbd:practice", args=[practice.pk]))


@transaction.atomic
def review(*, actor, practice, decision, note="", reach=""):
    """Publish (to the province or the nation), return to the school, or withdraw a published one."""
    practice = Practice.objects.select_for_update().select_related("school").get(pk=practice.pk)
    if not may_review(actor, practice):
        raise PracticeError(_("Only an LPMP of the school's province reviews its good practices."))
    move = getattr(practice, REVIEWS[decision])
    if not can_proceed(move):
        if decision == "withdraw":
            raise PracticeError(_("Only a published good practice can be withdrawn."))
        raise PracticeError(_("This good practice is %(state)s already.") % {"state": practice.get_state_display()})
    note = note.strip()
    if decision != "publish" and not note:
        raise PracticeError(_("Say what the school should know: the note is needed."))
    if decision == "publish":
        if reach not in Practice.Reach.values:
            raise PracticeError(_("Choose whether it is published to the province or the nation."))
        move(actor, timezone.now(), reach, note)
    else:
        move(actor, timezone.now(), note)
    practice.save()
    _tell_school(practice, decision, note)
    record_audit(
        actor=actor,
        action=f"pbd.practice.{decision}",
        obj=practice,
        changes={"note": note} | ({"reach": str(practice.get_reach_display())} if decision == "publish" else {}),
        province_id=practice.school.province_id,
    )
    return practice
