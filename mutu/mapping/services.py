"""Writes for pemetaan mutu: rounds, respondent slots, answers, submission."""

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mutu.core import jobs
from mutu.core.services import record_audit
from mutu.instruments.models import Node, Option, Question, Questionnaire
from mutu.schools.models import School

from . import scoring
from .models import (
    Milestone,
    PendingScore,
    RaporVersion,
    RegionProgress,
    Respondent,
    Round,
    SchoolProgress,
    SchoolScore,
    ScoringPart,
    ScoringRun,
    Verification,
    new_code,
)
from .selectors import slot_counts, tracked_schools

STALE_SCORING_RUN = timedelta(hours=3)


class AnswerError(Exception):
    pass


@transaction.atomic
def create_round(*, actor, name, year, instrument, opens_on, closes_on, quotas, province=None):
    """Open a round; its instrument version is frozen from now on."""
    round_ = Round.objects.create(
        name=name,
        year=year,
        instrument=instrument,
        opens_on=opens_on,
        closes_on=closes_on,
        quotas=quotas,
        province=province,
        created_by=actor,
    )
    if not instrument.frozen:
        instrument.frozen = True
        instrument.save(update_fields=["frozen"])
    record_audit(
        actor=actor,
        action="round.create",
        obj=round_,
        province_id=province.pk if province else None,
        changes={"instrument": instrument.code, "quotas": quotas},
    )
    from .tasks import refresh_region_progress_task

    transaction.on_commit(lambda: refresh_region_progress_task.enqueue(round_.pk))  # its schools, none complete
    return round_


def progress_fields(quotas, counts):
    """A progress row's counters from the jenjang's quotas and the school's {type: (slots, sent)}."""
    quotas = {rtype: int(n) for rtype, n in quotas.items()}
    quota = sum(quotas.values())
    sent_in_quota = sum(min(counts.get(rtype, (0, 0))[1], n) for rtype, n in quotas.items())
    return {
        "slots": {rtype: c[0] for rtype, c in counts.items()},
        "sent": {rtype: c[1] for rtype, c in counts.items() if c[1]},
        "quota": quota,
        "sent_in_quota": sent_in_quota,
        "share": sent_in_quota / quota if quota else 0.0,
        "complete": bool(quota) and sent_in_quota == quota,
    }


PROGRESS_BATCH = 1000  # schools per grouped count: bounded IN lists on SQLite and PostgreSQL


def refresh_region_progress(round_id, regency_ids=None):
    """Count again the round's schools and those that met every quota, per kab/kota and jenjang (of
    these kab/kota, or of the round's whole area), into RegionProgress: one grouped query, one upsert.
    Two refreshes at once are harmless: each writes what it counted."""
    round_ = Round.objects.get(pk=round_id)
    schools = School.objects.filter(province_id=round_.province_id) if round_.province_id else School.objects.all()
    if regency_ids is not None:
        schools = schools.filter(regency_id__in=regency_ids)
    counted = (
        tracked_schools(round_, schools)
        .order_by()
        .values_list("province_id", "regency_id", "level")
        .annotate(n=Count("id"), complete=Count("id", filter=Q(done=True)))
    )
    now = timezone.now()
    rows = [
        RegionProgress(
            round=round_,
            province_id=province,
            regency_id=regency,
            level=level,
            schools=n,
            complete=done,
            refreshed_at=now,
        )
        for province, regency, level, n, done in counted
    ]
    with transaction.atomic():
        RegionProgress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["round", "regency", "level"],
            update_fields=["province", "schools", "complete", "refreshed_at"],
        )
        gone = RegionProgress.objects.filter(round=round_, refreshed_at__lt=now)  # groups no school is in now
        (gone.filter(regency_id__in=regency_ids) if regency_ids is not None else gone).delete()
    return len(rows)


def refresh_open_rounds(province_ids):
    """After schools were added or moved in these provinces: the stored counts of every round still
    open there (the province's and the national ones) are counted again by the worker."""
    from .tasks import refresh_region_progress_task

    rounds = Round.objects.filter(closes_on__gte=timezone.localdate()).filter(
        Q(province__isnull=True) | Q(province_id__in=province_ids)
    )
    for round_id in rounds.values_list("pk", flat=True):
        transaction.on_commit(lambda round_id=round_id: refresh_region_progress_task.enqueue(round_id))


