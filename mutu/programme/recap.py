"""The recap every LPMP publishes: participants per kab/kota (rows) and role (columns) with row and
column totals, registered or attended, for one event, one stage of a cohort, or a whole cohort.

One query whatever the number of participants (grouped counts, kab/kota names joined in)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mutu.core.exporters import ListExporter

from .models import Attendance, ParticipantRole, Session


@dataclass
class Recap:
    title: str
    attended: bool
    roles: list  # [(role value, label)] of the columns: the roles that occur
    rows: list = field(default_factory=list)  # [{"regency": name, "counts": [...], "total": n}]
    totals: list = field(default_factory=list)
    total: int = 0


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


def undated_sessions(events):
    """Sessions of these events without a date (a gap the source left), with the kab/kota they cover."""
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
