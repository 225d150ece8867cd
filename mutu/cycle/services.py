"""Every write to a school's SPMI cycle: starting it, moving its documents, commenting, reminders."""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from mutu.accounts.models import Membership, Role
from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core import dates
from mutu.core.notifications import notify
from mutu.core.saving import Refused
from mutu.core.services import record_audit

from .models import STEPS, Comment, CycleDocument, CycleSetting, SchoolCycle, State, Step, Transition

# move name → (permission over the school, whether a comment is required)
MOVES = {
    "submit": (Perm.CYCLE_EDIT, False),
    "take": (Perm.CYCLE_REVIEW, False),
    "accept": (Perm.CYCLE_REVIEW, False),
    "send_back": (Perm.CYCLE_REVIEW, True),
    "withdraw": (Perm.CYCLE_EDIT, True),
}


class CycleError(Refused):
    """The move or write is refused; the message says why, for people."""


def may(user, perm, school):
    """Whether the user's memberships granting `perm` cover this school."""
    return school.__class__.objects.filter(area_for(user, perm).school_q(), pk=school.pk).exists()


def _due(setting, step, year):
    month_day = (setting.due_dates if setting else {}).get(step)
    if not month_day:
        return None
    month, day = (int(part) for part in month_day.split("-"))
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28  # a due date of 29 February falls on the 28th in common years
    return date(year, month, day)


def school_years(today):
    """The years a cycle can be started for: the current school year (it starts in July; a cycle is
    named by the year its school year starts) and the next one."""
    current = today.year if today.month >= 7 else today.year - 1
    return [current, current + 1]


def start_cycle(*, actor, school, year, today=None):
    """The school's cycle of `year`, created with its documents if it does not exist (a second click
    finds it). Starts at the province's entry step, with its due dates. Only the current or the next
    school year can be started (`today`: the date that decides it, today by default)."""
    if not may(actor, Perm.CYCLE_EDIT, school):
        raise CycleError(_("Only the school's own team starts its cycle."))
    existing = SchoolCycle.objects.filter(school=school, year=year).first()
    if existing:
        return existing
    years = school_years(today or timezone.localdate())
    if year not in years:
        raise CycleError(
            _("A cycle is started for the current or the next school year: %(years)s.")
            % {"years": _("%(first)s or %(next)s") % {"first": years[0], "next": years[1]}}
        )
    setting = CycleSetting.objects.filter(province_id=school.province_id).first()
    entry = setting.entry_step if setting else Step.MAPPING
    try:
        with transaction.atomic():
            cycle = SchoolCycle.objects.create(school=school, year=year, entry_step=entry)
            CycleDocument.objects.bulk_create(
                [CycleDocument(cycle=cycle, step=step, due_on=_due(setting, step, year)) for step in cycle.steps]
            )
            record_audit(actor=actor, action="cycle.start", obj=cycle, province_id=school.province_id)
    except IntegrityError:  # started at the same moment by someone else
        return SchoolCycle.objects.get(school=school, year=year)
    return cycle


def team(school):
    """The people who write and submit the school's documents."""
    memberships = Membership.objects.active().select_related("user")
    return [m.user for m in memberships.filter(school=school, role__in=[Role.KEPALA_SEKOLAH, Role.TPMPS])]


def reviewers(school):
    """The pengawas assigned to the school and the LPMP of its province."""
    memberships = Membership.objects.active().select_related("user")
    assigned = memberships.filter(role=Role.PENGAWAS, schools=school)
    return [m.user for m in assigned] + [
        m.user for m in memberships.filter(role=Role.ADMIN_LPMP, province_id=school.province_id)
    ]


def signers(school):
    """Names for a document's signature block: who prepares (TPMPS), approves (kepala sekolah) and
    acknowledges (pengawas) it."""
    memberships = Membership.objects.active().select_related("user")

    def name(queryset):
        member = queryset.first()
        return (member.user.full_name or member.user.username) if member else ""

    return {
        "tpmps": name(memberships.filter(school=school, role=Role.TPMPS)),
        "principal": school.principal_name or name(memberships.filter(school=school, role=Role.KEPALA_SEKOLAH)),
        "pengawas": name(memberships.filter(role=Role.PENGAWAS, schools=school)),
    }


def _cycle_url(document):
    cycle = document.cycle
    return reverse("cycle:school", args=[cycle.school.npsn, cycle.year]) + f"#{document.step}"