def refresh_progress(round_, schools, regions=True):
    """Recount the progress rows of these (school id, jenjang) pairs from their respondent slots,
    a grouped count and an upsert per batch; a school that meets every quota reaches its
    "responses complete" milestone. The kab/kota of a school that met or lost its quota get their
    stored counts refreshed by a task once this commits (unless `regions` is false: the caller
    counts them itself, as bulk loads do once at their end)."""
    from .tasks import refresh_region_progress_task

    for start in range(0, len(schools), PROGRESS_BATCH):
        batch = schools[start : start + PROGRESS_BATCH]
        counts = slot_counts(round_, [school_id for school_id, _level in batch])
        rows = [
            SchoolProgress(
                round=round_,
                school_id=school_id,
                **progress_fields(round_.quotas.get(level, {}), counts.get(school_id, {})),
            )
            for school_id, level in batch
        ]
        was = dict(
            SchoolProgress.objects.filter(round=round_, school_id__in=[r.school_id for r in rows]).values_list(
                "school_id", "complete"
            )
        )
        flipped = [row.school_id for row in rows if row.complete != was.get(row.school_id, False)]
        if flipped and regions:
            regencies = sorted(set(School.objects.filter(pk__in=flipped).values_list("regency_id", flat=True)))
            transaction.on_commit(
                lambda regencies=regencies: refresh_region_progress_task.enqueue(round_.pk, regencies)
            )
        SchoolProgress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["round", "school"],
            update_fields=["slots", "sent", "quota", "sent_in_quota", "share", "complete", "updated_at"],
        )
        Milestone.objects.bulk_create(
            [
                Milestone(round=round_, school_id=row.school_id, step=Milestone.Step.RESPONSES_COMPLETE)
                for row in rows
                if row.complete
            ],
            ignore_conflicts=True,
        )


def _lock_progress(round_, school):
    """Lock the school's progress row (created on first use) inside the caller's transaction:
    concurrent writers for one school then recount one after another and no count is lost."""
    SchoolProgress.objects.select_for_update().get_or_create(round=round_, school=school)


def redraw_taken_codes(respondents):
    """Give new codes to the unsaved respondents whose random code (drawn by the model) another
    respondent already holds or shares within the batch. Random codes alone are not enough: at ten
    million a year among 31^10, a clash (an IntegrityError for a whole batch) becomes likely within
    a few years by the birthday bound."""
    while True:
        taken = set(Respondent.objects.filter(code__in=[r.code for r in respondents]).values_list("code", flat=True))
        seen, clashing = set(), []
        for respondent in respondents:
            if respondent.code in taken or respondent.code in seen:
                clashing.append(respondent)
            seen.add(respondent.code)
        if not clashing:
            return respondents
        for respondent in clashing:
            respondent.code = new_code()


@transaction.atomic
def add_respondents(*, actor, round_, school, respondent_type, count):
    """Add `count` respondent slots of one type, numbered after the existing ones."""
    _lock_progress(round_, school)  # also serialises the numbering of concurrent additions
    start = (
        Respondent.objects.filter(round=round_, school=school, respondent_type=respondent_type).aggregate(
            n=Max("number")
        )["n"]
        or 0
    )
    slots = Respondent.objects.bulk_create(
        redraw_taken_codes(
            [
                Respondent(round=round_, school=school, respondent_type=respondent_type, number=start + i + 1)
                for i in range(count)
            ]
        )
    )
    refresh_progress(round_, [(school.id, school.level)])
    record_audit(
        actor=actor,
        action="respondent.add",
        obj=school,
        province_id=school.province_id,
        changes={"round": round_.pk, "type": respondent_type, "count": count},
    )
    return slots


def questionnaire_for(respondent):
    return Questionnaire.objects.filter(
        version_id=respondent.round.instrument_id,
        respondent_type=respondent.respondent_type,
        level=respondent.school.level,
    ).first()


def is_open(respondent, today=None):
    today = today or timezone.localdate()
    return respondent.round.opens_on <= today <= respondent.round.closes_on


class UnknownRespondent(AnswerError):
    pass


