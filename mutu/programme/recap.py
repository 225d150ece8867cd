"""The recap every LPMP publishes: participants per kab/kota (rows) and role (columns) with row and
column totals, registered or attended, for one event, one stage of a cohort, or a whole cohort.

One query whatever the number of participants (grouped counts, kab/kota names joined in)."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mutu.core.exporters import ListExporter

from .models import Attendance, ImbasSchool, ModelSchool, ModelSchoolStatus, ParticipantRole, Session


@dataclass
class Recap:
    title: str
    attended: bool
    roles: list  # [(role value, label)] of the columns: the roles that occur
    rows: list = field(default_factory=list)  # [{"regency": name, "counts": [...], "total": n}]
    totals: list = field(default_factory=list)
    total: int = 0
    # Principals whose school is not of their kind in the cohort (registered before the rules held):
    # [(kab/kota name, role label, count)], shown and never counted.
    flagged: list = field(default_factory=list)


def _consistent():
    """True unless a principal's school is not, in the event's cohort, what their role says."""
    model = ModelSchool.objects.filter(
        cohort=OuterRef("event__cohort"),
        school=OuterRef("school"),
        status__in=[ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED],
    )
    imbas = ImbasSchool.objects.filter(cohort=OuterRef("event__cohort"), school=OuterRef("school"))
    return Case(
        When(Q(role=ParticipantRole.PRINCIPAL_MODEL) & ~Exists(model), then=Value(False)),
        When(Q(role=ParticipantRole.PRINCIPAL_IMBAS) & ~Exists(imbas), then=Value(False)),
        default=Value(True),
        output_field=BooleanField(),
    )


def build(participants, *, title, attended=False):
    """The recap of a participant queryset (already scoped to what the user may see)."""
    if attended:
        participants = participants.filter(Exists(Attendance.objects.filter(participant=OuterRef("pk"))))
    grouped = (
        participants.annotate(consistent=_consistent())
        .values("regency__code", "regency__name", "regency__kind", "role", "consistent")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells, names, flagged = {}, {}, []
    labels = dict(ParticipantRole.choices)
    for row in grouped:
        code = row["regency__code"]
        if not row["consistent"]:
            flagged.append((row["regency__name"], labels.get(row["role"], row["role"]), row["n"]))
            continue
        names[code] = (row["regency__kind"], row["regency__name"])
        cells[(code, row["role"])] = row["n"]
    present = {role for _code, role in cells}
    roles = [(role.value, role.label) for role in ParticipantRole if role.value in present]
    recap = Recap(title=title, attended=attended, roles=roles, flagged=sorted(flagged))
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
