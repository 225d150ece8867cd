"""The recap every LPMP publishes: participants per kab/kota (rows) and role (columns) with row and
column totals, registered or attended, for one event, one stage of a cohort, or a whole cohort.

One query whatever the number of participants (grouped counts, kab/kota names joined in)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mutu.core.exporters import ListExporter

from .models import Attendance, ParticipantRole


@dataclass
class Recap:
    title: str
    attended: bool
    roles: list  # [(role value, label)] of the columns: the roles that occur
    rows: list = field(default_factory=list)  # [{"regency": name, "counts": [...], "total": n}]
    totals: list = field(default_factory=list)
    total: int = 0
    undated: list = field(default_factory=list)  # sessions without a date, with their kab/kota


def build(participants, *, title, attended=False):
    """The recap of a participant queryset (already scoped to what the user may see)."""
    if attended:
        participants = participants.filter(Exists(Attendance.objects.filter(participant=OuterRef("pk"))))
    grouped = (
        participants.values("regency__code", "regency__name", "regency__kind", "role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells, names = {}, {}
    for row in grouped:
        code = row["regency__code"]
        names[code] = (row["regency__kind"], row["regency__name"])
        cells[(code, row["role"])] = row["n"]
    present = {role for _code, role in cells}
    roles = [(role.value, role.label) for role in ParticipantRole if role.value in present]
    recap = Recap(title=title, attended=attended, roles=roles)
    for code in sorted(names, key=lambda c: names[c]):  # kabupaten first, then kota, by name (as the LPMPs do)
        counts = [cells.get((code, role), 0) for role, _label in roles]
        recap.rows.append({"regency": names[code][1], "counts": counts, "total": sum(counts)})
    recap.totals = [sum(r["counts"][i] for r in recap.rows) for i in range(len(roles))]
    recap.total = sum(recap.totals)
    return recap


def scoped_participants(user, events):
    """The participants of these events the user may count: every one of the events the user runs,
    else those of the user's kab/kota or schools (one queryset, so the recap stays one query)."""
    from mutu.accounts.permissions import Perm, has_perm
    from mutu.accounts.scopes import area_for

    from .models import Participant
    from .selectors import participant_scope

    manage, view = area_for(user, Perm.PROGRAMME_MANAGE), area_for(user, Perm.PROGRAMME_VIEW)
    rows = Participant.objects.filter(event__in=events)
    if manage.national:
        return rows
    q = Q(event__cohort__province_id__in=manage.provinces) | participant_scope(view)
    if has_perm(user, Perm.PROGRAMME_ATTENDANCE):
        q |= Q(event__facilitators=user)
    return Participant.objects.filter(pk__in=rows.filter(q).values("pk"))


def undated_sessions(events):
    """Sessions of these events without a date (a gap the source left), with the kab/kota they cover."""
    from .models import Session

    return list(
        Session.objects.filter(event__in=events, starts_on__isnull=True)
        .select_related("event")
        .prefetch_related("regencies")
    )


class RecapExporter(ListExporter):
    def __init__(self, recap, filename):
        self.recap, self.filename, self.title = recap, filename, recap.title

    def headers(self):
        return [_("No"), _("Kab/kota")] + [capfirst(str(label)) for _role, label in self.recap.roles] + [_("Total")]

    def rows(self):
        for number, row in enumerate(self.recap.rows, start=1):
            yield [number, row["regency"], *row["counts"], row["total"]]
        yield ["", _("Total"), *self.recap.totals, self.recap.total]