@functools.lru_cache(maxsize=512)
def question_shapes(version_id, respondent_type, level):
    """{question id: (kind, option ids)} of one questionnaire, read once per process: only versions
    used by a round have respondents, and those are frozen."""
    shapes = {}
    for question_id, kind, option_id in Question.objects.filter(
        questionnaire__version_id=version_id,
        questionnaire__respondent_type=respondent_type,
        questionnaire__level=level,
    ).values_list("id", "kind", "options__id"):
        shapes.setdefault(question_id, (kind, set()))[1].add(option_id)
    return {question_id: (kind, frozenset(options) - {None}) for question_id, (kind, options) in shapes.items()}


@functools.lru_cache(maxsize=512)
def number_ranges(version_id, respondent_type, level):
    """{question id: [(min, max or None, option id)]} of the number questions of one questionnaire."""
    ranges = {}
    for question_id, option_id, low, high in (
        Option.objects.filter(
            question__questionnaire__version_id=version_id,
            question__questionnaire__respondent_type=respondent_type,
            question__questionnaire__level=level,
            question__kind=Question.Kind.NUMBER,
            min_value__isnull=False,
        )
        .order_by("min_value")
        .values_list("question_id", "id", "min_value", "max_value")
    ):
        ranges.setdefault(question_id, []).append((low, high, option_id))
    return ranges


def _ranges_of(respondent):
    return number_ranges(respondent.round.instrument_id, respondent.respondent_type, respondent.school.level)


def _option_ids(values, valid):
    """The chosen option ids, sorted; each option counts once, so a repeated one is refused."""
    try:
        chosen = [int(v) for v in values]
    except (TypeError, ValueError):
        chosen = None
    if chosen is None or not set(chosen) <= valid:
        raise AnswerError(_("That option does not belong to this question."))
    if len(set(chosen)) != len(chosen):
        raise AnswerError(_("An option was chosen twice."))
    return sorted(chosen)


def _clean_answer(kind, options, values):
    """The stored form of a posted answer (a list of form values, as `QueryDict.getlist` gives)."""
    if kind == Question.Kind.MULTIPLE:
        return _option_ids(values, options)
    if len(values) > 1:
        raise AnswerError(_("This question takes one answer only."))
    value = values[0] if values else ""
    if kind == Question.Kind.SINGLE:
        return _option_ids([value], options)[0] if value != "" else None
    if kind == Question.Kind.NUMBER:
        if value == "":
            return None
        try:
            number = float(str(value).replace(",", "."))
        except ValueError as exc:
            raise AnswerError(_("Enter a number.")) from exc
        if not math.isfinite(number):
            raise AnswerError(_("Enter a number."))
        return number
    return str(value)[:2000]


def _check_range(number, ranges):
    """A number question with conversion ranges takes only numbers that some range holds."""
    if not ranges:
        return
    low, high = ranges[0][0], ranges[-1][1]
    if number < low or (high is not None and number >= high):
        if high is None:
            raise AnswerError(_("Enter a number of at least %(min)s.") % {"min": _plain(low)})
        raise AnswerError(
            _("Enter a number from %(min)s to below %(max)s.") % {"min": _plain(low), "max": _plain(high)}
        )


def _plain(number):
    return f"{number:g}".replace(".", ",")


def save_answer(*, respondent_id, question_id, values):
    """Save one answer (a page posted without JavaScript, imports, tests): one locked read and one
    write. Idempotent: the same save twice leaves the same draft."""
    with transaction.atomic():
        # Only the respondent's row is locked, never the round or school joined to it; get(), not
        # first(), so no ORDER BY (Meta.ordering through the round would add a join per save).
        locked = Respondent.objects.select_for_update(of=("self",)).select_related("round", "school")
        try:
            respondent = locked.get(pk=respondent_id)
        except Respondent.DoesNotExist as exc:
            raise UnknownRespondent(_("This code is not known. Check it on your code sheet.")) from exc
        _require_answering(respondent)
        respondent.draft[str(question_id)] = _checked_answer(respondent, question_id, values)
        respondent.draft_times[str(question_id)] = [_ms(timezone.now()), ""]
        respondent.save(update_fields=["draft", "draft_times"])
    return respondent


def _require_answering(respondent):
    if respondent.submitted_at:
        raise AnswerError(_("These answers were already sent and can no longer change."))
    if not is_open(respondent):
        raise AnswerError(_("This round is closed."))


def _checked_answer(respondent, question_id, values):
    """The stored form of an answer to one question of the respondent's questionnaire, or the reason
    it is refused."""
    shape = question_shapes(respondent.round.instrument_id, respondent.respondent_type, respondent.school.level).get(
        question_id
    )
    if shape is None:
        raise AnswerError(_("That question is not in your questionnaire."))
    answer = _clean_answer(*shape, values)
    if shape[0] == Question.Kind.NUMBER and answer is not None:
        _check_range(answer, _ranges_of(respondent).get(question_id))
    return answer


