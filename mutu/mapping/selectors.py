"""Scoped reads for pemetaan mutu: rounds, progress against quotas, rapor mutu."""

from collections import defaultdict

import numpy as np
from django.db.models import Case, Count, Exists, FilteredRelation, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.instruments.models import Node, RespondentType
from mutu.schools.selectors import schools_for_user

from .models import RegionProgress, RegionScore, Respondent, Round, SchoolProgress, SchoolScore
from .scoring import ENGINE


def rounds_for_user(user):
    provinces = schools_for_user(user, Perm.ROUND_VIEW).values("province_id")
    if not schools_for_user(user, Perm.ROUND_VIEW).exists():
        return Round.objects.none()
    return Round.objects.filter(Q(province__isnull=True) | Q(province_id__in=provinces)).select_related(
        "province", "instrument"
    )


def round_for_user(user, pk):
    return get_object_or_404(rounds_for_user(user), pk=pk)


def round_schools(user, round_, perm=Perm.ROUND_VIEW):
    schools = schools_for_user(user, perm)
    return schools.filter(province_id=round_.province_id) if round_.province_id else schools


def slot_counts(round_, school_ids):
    """{school_id: {type: (slots, submitted)}} in one query."""
    rows = Respondent.objects.filter(round=round_, school_id__in=school_ids)
    counts = defaultdict(dict)
    for school_id, rtype, slots, sent in rows.values_list("school_id", "respondent_type").annotate(
        slots=Count("id"), sent=Count("id", filter=Q(submitted_at__isnull=False))
    ):
        counts[school_id][rtype] = (slots, sent)
    return counts


def school_progress(round_, school):
    """Per respondent type: quota, slots, submitted; and whether every quota is met (one query)."""
    progress = SchoolProgress.objects.filter(round=round_, school=school).first()
    slots, sent = (progress.slots, progress.sent) if progress else ({}, {})
    quotas = round_.quotas.get(school.level, {})
    rows = [
        {
            "type": rtype,
            "label": RespondentType(rtype).label,
            "quota": int(quotas.get(rtype, 0)),
            "slots": slots.get(rtype, 0),
            "sent": sent.get(rtype, 0),
            "met": sent.get(rtype, 0) >= int(quotas.get(rtype, 0)),
        }
        for rtype in sorted(set(quotas) | set(slots), key=RespondentType.values.index)
    ]
    return rows, bool(progress and progress.complete)


def tracked_schools(round_, schools):
    """The schools with their progress row of the round (`progress`) and whether they met every
    quota (`done`, false without a row)."""
    return schools.annotate(
        progress=FilteredRelation("round_progress", condition=Q(round_progress__round=round_))
    ).annotate(done=Coalesce("progress__complete", Value(False)))


def _stored_counts(round_, area):
    """Per kab/kota (code, name, province code, name, schools, complete) from RegionProgress, for an
    area made of whole regions; None where it holds single schools or the round has no counts yet."""
    if area is None or area.assignments or area.schools:
        return None
    stored = RegionProgress.objects.filter(round=round_).filter(area.school_q())
    if round_.province_id:
        stored = stored.filter(province_id=round_.province_id)
    if not RegionProgress.objects.filter(round=round_).exists():
        return None
    return list(
        stored.order_by()
        .values_list("regency__code", "regency__name", "province__code", "province__name")
        .annotate(n=Sum("schools"), complete=Sum("complete"))
    )


