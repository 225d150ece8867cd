"""Analysis from the rapor: the system proposes the problems, the school team chooses and analyses them.

A sub-indicator is proposed when its score lies below the province's problem band (default: below
the instrument's top band), or below the school's own target for its standard where that is higher
(set in the previous cycle's new standards). Its priority, from 0 to 1:

    0.5 × gap / 7            the distance to the target (7, or the school's own higher target)
  + 0.3 × groups / asked     the share of respondent groups (of at least MUTU_MIN_GROUP_SIZE people)
                             whose own score lies below the band too
  + 0.2 × weight / heaviest  the sub-indicator's share of its standard (1 / its standard's number
                             of sub-indicators), against the heaviest proposed

The team may reorder the chosen problems; each gets kekuatan, kelemahan, masalah, akar masalah
(from a library: the instrument's "usual causes" and the root causes other schools of the province
wrote for the same sub-indicator) and rekomendasi.
"""

import math
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from mutu.core.services import record_audit
from mutu.instruments.models import LevelBand, Node
from mutu.mapping.models import SchoolScore
from mutu.mapping.scoring import ENGINE, SCALE, role_views
from mutu.mapping.selectors import decode

from .models import CycleDocument, CycleSetting, Problem, Step
from .services import CycleError, open_step, permitted

FIELDS = ["strengths", "weaknesses", "problem", "root_cause", "recommendation"]


@dataclass
class Proposal:
    node: Node
    score: float
    gap: float
    groups_below: int
    groups_asked: int
    weight: float
    priority: float = 0.0


def rapor_for(cycle):
    """The school's latest rapor up to the cycle's year (a SchoolScore), or None."""
    return (
        SchoolScore.objects.filter(school=cycle.school, engine=ENGINE, round__year__lte=cycle.year, total__isnull=False)
        .select_related("round__instrument")
        .order_by("-round__year", "-round__closes_on")
        .first()
    )


def node_scores(rapor):
    """{node id: score} of a rapor (NaN: missing)."""
    nodes = Node.objects.filter(version=rapor.round.instrument_id).order_by("position").values_list("id", flat=True)
    return {node_id: float(value) for node_id, value in zip(nodes, decode(rapor.values), strict=True)}


def threshold(cycle, version):
    """The score below which a sub-indicator is a problem: the lower end of the problem band."""
    uppers = list(LevelBand.objects.filter(version=version).order_by("position").values_list("upper", flat=True))
    setting = CycleSetting.objects.filter(province_id=cycle.school.province_id).first()
    band = setting.problem_band if setting and setting.problem_band is not None else len(uppers) - 1
    band = min(max(band, 1), len(uppers) - 1)
    return uppers[band - 1]


def propose(cycle):
    """(rapor, proposals ordered by priority, threshold) for the cycle's school."""
    rapor = rapor_for(cycle)
    if rapor is None:
        return None, [], None
    version = rapor.round.instrument
    nodes = list(Node.objects.filter(version=version).order_by("position"))
    values = decode(rapor.values)
    below = threshold(cycle, version)
    from .evaluation import own_targets  # evaluation reads the analysis' rapor too

    own = own_targets(cycle)
    matrix, views = role_views(rapor.round, cycle.school)
    subs_per_standard = {}
    standard_of = {}
    by_id = {n.id: n for n in nodes}
    for node in nodes:
        if node.kind == Node.Kind.SUBINDICATOR:
            top = node
            while top.parent_id:
                top = by_id[top.parent_id]
            standard_of[node.id] = top.id
            subs_per_standard[top.id] = subs_per_standard.get(top.id, 0) + 1
    proposals = []
    for k, position in enumerate(matrix.sub_nodes):
        node, score = nodes[position], float(values[position])
        level = max(below, own.get(by_id[standard_of[node.id]].code, below))  # the school's own target, if higher
        if math.isnan(score) or score >= level:
            continue
        asked = [view[k] for view in views.values() if not math.isnan(view[k])]
        proposals.append(
            Proposal(
                node=node,
                score=score,
                gap=SCALE - score,
                groups_below=sum(1 for v in asked if v < level),
                groups_asked=len(asked),
                weight=1 / subs_per_standard[standard_of[node.id]],
            )
        )
    heaviest = max((p.weight for p in proposals), default=1)
    for p in proposals:
        share = p.groups_below / p.groups_asked if p.groups_asked else 0
        p.priority = 0.5 * p.gap / SCALE + 0.3 * share + 0.2 * p.weight / heaviest
    proposals.sort(key=lambda p: (-p.priority, p.node.position))
    return rapor, proposals, below


def analysis_document(cycle):
    """The document the analysis belongs to: pemetaan, or the entry step when the cycle starts later."""
    step = Step.MAPPING if Step.MAPPING in cycle.steps else cycle.entry_step
    return CycleDocument.objects.get(cycle=cycle, step=step)


def _editable(actor, cycle):
    document = analysis_document(cycle)
    open_step(
        actor,
        cycle,
        document,
        not_team=_("Only the school's own team writes its analysis."),
        closed=_("The analysis is “%(state)s”: it can be changed again if it is returned for revision.")
        % {"state": document.get_state_display()},
    )


def editable(user, cycle):
    return permitted(_editable, user, cycle)