def _ms(moment):
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True)
class QueuedAnswer:
    """An answer a device kept while offline: its idempotency key, the question, the values as the
    form posts them, and the device's time when it was given."""

    key: str
    question_id: int
    values: list
    given_at: datetime


def sync_answers(*, code, queued):
    """Apply answers queued on a device, in one locked transaction; per answer a status:
    "saved"; "duplicate" (its key is the stored answer's: a retry or a second tab changes nothing);
    "superseded" (a later answer to the question, from another device or online, stands: the value
    that stands comes back); "refused" with the reason (round closed, already sent, not in the
    questionnaire, a bad value). A device's time in the future counts as now."""
    now = timezone.now()
    with transaction.atomic():
        locked = Respondent.objects.select_for_update(of=("self",)).select_related("round", "school")
        try:
            respondent = locked.get(code=code)
        except Respondent.DoesNotExist as exc:
            raise UnknownRespondent(_("This code is not known. Check it on your code sheet.")) from exc
        results = []
        for item in sorted(queued, key=lambda item: (min(item.given_at, now), item.key)):
            stored = respondent.draft_times.get(str(item.question_id))
            given = [_ms(min(item.given_at, now)), item.key]
            result = {"key": item.key, "question": item.question_id}
            if stored and stored[1] == item.key:
                results.append(result | {"status": "duplicate"})
                continue
            try:
                _require_answering(respondent)
                answer = _checked_answer(respondent, item.question_id, item.values)
            except AnswerError as exc:
                results.append(result | {"status": "refused", "message": str(exc)})
                continue
            if stored and stored > given:
                value = respondent.draft.get(str(item.question_id))
                results.append(result | {"status": "superseded", "value": value})
                continue
            respondent.draft[str(item.question_id)] = answer
            respondent.draft_times[str(item.question_id)] = given
            results.append(result | {"status": "saved"})
        respondent.save(update_fields=["draft", "draft_times"])
    return respondent, results


def pack(draft, ranges=None):
    """The chosen option ids of a draft as little-endian int32 bytes, in a stable order. A number
    answer counts as the option of the range it falls in (min ≤ value < max); outside every range,
    it converts to nothing. Text answers are never scored."""
    ids = []
    for question_id, value in draft.items():
        if isinstance(value, list):
            ids.extend(value)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            ids.append(value)
        elif isinstance(value, float):
            ids.extend(
                option_id
                for low, high, option_id in (ranges or {}).get(int(question_id), [])
                if low <= value and (high is None or value < high)
            )
    return np.array(sorted(ids), dtype="<i4").tobytes()


def answered(draft):
    return sum(1 for value in draft.values() if value not in (None, [], ""))


class Incomplete(AnswerError):
    """Choice questions are still unanswered: `missing` holds (number in the questionnaire, question)."""

    def __init__(self, missing):
        super().__init__(_("%(count)s questions are not answered yet.") % {"count": len(missing)})
        self.missing = missing


def unanswered(respondent, questionnaire):
    """Choice questions still without an answer, in order, with their number in the questionnaire."""
    draft = respondent.draft
    return [
        (number, q)
        for number, q in enumerate(questionnaire.questions.order_by("position"), start=1)
        if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and draft.get(str(q.id)) in (None, [])
    ]


def submit(*, respondent_id):
    """Send the answers once; a second submit finds it sent and changes nothing."""
    with transaction.atomic():
        respondent = Respondent.objects.select_for_update().select_related("round", "school").get(pk=respondent_id)
        if respondent.submitted_at:
            return respondent, False
        if not is_open(respondent):
            raise AnswerError(_("This round is closed."))
        missing = unanswered(respondent, questionnaire_for(respondent))
        if missing:
            raise Incomplete(missing)
        respondent.packed = pack(respondent.draft, _ranges_of(respondent))
        respondent.submitted_at = timezone.now()
        respondent.save(update_fields=["packed", "submitted_at"])
        _count_submission(respondent)
    return respondent, True


def _count_submission(respondent):
    _lock_progress(respondent.round, respondent.school)
    refresh_progress(respondent.round, [(respondent.school_id, respondent.school.level)])


