"""Scoped reads for pemetaan mutu: rounds, progress against quotas, rapor mutu."""

from collections import defaultdict

import numpy as np
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from mutu.accounts.permissions import Perm
from mutu.instruments.models import Node
from mutu.schools.selectors import schools_for_user

from .models import RegionScore, Respondent, Round, SchoolScore
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


def slot_counts(round_, school_ids=None):
    """{school_id: {type: (slots, submitted)}} in one query."""
    rows = Respondent.objects.filter(round=round_)
    if school_ids is not None:
        rows = rows.filter(school_id__in=school_ids)
    counts = defaultdict(dict)
    for school_id, rtype, slots, sent in rows.values_list("school_id", "respondent_type").annotate(
        slots=Count("id"), sent=Count("id", filter=Q(submitted_at__isnull=False))
    ):
        counts[school_id][rtype] = (slots, sent)
    return counts


def school_progress(round_, school, counts=None):
    """Per respondent type: quota, slots, submitted; and whether every quota is met."""
    counts = counts if counts is not None else slot_counts(round_, [school.id]).get(school.id, {})
    quotas = round_.quotas.get(school.level, {})
    rows = []
    for rtype in sorted(set(quotas) | set(counts)):
        slots, sent = counts.get(rtype, (0, 0))
        rows.append(
            {
                "type": rtype,
                "quota": int(quotas.get(rtype, 0)),
                "slots": slots,
                "sent": sent,
                "met": sent >= int(quotas.get(rtype, 0)),
            }
        )
    return rows, all(r["met"] for r in rows) and bool(rows)


def region_progress(round_, schools):
    """The deadline view: complete schools, and the lagging ones ordered by how far behind they are."""
    schools = list(schools.select_related("district", "regency").order_by("regency__name", "name"))
    counts = slot_counts(round_, [s.id for s in schools])
    complete, lagging = 0, []
    per_regency = defaultdict(lambda: {"schools": 0, "complete": 0})
    for school in schools:
        rows, done = school_progress(round_, school, counts.get(school.id, {}))
        per_regency[school.regency.name]["schools"] += 1
        if done:
            complete += 1
            per_regency[school.regency.name]["complete"] += 1
            continue
        quota = sum(r["quota"] for r in rows) or 1
        sent = sum(min(r["sent"], r["quota"]) for r in rows)
        lagging.append({"school": school, "sent": sent, "quota": quota, "share": sent / quota})
    lagging.sort(key=lambda row: (row["share"], row["school"].name))
    total = len(schools)
    regencies = sorted(
        ({"name": name, **row, "share": row["complete"] / row["schools"]} for name, row in per_regency.items()),
        key=lambda row: (row["share"], row["name"]),
    )
    return {
        "total": total,
        "complete": complete,
        "share": complete / total if total else 0,
        "lagging": lagging,
        "regencies": regencies,
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


def _manage_memberships(user):
    from mutu.accounts.permissions import memberships_with

    return memberships_with(user, Perm.ROUND_MANAGE)


def can_manage_national(user):
    from mutu.accounts.models import Role

    return any(m.role == Role.ADMIN_PUSAT for m in _manage_memberships(user))


def manageable_provinces(user):
    from mutu.regions.models import Province

    if can_manage_national(user):
        return Province.objects.all()
    return Province.objects.filter(id__in=[m.province_id for m in _manage_memberships(user) if m.province_id])


def can_manage_round(user, round_):
    if can_manage_national(user):
        return True
    return round_.province_id is not None and manageable_provinces(user).filter(id=round_.province_id).exists()
