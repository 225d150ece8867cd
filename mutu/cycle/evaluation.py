"""Monitoring and evaluation of the programs, and the decisions that set the next cycle's standards.

Monev: each program is evaluated on input, proses, output and outcome (target, achieved, met). The
monev step can be submitted when every program has all four.

New standards: for each standard of the instrument the school decides to keep, revise or raise it,
and may set its own target (0–7) above the national level (the lower end of the instrument's top
band). The next cycle's analysis proposes a standard's sub-indicators below the school's own target
where it is higher (`own_targets`). The standards step can be submitted when every standard has its
decision.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.core import uploads
from mutu.core.services import record_audit
from mutu.instruments.models import LevelBand, Node

from .analysis import rapor_for
from .models import (
    CycleDocument,
    Dimension,
    Evaluation,
    Program,
    SchoolCycle,
    SchoolDocument,
    StandardDecision,
    Step,
)
from .services import CycleError, may, open_step, permitted, why_not


def _check(actor, cycle, step):
    open_step(
        actor,
        cycle,
        CycleDocument.objects.filter(cycle=cycle, step=step).first(),
        not_team=_("Only the school's own team writes this."),
        closed=_("This can be changed only while its step is a draft or returned for revision."),
        after_earlier=True,  # evaluated and decided is what was done and accepted
    )


def editable(user, cycle, step):
    return permitted(_check, user, cycle, step)


def read_only_reason(user, cycle, step):
    return why_not(_check, user, cycle, step)


@transaction.atomic
def evaluate(*, actor, program, dimension, data):
    _check(actor, program.cycle, Step.MONEV)
    evaluation, _created = Evaluation.objects.update_or_create(
        program=program,
        dimension=dimension,
        defaults={name: data[name] for name in ("target", "achieved", "met", "note")},
    )
    record_audit(
        actor=actor, action="cycle.monev", obj=evaluation, changes={"met": evaluation.met},
        province_id=program.cycle.school.province_id,
    )  # fmt: skip
    return evaluation


def standards(cycle):
    """The standards the decisions are about: those of the instrument of the school's rapor."""
    rapor = rapor_for(cycle)
    if rapor is None:
        return []
    return list(Node.objects.filter(version=rapor.round.instrument_id, parent__isnull=True).order_by("position"))


def national_target(cycle):
    """The lower end of the top band: the national standard on the 0–7 scale."""
    rapor = rapor_for(cycle)
    uppers = [
        u for u in LevelBand.objects.filter(version=rapor.round.instrument_id).values_list("upper", flat=True) if u
    ]
    return max(uppers)


@transaction.atomic
def decide(*, actor, cycle, node, data):
    _check(actor, cycle, Step.STANDARDS)
    target = data.get("own_target")
    national = national_target(cycle)
    if target is not None and target <= national:
        raise CycleError(
            _("An own target lies above the national level (%(national)s); leave it empty to keep the national one.")
            % {"national": f"{national:.2f}".replace(".", ",")}
        )
    decision, _created = StandardDecision.objects.update_or_create(
        cycle=cycle,
        node=node,
        defaults={"decision": data["decision"], "own_target": target, "note": data.get("note", "")},
    )
    record_audit(
        actor=actor, action="cycle.standard", obj=decision, changes={"decision": decision.decision, "target": target},
        province_id=cycle.school.province_id,
    )  # fmt: skip
    return decision


def own_targets(cycle):
    """{standard code: own target} set by the school's previous cycle, for this cycle's analysis."""
    previous = SchoolCycle.objects.filter(school=cycle.school, year=cycle.year - 1).first()
    if previous is None:
        return {}
    return dict(previous.decisions.filter(own_target__isnull=False).values_list("node__code", "own_target"))


def unfinished(document):
    cycle = document.cycle
    if document.step == Step.MONEV:
        needed = {d.value for d in Dimension}
        return [
            _("The program “%(name)s” is not evaluated on %(missing)s yet.")
            % {
                "name": program.name,
                "missing": ", ".join(sorted(needed - {e.dimension for e in program.evaluations.all()})),
            }
            for program in Program.objects.filter(cycle=cycle).prefetch_related("evaluations")
            if needed - {e.dimension for e in program.evaluations.all()}
        ]
    if document.step == Step.STANDARDS:
        decided = set(cycle.decisions.values_list("node_id", flat=True))
        missing = [node.code for node in standards(cycle) if node.pk not in decided]
        if missing:
            return [_("Decide on standards %(codes)s.") % {"codes": ", ".join(missing)}]
    return []


DOCUMENT_KINDS = {"pdf", "office"}


@transaction.atomic
def upload_document(*, actor, school, kind, title, upload):
    """Store an SPMI document; the same kind and title again is its next version."""
    if not may(actor, Perm.CYCLE_EDIT, school):
        raise CycleError(_("Only the school's own team writes this."))
    try:
        mime = uploads.check(upload, DOCUMENT_KINDS)
    except uploads.UploadRefused as exc:
        raise CycleError(str(exc)) from exc
    latest = (
        SchoolDocument.objects.select_for_update()
        .filter(school=school, kind=kind, title=title)
        .order_by("-version")
        .first()
    )
    document = SchoolDocument(
        school=school, kind=kind, title=title, version=(latest.version + 1) if latest else 1, mime=mime,
        original_name=upload.name[:255], size=upload.size, uploaded_by=actor,
    )  # fmt: skip
    document.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:  # the same title uploaded at the same moment took this version number
        raise CycleError(_("Another version of this document was stored just now: upload it again.")) from exc
    record_audit(
        actor=actor, action="cycle.document.upload", obj=document, changes={"version": document.version},
        province_id=school.province_id,
    )  # fmt: skip
    return document


@transaction.atomic
def set_distinctive_program(*, actor, cycle, text):
    _check(actor, cycle, Step.STANDARDS)
    if cycle.distinctive_program != text:
        cycle.distinctive_program = text
        cycle.save(update_fields=["distinctive_program"])
        record_audit(actor=actor, action="cycle.distinctive", obj=cycle, province_id=cycle.school.province_id)