def check_options(respondent, options):
    """Refuse a set of chosen option ids that the respondent's questionnaire could not produce: an
    option of another questionnaire, an option twice, or two options of a single-answer question."""
    shape = {
        option_id: (question_id, kind)
        for option_id, question_id, kind in Option.objects.filter(
            question__questionnaire=questionnaire_for(respondent)
        ).values_list("id", "question_id", "question__kind")
    }
    if not set(options) <= set(shape):
        raise AnswerError(_("That option does not belong to this question."))
    if len(set(options)) != len(options):
        raise AnswerError(_("An option was chosen twice."))
    single = [shape[o][0] for o in options if shape[o][1] != Question.Kind.MULTIPLE]
    if len(set(single)) != len(single):
        raise AnswerError(_("This question takes one answer only."))


@transaction.atomic
def submit_answers(*, respondent, options):
    """Store a complete set of chosen options at once (imports, synthetic rounds, tests)."""
    options = [int(o) for o in options]
    check_options(respondent, options)
    respondent.packed = np.array(sorted(options), dtype="<i4").tobytes()
    respondent.submitted_at = timezone.now()
    respondent.save(update_fields=["packed", "submitted_at"])
    _count_submission(respondent)
    return respondent


def _open_for_verval(round_, school):
    """The score verval works on, locked, while verval may still change it: the provisional rapor
    before publication; after it, the open pending version (the published rapor never changes)."""
    if Milestone.objects.filter(round=round_, school=school, step=Milestone.Step.PUBLISHED).exists():
        pending = (
            PendingScore.objects.select_for_update()
            .filter(round=round_, school=school, engine=scoring.ENGINE, set_aside_at__isnull=True)
            .first()
        )
        if pending is None:
            raise AnswerError(_("This rapor is published; reopen it to verify a new version."))
        return pending
    score = SchoolScore.objects.select_for_update().filter(round=round_, school=school, engine=scoring.ENGINE).first()
    if score is None:
        raise AnswerError(_("This school has no rapor to verify yet."))
    if Milestone.objects.filter(round=round_, school=school, step=Milestone.Step.VERIFIED).exists():
        raise AnswerError(_("Verification is finished; it can no longer change."))
    return score


def verval_split(round_, school, score):
    """({node id: Verification} that still holds for the score's engine values, {node id: Verification}
    made on other engine values (before late answers changed them), to be reviewed again). One query."""
    engine = _engine_values(round_, score)
    current, stale = {}, {}
    for v in Verification.objects.filter(round=round_, school=school):
        holds = v.node_id in engine and _same(v.original, engine[v.node_id])
        (current if holds else stale)[v.node_id] = v
    return current, stale


def _same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


def _engine_values(round_, score):
    """{sub-indicator node id: the engine's own score (None where missing)}, before any correction."""
    values = np.frombuffer(bytes(score.original_values or score.values), dtype="<f8")
    nodes = round_.instrument.nodes.order_by("position").values_list("id", "kind")
    return {
        node_id: None if np.isnan(values[i]) else float(values[i])
        for i, (node_id, kind) in enumerate(nodes)
        if kind == Node.Kind.SUBINDICATOR
    }


def _rescore(round_, school):
    """A correction is an input of the engine: the school's rapor is computed again now, its regions'
    means by the worker once this transaction commits."""
    from .tasks import refresh_regions_task

    scoring.rescore_school(round_, school)
    province_id = school.province_id
    transaction.on_commit(lambda: refresh_regions_task.enqueue(round_.pk, province_id))


@transaction.atomic
def verify(*, actor, round_, school, node, agreed, corrected=None, note=""):
    """Record the pengawas's verval of one sub-indicator: agree, or correct it with a note. A
    correction changes the published rapor and every regional mean; the engine's score is kept."""
    score = _open_for_verval(round_, school)
    engine = _engine_values(round_, score)[node.id]
    if not agreed and engine is not None and round(corrected, 2) == round(engine, 2):
        raise AnswerError(_("The corrected score equals the engine's score: choose Agree instead."))
    previous = Verification.objects.filter(round=round_, school=school, node=node).first()
    verification, _created = Verification.objects.update_or_create(
        round=round_,
        school=school,
        node=node,
        defaults={
            "verifier": actor,
            "agreed": agreed,
            "corrected": None if agreed else corrected,
            "note": note,
            "original": engine,
        },
    )
    if (previous.corrected if previous else None) != verification.corrected:
        _rescore(round_, school)
    record_audit(
        actor=actor,
        action="rapor.verify",
        obj=school,
        province_id=school.province_id,
        changes={"node": node.code, "agreed": agreed, "corrected": verification.corrected, "note": note},
    )
    return verification