@transaction.atomic
def move(*, actor, document, name, comment=""):
    """Make one move of a document as `actor`, recorded with its comment; CycleError when the role,
    the school, the state or a missing comment forbids it (then nothing changes)."""
    document = CycleDocument.objects.select_for_update().select_related("cycle__school").get(pk=document.pk)
    school = document.cycle.school
    perm, needs_comment = MOVES[name]
    if not may(actor, perm, school):
        raise CycleError(_("Your role may not do this for this school."))
    if not can_proceed(getattr(document, name)):
        raise CycleError(
            _("This is not possible while the document is “%(state)s”.") % {"state": document.get_state_display()}
        )
    comment = comment.strip()
    if needs_comment and not comment:
        raise CycleError(
            _("Say why the submission is withdrawn: the comment is required.")
            if name == "withdraw"
            else _("Say what needs revising: the comment is required.")
        )
    if name == "submit":
        _check_earlier_steps(document)
        from . import analysis, evaluation, implementation, planning  # they read the cycle's services too

        missing = [
            reason
            for module in (analysis, planning, implementation, evaluation)
            for reason in module.unfinished(document)
        ]
        if missing:
            raise CycleError(" ".join(missing))
    source = document.state
    getattr(document, name)()
    document.save()
    Transition.objects.create(document=document, actor=actor, source=source, target=document.state, comment=comment)
    if comment:
        Comment.objects.create(document=document, author=actor, text=comment)
    record_audit(
        actor=actor,
        action=f"cycle.{name}",
        obj=document,
        changes={"state": [source, document.state]},
        province_id=school.province_id,
    )
    text = {
        "submit": _("%(school)s submitted “%(step)s” %(year)s for review."),
        "take": _("“%(step)s” %(year)s of %(school)s is being reviewed."),
        "accept": _("“%(step)s” %(year)s of %(school)s is accepted."),
        "send_back": _("“%(step)s” %(year)s of %(school)s needs revision."),
        "withdraw": _("%(school)s withdrew “%(step)s” %(year)s before its review."),
    }[name] % {"school": school.name, "step": document.get_step_display(), "year": document.cycle.year}
    notify(reviewers(school) if name in ("submit", "withdraw") else team(school), text, _cycle_url(document))
    return document


# A step's content is written while its document is one of these.
EDITABLE = (State.DRAFT, State.REVISION)


def open_step(actor, cycle, document, *, not_team, closed, after_earlier=False):
    """Refuse (CycleError, with the caller's messages) writing a step's content unless `actor` is the
    school's team and the step's document (None: the cycle has no such step) is a draft or returned;
    with `after_earlier`, also until the earlier steps are accepted."""
    if not may(actor, Perm.CYCLE_EDIT, cycle.school):
        raise CycleError(not_team)
    if document is None or document.state not in EDITABLE:
        raise CycleError(closed)
    if after_earlier:
        _check_earlier_steps(document)


def why_not(check, *args):
    """Why `check(*args)` refuses the write, or None: for pages that show a form only when it would
    and otherwise say why it is not there."""
    try:
        check(*args)
    except CycleError as exc:
        return str(exc)
    return None


def permitted(check, *args):
    return why_not(check, *args) is None


def _check_earlier_steps(document):
    steps = document.cycle.steps
    earlier = steps[: steps.index(document.step)]
    waiting = document.cycle.documents.filter(step__in=earlier).exclude(state=State.ACCEPTED)
    if waiting.exists():
        names = ", ".join(str(Step(d.step).label) for d in sorted(waiting, key=lambda d: STEPS.index(d.step)))
        raise CycleError(_("The earlier steps must be accepted first: %(steps)s.") % {"steps": names})


@transaction.atomic
def add_comment(*, actor, document, text):
    school = document.cycle.school
    if not (may(actor, Perm.CYCLE_EDIT, school) or may(actor, Perm.CYCLE_REVIEW, school)):
        raise CycleError(_("Your role may not comment on this school's documents."))
    text = text.strip()
    if not text:
        raise CycleError(_("The comment is empty."))
    comment = Comment.objects.create(document=document, author=actor, text=text)
    others = [user for user in team(school) + reviewers(school) if user != actor]
    notify(
        others,
        _("%(who)s commented on “%(step)s” %(year)s of %(school)s.")
        % {"who": actor, "step": document.get_step_display(), "year": document.cycle.year, "school": school.name},
        _cycle_url(document),
    )
    return comment


@transaction.atomic
def configure(*, actor, province, entry_step, due_dates):
    setting, _created = CycleSetting.objects.select_for_update().get_or_create(province=province)
    before = {"entry_step": setting.entry_step, "due_dates": setting.due_dates}
    setting.entry_step = entry_step
    setting.due_dates = due_dates
    setting.save()
    after = {"entry_step": entry_step, "due_dates": due_dates}
    if before != after:
        record_audit(
            actor=actor, action="cycle.configure", obj=setting, changes={"before": before, "after": after},
            province_id=province.pk,
        )  # fmt: skip
    return setting


def send_reminders(today=None):
    """Remind each school team of documents due within MUTU_CYCLE_REMIND_DAYS that it has not
    submitted; once a day per document. Returns how many documents were reminded."""
    today = today or timezone.localdate()
    due = CycleDocument.objects.filter(
        state__in=[State.DRAFT, State.REVISION],
        due_on__gte=today,
        due_on__lte=today + timedelta(days=settings.MUTU_CYCLE_REMIND_DAYS),
    ).exclude(reminded_on=today)
    count = 0
    for document in due.select_related("cycle__school"):
        with transaction.atomic():
            if not CycleDocument.objects.filter(pk=document.pk).exclude(reminded_on=today).update(reminded_on=today):
                continue  # reminded meanwhile by another run
            school = document.cycle.school
            notify(
                team(school),
                _("“%(step)s” %(year)s of %(school)s is due on %(date)s.")
                % {
                    "step": document.get_step_display(),
                    "year": document.cycle.year,
                    "school": school.name,
                    "date": dates.shown(document.due_on),
                },
                _cycle_url(document),
            )
            count += 1
    return count