@transaction.atomic
def choose(*, actor, cycle, node_id):
    """Add a proposed sub-indicator to the chosen problems (a second click finds it chosen)."""
    _editable(actor, cycle)
    rapor, proposals, _below = propose(cycle)
    proposal = next((p for p in proposals if p.node.id == node_id), None)
    if proposal is None:
        raise CycleError(_("This sub-indicator is not among the proposed problems."))
    last = cycle.problems.aggregate(last=Max("position"))["last"] or 0
    problem, created = Problem.objects.get_or_create(
        cycle=cycle,
        node=proposal.node,
        defaults={"round": rapor.round, "score": proposal.score, "priority": proposal.priority, "position": last + 1},
    )
    if created:
        record_audit(actor=actor, action="cycle.problem.choose", obj=problem, province_id=cycle.school.province_id)
    return problem


@transaction.atomic
def choose_indicator(*, actor, cycle, indicator_id):
    """Add a Rapor Pendidikan indicator to the chosen problems, placed after those chosen before."""
    from mutu.pbd import planning as pbd

    _editable(actor, cycle)
    _year, lines = pbd.propose(cycle)
    line = next((line for line in lines if line.indicator.pk == indicator_id), None)
    if line is None:
        raise CycleError(_("This indicator is not in the school's Rapor Pendidikan."))
    last = cycle.problems.aggregate(last=Max("position"))["last"] or 0
    score = line.achievement.score
    problem, created = Problem.objects.get_or_create(
        cycle=cycle,
        indicator=line.indicator,
        defaults={
            "capaian": line.achievement.capaian,
            "score": float(score) if score is not None else None,
            "position": last + 1,
        },
    )
    if created:
        record_audit(
            actor=actor,
            action="cycle.problem.choose",
            obj=problem,
            changes={"indicator": line.indicator.code, "year": line.indicator.framework.year},
            province_id=cycle.school.province_id,
        )
    return problem


@transaction.atomic
def remove(*, actor, problem):
    _editable(actor, problem.cycle)
    record_audit(actor=actor, action="cycle.problem.remove", obj=problem, province_id=problem.cycle.school.province_id)
    problem.delete()


@transaction.atomic
def reorder(*, actor, problem, offset, reason=""):
    """Move a problem up (-1) or down (+1) in the team's order. A Rapor Pendidikan problem leaves the
    PBD order only with the team's reason, kept on it and in the audit."""
    _editable(actor, problem.cycle)
    reason = reason.strip()[:300]
    if problem.from_rapor_pendidikan and not reason:
        raise CycleError(_("Say why %(code)s moves away from the PBD order.") % {"code": problem.code})
    problems = list(problem.cycle.problems.select_for_update().order_by("position", "id"))
    index = next(i for i, p in enumerate(problems) if p.pk == problem.pk)
    target = index + offset
    if reason and 0 <= target < len(problems):
        Problem.objects.filter(pk=problem.pk).update(order_reason=reason)
        record_audit(
            actor=actor,
            action="cycle.problem.reorder",
            obj=problem,
            changes={"offset": offset, "reason": reason},
            province_id=problem.cycle.school.province_id,
        )
    if 0 <= target < len(problems):
        problems[index], problems[target] = problems[target], problems[index]
        for position, item in enumerate(problems, start=1):
            if item.position != position:
                Problem.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def save(*, actor, problem, data):
    """Save a problem's analysis; a Rapor Pendidikan problem's root lies in one of its sub-indicators."""
    _editable(actor, problem.cycle)
    fields = FIELDS
    if problem.from_rapor_pendidikan:
        root = data.get("root_indicator")
        if root is not None and root.parent_id != problem.indicator_id:
            raise CycleError(
                _("%(root)s is not a sub-indicator of %(code)s.") % {"root": root.code, "code": problem.code}
            )
        fields = [*FIELDS, "root_indicator"]
    changes = {name: data.get(name) for name in fields if getattr(problem, name) != data.get(name)}
    for name, value in changes.items():
        setattr(problem, name, value)
    if changes:
        problem.save()
        record_audit(
            actor=actor,
            action="cycle.problem.save",
            obj=problem,
            changes={name: "…" for name in changes},
            province_id=problem.cycle.school.province_id,
        )
    return problem


def root_causes(problem):
    """The library for a problem: the usual causes of its sub-indicator (the instrument's) or of its
    indicator (PBD's), then what other schools of the province wrote for the same one."""
    if problem.from_rapor_pendidikan:
        from mutu.pbd.planning import common_causes

        usual = common_causes(problem.indicator.code)
        same = Q(indicator__code=problem.indicator.code)
    else:
        usual = [c.strip(" -•\t") for c in re.split(r"[\n;]+", problem.node.causes or "") if c.strip(" -•\t")]
        same = Q(node=problem.node)
    written = (
        Problem.objects.filter(same, cycle__school__province_id=problem.cycle.school.province_id)
        .exclude(pk=problem.pk)
        .exclude(root_cause="")
        .values_list("root_cause", flat=True)
        .distinct()[:20]
    )
    return list(dict.fromkeys(usual + list(written)))


def unfinished(document):
    """Why the analysis cannot be submitted yet: [] when it can."""
    cycle = document.cycle
    if document != analysis_document(cycle):
        return []
    problems = list(cycle.problems.select_related("node", "indicator"))
    if not problems:
        return [_("Choose at least one problem from the rapor and analyse it.")]
    reasons = [
        _("Problem %(code)s needs its problem, root cause and recommendation.") % {"code": p.code}
        for p in problems
        if not p.complete
    ]
    subs = set(Problem.objects.filter(cycle=cycle, indicator__children__isnull=False).values_list("pk", flat=True))
    return reasons + [
        _("Name the sub-indicator where the root cause of %(code)s lies.") % {"code": p.code}
        for p in problems
        if p.pk in subs and p.root_indicator_id is None
    ]