@transaction.atomic
def agree_all(*, actor, round_, school, node):
    """Agree with every sub-indicator under a standard or indicator (or with one sub-indicator) that
    has no verval yet; corrections already made stay. Returns how many were agreed."""
    score = _open_for_verval(round_, school)
    engine = _engine_values(round_, score)
    subs = list(
        round_.instrument.nodes.filter(kind=Node.Kind.SUBINDICATOR)
        .filter(Q(id=node.id) | Q(parent_id=node.id) | Q(parent__parent_id=node.id))
        .values_list("id", flat=True)
    )
    _current, stale = verval_split(round_, school, score)
    stale_ids = {node_id for node_id, v in stale.items() if v.agreed} & set(subs)
    for sub in stale_ids:  # an agreement made on other engine values agrees with the new ones
        Verification.objects.filter(round=round_, school=school, node_id=sub).update(
            verifier=actor, original=engine[sub], at=timezone.now()
        )
    done = set(
        Verification.objects.filter(round=round_, school=school, node_id__in=subs).values_list("node_id", flat=True)
    )
    new = [sub for sub in subs if sub not in done]
    Verification.objects.bulk_create(
        [
            Verification(
                round=round_, school=school, node_id=sub, verifier=actor, agreed=True, original=engine[sub], note=""
            )
            for sub in new
        ],
        ignore_conflicts=True,  # a double click agrees once
    )
    count = len(new) + len(stale_ids)
    record_audit(
        actor=actor,
        action="rapor.verify",
        obj=school,
        province_id=school.province_id,
        changes={"under": node.code, "agreed": True, "count": count},
    )
    return count


def advance(*, actor, round_, school):
    """Move a school to the next status: verified (every sub-indicator reviewed), then published
    (version 1); once published, publish its open pending version as the next version."""
    with transaction.atomic():
        reached = set(
            Milestone.objects.select_for_update().filter(round=round_, school=school).values_list("step", flat=True)
        )
        if Milestone.Step.SCORED not in reached:
            raise AnswerError(_("This school has no rapor yet."))
        if Milestone.Step.VERIFIED not in reached:
            _require_verified(
                round_, school, SchoolScore.objects.get(round=round_, school=school, engine=scoring.ENGINE)
            )
            step = Milestone.Step.VERIFIED
        elif Milestone.Step.PUBLISHED not in reached:
            step = Milestone.Step.PUBLISHED
            _new_version(
                actor, round_, school, SchoolScore.objects.get(round=round_, school=school, engine=scoring.ENGINE)
            )
        else:
            _publish_pending(actor, round_, school)
            return Milestone.Step.PUBLISHED
        Milestone.objects.create(round=round_, school=school, step=step, actor=actor)
        record_audit(
            actor=actor,
            action=f"rapor.{step}",
            obj=school,
            province_id=school.province_id,
            changes={"round": round_.pk},
        )
    return step


def _require_verified(round_, school, score):
    subs = round_.instrument.nodes.filter(kind="sub").count()
    left = subs - len(verval_split(round_, school, score)[0])
    if left > 0:
        raise AnswerError(_("%(left)s sub-indicators are not verified yet.") % {"left": left})


def _new_version(actor, round_, school, score, reason=""):
    number = (RaporVersion.objects.filter(round=round_, school=school).aggregate(n=Max("number"))["n"] or 0) + 1
    return RaporVersion.objects.create(
        round=round_,
        school=school,
        number=number,
        values=score.values,
        total=score.total,
        total_published=score.total_published,
        level=score.level,
        original_total=score.original_total,
        respondents=score.respondents,
        verifications={
            str(v.node_id): [v.agreed, v.corrected, v.note]
            for v in Verification.objects.filter(round=round_, school=school)
        },
        reason=reason,
        published_by=actor,
        published_at=timezone.now(),
    )


PENDING_FIELDS = scoring.SCORE_COLUMNS[3:]  # what a score holds, past its round, school and engine


