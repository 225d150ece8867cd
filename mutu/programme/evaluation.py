"""The yearly evaluation of model schools: a scorecard per school, a recommendation computed from the
cohort's rules (mandiri / lanjut / ganti), confirmed by the LPMP with a note; and the programme's
effect per kab/kota (stored, see `effect`).

Every figure of a cohort is read in a fixed number of queries, whatever its size."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from mutu.core.services import record_audit
from mutu.cycle.models import CycleDocument, State
from mutu.mapping.models import SchoolScore
from mutu.mapping.scoring import ENGINE
from mutu.pbd import effects

from . import selectors
from .models import (
    Attendance,
    EvaluationStatus,
    Grant,
    ImbasSchool,
    ModelSchoolStatus,
    Participant,
    ParticipantRole,
    Recommendation,
    YearlyEvaluation,
)
from .services import ProgrammeError, record_move, require_manager

# A model school graduates (mandiri) when it meets every "mandiri" rule; it is replaced (ganti) when it
# meets any "ganti" rule; otherwise it continues (lanjut). A cohort may set its own in `Cohort.rules`.
DEFAULT_RULES = {
    "mandiri": {
        "steps_accepted_min": 5,
        "rapor_change_min": 0.0,
        "imbas_share_min": 1.0,
        "visited_share_min": 1.0,
        "attendance_min": 0.8,
        "grant_report": True,
    },
    "ganti": {"steps_accepted_max": 1, "rapor_change_max": -0.25},
}


@transaction.atomic
def set_rules(*, actor, cohort, rules):
    """The cohort's own thresholds (same keys as DEFAULT_RULES); the next computation uses them."""
    require_manager(actor, cohort)
    known = {group: set(values) for group, values in DEFAULT_RULES.items()}
    if any(group not in known or not set(values) <= known[group] for group, values in rules.items()):
        raise ProgrammeError(_("Unknown rule."))
    cohort.rules = rules
    cohort.save(update_fields=["rules"])
    record_audit(actor=actor, action="programme.rules", obj=cohort, province_id=cohort.province_id)
    return cohort


def rules_of(cohort):
    rules = {key: dict(values) for key, values in DEFAULT_RULES.items()}
    for key, values in (cohort.rules or {}).items():
        rules.setdefault(key, {}).update(values)
    return rules


def published_scores(schools):
    """{school id: [(year, published score)]} oldest first."""
    scores = defaultdict(list)
    rows = (
        SchoolScore.objects.filter(school__in=schools, engine=ENGINE, total_published__isnull=False)
        .order_by("round__year", "round__closes_on")
        .values_list("school_id", "round__year", "total_published")
    )
    for school_id, year, value in rows:
        scores[school_id].append((year, value))
    return scores


def _at(series, year):
    """The latest score up to `year`."""
    values = [value for y, value in series if y <= year]
    return values[-1] if values else None


def change(series, since, until):
    before, after = _at(series, since), _at(series, until)
    return None if before is None or after is None else round(after - before, 2)


def scorecards(cohort, year):
    """{model school id: scorecard} for the cohort's designated (and graduated) model schools."""
    records = list(
        cohort.model_schools.filter(
            status__in=[ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED]
        ).select_related("school")
    )
    schools = [r.school_id for r in records]
    accepted = dict(
        CycleDocument.objects.filter(cycle__school__in=schools, cycle__year=year, state=State.ACCEPTED)
        .values("cycle__school")
        .annotate(n=Count("pk"))
        .values_list("cycle__school", "n")
    )
    steps = dict(
        CycleDocument.objects.filter(cycle__school__in=schools, cycle__year=year)
        .values("cycle__school")
        .annotate(n=Count("pk"))
        .values_list("cycle__school", "n")
    )
    imbas = {
        row["model_school"]: row
        for row in ImbasSchool.objects.filter(model_school__in=records)
        .values("model_school")
        .annotate(n=Count("pk", distinct=True), visited=Count("pk", filter=Q(visits__isnull=False), distinct=True))
    }
    present = Exists(Attendance.objects.filter(participant=OuterRef("pk")))
    attendance = {
        row["school"]: row
        for row in Participant.objects.filter(
            event__cohort=cohort,
            school__in=schools,
            role=ParticipantRole.PRINCIPAL_MODEL,
            event__cohort__year__lte=year,
        )
        .annotate(came=present)
        .values("school")
        .annotate(registered=Count("pk"), attended=Count("pk", filter=Q(came=True)))
    }
    # None: the school has no grant, so there is no report to do.
    reports = dict(Grant.objects.filter(model_school__in=records).values_list("model_school_id", "report_done_on"))
    scores = published_scores(schools)
    worked = effects.effects_by_school(schools)
    cards = {}
    for record in records:
        since = record.decree_date.year if record.decree_date else cohort.year
        own_imbas = imbas.get(record.pk, {"n": 0, "visited": 0})
        came = attendance.get(record.school_id, {"registered": 0, "attended": 0})
        # The Rapor Pendidikan indicators it worked on whose next year is in, up to the evaluated year.
        measured = [
            e.change
            for e in worked[record.school_id]
            if e.problem.from_rapor_pendidikan and e.change is not None and e.problem.cycle.year < year
        ]
        cards[record.pk] = {
            "steps_accepted": accepted.get(record.school_id, 0),
            "steps": steps.get(record.school_id, 0),
            "rapor_since": _at(scores[record.school_id], since),
            "rapor_now": _at(scores[record.school_id], year),
            "rapor_change": change(scores[record.school_id], since, year) if year > since else None,
            "imbas": own_imbas["n"],
            "imbas_share": own_imbas["n"] / cohort.imbas_target,
            "visited_share": own_imbas["visited"] / own_imbas["n"] if own_imbas["n"] else 0.0,
            "attendance": came["attended"] / came["registered"] if came["registered"] else None,
            "grant_report": bool(reports[record.pk]) if record.pk in reports else None,
            "rp_measured": len(measured),
            "rp_improved": sum(1 for delta in measured if delta > 0),
        }
    return records, cards