class _Counted:
    """A queryset whose length is known already, for the paginator (no COUNT over the region)."""

    def __init__(self, queryset, count):
        self.queryset, self._count, self.ordered = queryset, count, queryset.ordered

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def region_progress(round_, schools, area=None, province=None):
    """The deadline view in SQL whatever the number of schools: totals per regency/city, and the
    lagging schools (least advanced first) to page through. For an `area` of whole regions the totals
    are the stored counts (RegionProgress, one row per kab/kota and jenjang); otherwise, and until
    they are first counted, the schools' own progress rows. Schools of several provinces are listed
    one province at a time (`province`, a code; none without it): a list of the nation's lagging
    schools would sort every school of the country on each view, and nobody reads it."""
    tracked = tracked_schools(round_, schools)
    per_regency = _stored_counts(round_, area)
    if per_regency is None:
        per_regency = list(
            tracked.order_by()
            .values_list("regency__code", "regency__name", "province__code", "province__name")
            .annotate(n=Count("id"), complete=Count("id", filter=Q(done=True)))
        )
    by_province = defaultdict(lambda: [0, 0])
    for _code, _regency, province_code, province_name, n, done in per_regency:
        by_province[(province_code, province_name)][0] += n
        by_province[(province_code, province_name)][1] += done

    def ranked(kind, rows):
        return sorted(
            (
                {"kind": kind, "code": code, "name": name, "schools": n, "complete": done, "lagging": n - done}
                | {"share": done / n}
                for code, name, n, done in rows
            ),
            key=lambda row: (row["share"], row["name"]),
        )

    regencies = ranked("regency", ((code, name, n, done) for code, name, _pc, _p, n, done in per_regency))
    provinces = ranked("province", ((code, name, n, done) for (code, name), (n, done) in by_province.items()))
    total = sum(row["schools"] for row in regencies)
    complete = sum(row["complete"] for row in regencies)
    # Schools without a progress row have no slot yet: nothing sent against their jenjang's quota.
    level_quota = Case(
        *(When(level=level, then=Value(round_.quota_total(level))) for level in round_.quotas),
        default=Value(0),
    )
    chosen = provinces[0] if len(provinces) == 1 else next((p for p in provinces if p["code"] == province), None)
    if len(provinces) > 1:
        tracked = tracked.filter(province__code=chosen["code"]) if chosen else tracked.none()
    lagging = (
        tracked.filter(done=False)
        .annotate(
            share=Coalesce("progress__share", Value(0.0)),
            sent=Coalesce("progress__sent_in_quota", Value(0)),
            quota=Coalesce("progress__quota", level_quota),
        )
        .select_related("regency")
        .order_by("share", "name", "id")
    )
    return {
        "total": total,
        "complete": complete,
        "lagging_count": total - complete,
        "share": complete / total if total else 0,
        "lagging": _Counted(lagging, chosen["lagging"] if chosen else 0),
        "lagging_in": chosen if len(provinces) > 1 else None,
        "regencies": regencies,
        "provinces": provinces,
    }


def nodes_of(round_):
    return list(Node.objects.filter(version=round_.instrument_id).order_by("position"))


def decode(values):
    return np.frombuffer(bytes(values), dtype="<f8")


def school_rapor(round_, school):
    """The stored rapor of a school with the means of its kab/kota, province and nation, in 3 queries."""
    score = SchoolScore.objects.filter(round=round_, school=school, engine=ENGINE).first()
    regions = {
        (r.kind, r.code): r
        for r in RegionScore.objects.filter(round=round_, engine=ENGINE).filter(
            Q(kind="regency", code=school.regency.code)
            | Q(kind="province", code=school.province.code)
            | Q(kind="nation")
        )
    }
    return score, regions


def history(school, round_):
    """The school's totals over rounds (the trend)."""
    return list(
        SchoolScore.objects.filter(school=school, engine=ENGINE, round__year__lte=round_.year)
        .order_by("round__year", "round_id")
        .values_list("round__year", "round__name", "total", "level")
    )


def can_manage_national(user):
    return area_for(user, Perm.ROUND_MANAGE).national


def manageable_provinces(user):
    return area_for(user, Perm.ROUND_MANAGE).whole_provinces()


def can_manage_round(user, round_):
    if can_manage_national(user):
        return True
    return round_.province_id is not None and manageable_provinces(user).filter(id=round_.province_id).exists()


def verval_queue(user, round_):
    """The schools of the user's verval scope that have a rapor in the round, those waiting for
    verification first (a published rapor with a newer provisional version among them), then those
    waiting for publication, then the published ones."""
    from .models import Milestone, PendingScore

    schools = round_schools(user, round_, Perm.VERVAL)
    steps = Milestone.objects.filter(round=round_, school=OuterRef("pk"))
    newer = PendingScore.objects.filter(round=round_, school=OuterRef("pk"), set_aside_at__isnull=True)
    return (
        schools.filter(Exists(steps.filter(step=Milestone.Step.SCORED)))
        .annotate(
            verified=Exists(steps.filter(step=Milestone.Step.VERIFIED)),
            published=Exists(steps.filter(step=Milestone.Step.PUBLISHED)),
            newer=Exists(newer),
        )
        .select_related("regency")
        .order_by("-newer", "verified", "published", "name", "id")
    )


def school_rounds(user, school):
    """The rounds whose rapor pages of this school the user may open, newest first."""
    if not schools_for_user(user, Perm.ROUND_VIEW).filter(pk=school.pk).exists():
        return Round.objects.none()
    return rounds_for_user(user).filter(Q(province__isnull=True) | Q(province_id=school.province_id))


def published_school_ids(round_, schools=None):
    """Ids of the schools whose rapor of the round is published (final), among `schools` if given."""
    from .models import Milestone

    published = Milestone.objects.filter(round=round_, step=Milestone.Step.PUBLISHED)
    if schools is not None:
        published = published.filter(school__in=schools)
    return published.values_list("school_id", flat=True)