def _publish_pending(actor, round_, school):
    """The verified pending version becomes the school's rapor (the next version); its regions follow."""
    from .tasks import refresh_regions_task

    pending = _open_for_verval(round_, school)
    _require_verified(round_, school, pending)
    score = SchoolScore.objects.select_for_update().get(round=round_, school=school, engine=scoring.ENGINE)
    reason = pending_reason(pending, score)
    for field in PENDING_FIELDS:
        setattr(score, field, getattr(pending, field))
    score.save(update_fields=PENDING_FIELDS)
    version = _new_version(actor, round_, school, score, reason=reason)
    pending.delete()
    record_audit(
        actor=actor,
        action="rapor.republished",
        obj=school,
        province_id=school.province_id,
        changes={"round": round_.pk, "version": version.number, "total": score.total_published},
    )
    province_id = school.province_id
    transaction.on_commit(lambda: refresh_regions_task.enqueue(round_.pk, province_id))
    return version


def pending_reason(pending, published):
    """Why a pending version differs from the published rapor (its SchoolScore), in words for the
    page and the history."""
    reasons = []
    late = sum(pending.respondents.values()) - sum(published.respondents.values())
    if late > 0:
        reasons.append(_("%(n)s responses sent after publication") % {"n": late})
    if pending.reopened_by_id:
        reasons.append(_("reopened: %(reason)s") % {"reason": pending.reopen_reason})
    if not reasons and not scoring.same_scores(bytes(pending.values), bytes(published.values)):
        reasons.append(_("verval corrections"))
    return "; ".join(reasons)


def reopen(*, actor, round_, school, reason):
    """Open a published rapor for verification again (pengawas or LPMP): a pending version is made
    beside it from the answers and verval as they now stand; the published rapor stays in force."""
    reason = reason.strip()
    if not reason:
        raise AnswerError(_("Give the reason for reopening."))
    with transaction.atomic():
        if (
            not Milestone.objects.select_for_update()
            .filter(round=round_, school=school, step=Milestone.Step.PUBLISHED)
            .exists()
        ):
            raise AnswerError(_("Only a published rapor can be reopened."))
        pending = PendingScore.objects.select_for_update().filter(round=round_, school=school).first()
        if pending and pending.open and pending.reopened_by_id:
            return pending
        published = SchoolScore.objects.get(round=round_, school=school, engine=scoring.ENGINE)
        pending = pending or PendingScore(
            round=round_,
            school=school,
            engine=scoring.ENGINE,
            **{field: getattr(published, field) for field in PENDING_FIELDS},
        )
        pending.reopened_by, pending.reopen_reason = actor, reason
        pending.set_aside_at, pending.set_aside_by, pending.set_aside_reason = None, None, ""
        pending.save()
        scoring.rescore_school(round_, school)  # late answers and corrections since count in it
        record_audit(
            actor=actor,
            action="rapor.reopen",
            obj=school,
            province_id=school.province_id,
            changes={"round": round_.pk, "reason": reason},
        )
    return PendingScore.objects.get(round=round_, school=school)


@transaction.atomic
def set_aside(*, actor, round_, school, reason):
    """Keep the published rapor and leave the pending version (late answers) for the next round."""
    reason = reason.strip()
    if not reason:
        raise AnswerError(_("Give the reason for keeping the published rapor."))
    pending = PendingScore.objects.select_for_update().filter(round=round_, school=school, set_aside_at=None).first()
    if pending is None:
        raise AnswerError(_("There is no newer version to set aside."))
    pending.set_aside_at, pending.set_aside_by, pending.set_aside_reason = timezone.now(), actor, reason
    pending.save(update_fields=["set_aside_at", "set_aside_by", "set_aside_reason"])
    record_audit(
        actor=actor,
        action="rapor.set_aside",
        obj=school,
        province_id=school.province_id,
        changes={"round": round_.pk, "reason": reason},
    )
    return pending