def recommend(card, rules):
    graduate = rules["mandiri"]
    checks = [
        card["steps_accepted"] >= graduate.get("steps_accepted_min", 0),
        card["rapor_change"] is not None and card["rapor_change"] >= graduate.get("rapor_change_min", 0),
        card["imbas_share"] >= graduate.get("imbas_share_min", 0),
        card["visited_share"] >= graduate.get("visited_share_min", 0),
        (card["attendance"] or 0) >= graduate.get("attendance_min", 0),
        card["grant_report"] is not False or not graduate.get("grant_report"),
    ]
    if all(checks):
        return Recommendation.GRADUATE
    replace = rules["ganti"]
    if card["steps_accepted"] <= replace.get("steps_accepted_max", -1) or (
        card["rapor_change"] is not None and card["rapor_change"] <= replace.get("rapor_change_max", -99)
    ):
        return Recommendation.REPLACE
    return Recommendation.CONTINUE


@transaction.atomic
def compute(*, actor, cohort, year):
    """The scorecards of the year, stored; a confirmed evaluation keeps its card until it is reopened."""
    require_manager(actor, cohort)
    records, cards = scorecards(cohort, year)
    rules = rules_of(cohort)
    existing = {e.model_school_id: e for e in YearlyEvaluation.objects.filter(model_school__in=records, year=year)}
    for record in records:
        evaluation = existing.get(record.pk) or YearlyEvaluation(model_school=record, year=year)
        if evaluation.status == EvaluationStatus.CONFIRMED:
            continue
        evaluation.scorecard = cards[record.pk]
        evaluation.computed = recommend(cards[record.pk], rules)
        evaluation.save()
    record_audit(actor=actor, action="programme.evaluate", obj=cohort, province_id=cohort.province_id)
    return len(records)


@transaction.atomic
def refresh(cohort, year):
    """Keep the computed scorecards of the year true to their inputs (cycle steps, rapor, imbas visits,
    attendance, grant reports move after "Hitung kartu skor"): a draft whose inputs changed is computed
    again; a confirmed one stays as it was confirmed. Returns the ids of the confirmed evaluations whose
    inputs have moved since, for the page to say so."""
    records, cards = scorecards(cohort, year)
    rules = rules_of(cohort)
    moved = set()
    for evaluation in YearlyEvaluation.objects.select_for_update().filter(model_school__in=records, year=year):
        card = cards[evaluation.model_school_id]
        if evaluation.scorecard == card:
            continue
        if evaluation.status == EvaluationStatus.CONFIRMED:
            moved.add(evaluation.pk)
            continue
        evaluation.scorecard, evaluation.computed = card, recommend(card, rules)
        evaluation.save(update_fields=["scorecard", "computed", "computed_at"])
    return moved


def confirm(*, actor, evaluation, decision, note):
    """Confirm a computed scorecard (with a note when the decision differs). A scorecard whose inputs
    moved since it was computed is computed again (kept) and refused: stale data is never confirmed."""
    current = YearlyEvaluation.objects.select_related("model_school__cohort").get(pk=evaluation.pk)
    if current.status == EvaluationStatus.DRAFT:
        _records, cards = scorecards(current.model_school.cohort, current.year)
        if cards.get(current.model_school_id) != current.scorecard:
            refresh(current.model_school.cohort, current.year)
            raise ProgrammeError(
                _("The scorecard's data changed since it was computed: it is computed again now. Check the new "
                  "figures and confirm again.")
            )  # fmt: skip
    return _confirm(actor=actor, evaluation=evaluation, decision=decision, note=note)


@transaction.atomic
def _confirm(*, actor, evaluation, decision, note):
    evaluation = (
        YearlyEvaluation.objects.select_for_update().select_related("model_school__cohort").get(pk=evaluation.pk)
    )
    if not selectors.manages(actor, evaluation.model_school.cohort):
        raise ProgrammeError(_("Only the cohort's LPMP confirms its evaluations."))
    if not can_proceed(evaluation.confirm):
        raise ProgrammeError(_("This evaluation is confirmed already."))
    if decision not in Recommendation.values:
        raise ProgrammeError(_("Choose mandiri, lanjut or ganti."))
    note = note.strip()
    if decision != evaluation.computed and not note:
        raise ProgrammeError(_("Say why the decision differs from the computed recommendation."))
    evaluation.decision, evaluation.note = decision, note
    evaluation.confirm()
    evaluation.save()
    record_move(actor=actor, subject=evaluation, source="draft", target=evaluation.status, note=note)
    record_audit(
        actor=actor,
        action="programme.evaluation.confirm",
        obj=evaluation,
        province_id=evaluation.model_school.cohort.province_id,
    )
    return evaluation


@transaction.atomic
def reopen(*, actor, evaluation, note):
    evaluation = (
        YearlyEvaluation.objects.select_for_update().select_related("model_school__cohort").get(pk=evaluation.pk)
    )
    if not selectors.manages(actor, evaluation.model_school.cohort):
        raise ProgrammeError(_("Only the cohort's LPMP confirms its evaluations."))
    if not can_proceed(evaluation.reopen):
        raise ProgrammeError(_("Only a confirmed evaluation is reopened."))
    if not note.strip():
        raise ProgrammeError(_("Say why the evaluation is reopened."))
    evaluation.reopen()
    evaluation.save()
    record_move(actor=actor, subject=evaluation, source="dikonfirmasi", target=evaluation.status, note=note.strip())
    return evaluation