@transaction.atomic
def request_scoring(*, actor, round_):
    """Queue the scoring of a round, one task per province for any worker; returns (run, queued).
    While a request of the round is active, asking again returns that one and queues nothing (double
    clicks, two admins, two machines: the database holds one active run per round)."""
    from .tasks import score_part_task

    active = round_.scoring_runs.select_for_update().filter(state__in=ScoringRun.ACTIVE).first()
    if active and active.requested_at > timezone.now() - STALE_SCORING_RUN:
        return active, False
    if active:  # its worker died with it: the national case takes minutes, not hours
        jobs.advance(active, "fail", _("No word from the worker for three hours."))
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(round=round_, requested_by=actor)
            parts = ScoringPart.objects.bulk_create(
                ScoringPart(run=run, province=province) for province in scoring.round_provinces(round_)
            )
    except IntegrityError:  # a concurrent request was first
        return round_.scoring_runs.get(state__in=ScoringRun.ACTIVE), False
    record_audit(actor=actor, action="round.score", obj=round_, province_id=round_.province_id)
    for part in parts:  # in this transaction: the database queue gets the run and its tasks, or nothing
        score_part_task.enqueue(part.pk)
    return run, True


PART_ATTEMPTS = 2  # a province's task is tried this many times before the run fails with its name
LEASE_GRACE = timedelta(minutes=1)  # a part started this long ago holds its lease, unless its worker died


def run_part(part_id, task_id=""):
    """A worker's side of one province: score it, keep its share of the national sums; a failure
    queues it again alone, then fails the run naming it. The last province in queues the summing."""
    from .tasks import finish_scoring_task

    part = ScoringPart.objects.select_related("run__round__instrument", "province").get(pk=part_id)
    run = part.run
    if run.state not in (ScoringRun.State.QUEUED, ScoringRun.State.RUNNING) or not jobs.advance(part, "start", task_id):
        return None  # its run gave up or failed meanwhile, or another worker took the part
    if jobs.advance(run, "start"):  # the first province of the run
        scoring.refresh_statistics(Respondent, if_stale=True)
    try:
        scored = scoring.score_province(run.round, scoring.load_matrix(run.round.instrument), part.province, part)
    except Exception as error:
        # A child's failure names its province already; one scored in this process does not.
        failure = (
            error.summary
            if isinstance(error, scoring.ScoringError)
            else f"{part.province.label}: {type(error).__name__}: {error}"
        )
        if _part_failed(part, failure):
            raise
        return None
    if scored is None:
        return None  # taken up again by another worker, who finishes it
    if not run.parts.exclude(state=ScoringPart.State.DONE).exists():
        # Whichever province is in last (several may see it): one wins the move, one summing is queued.
        if jobs.advance(ScoringRun.objects.get(pk=run.pk), "sum_up"):
            finish_scoring_task.enqueue(run.pk)
    return scored[0]


def _part_failed(part, failure):
    """A province that could not be scored is queued again alone while it has tries left; then it
    fails, and its run with it. Whether the run failed."""
    from .tasks import score_part_task

    if part.attempts < PART_ATTEMPTS:
        if jobs.advance(part, "retry", failure):
            transaction.on_commit(lambda: score_part_task.enqueue(part.pk))
        return False
    jobs.advance(part, "fail", failure)
    jobs.advance(ScoringRun.objects.get(pk=part.run_id), "fail", failure)
    return True


def recover_parts():
    """Provinces whose worker died mid-way (a machine lost, a process killed): a running part whose
    row lock is free well after it started has nobody scoring it, since a live worker holds the lock
    for as long as it writes (`scoring._score_province`). It is queued again for any worker, counting
    as a try. Returns how many were found. Only where the database can skip locked rows
    (PostgreSQL, the several-machine set-up); on SQLite a dead run gives way after STALE_SCORING_RUN."""
    if not connection.features.has_select_for_update_skip_locked:
        return 0
    with transaction.atomic():
        lost = list(
            ScoringPart.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("province")
            .filter(state=ScoringPart.State.RUNNING, started_at__lt=timezone.now() - LEASE_GRACE)
        )
        for part in lost:
            _part_failed(
                part, _("%(province)s: its worker stopped while scoring it.") % {"province": part.province.label}
            )
    return len(lost)


def finish_scoring(run_id):
    """The run's final task: the national means from every province's share, then done."""
    run = ScoringRun.objects.select_related("round__instrument").get(pk=run_id)
    if run.state != ScoringRun.State.SUMMING:
        return None
    parts = list(run.parts.all())
    try:
        matrix = scoring.load_matrix(run.round.instrument)
        scoring.finish_round(run.round, matrix, [scoring.share_from_json(p.nation) for p in parts])
    except Exception as error:
        jobs.advance(run, "fail", f"{type(error).__name__}: {error}")
        raise
    rapor = sum(p.rapor or 0 for p in parts)
    jobs.advance(run, "finish", rapor)
    return rapor
