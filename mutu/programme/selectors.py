"""Every read of the programme, scoped by the user (the scope rule is `accounts.scopes`).

- A cohort is its province's: the LPMP of that province (and pusat) manage it and see all of it.
- Others see the parts that touch their scope: a Dinas the model and imbas schools, events and
  participants of its kab/kota (a Dinas provinsi: its SMA/SMK/SLB schools and its province's
  events); a pengawas and a school their own schools' records; a facilitator the events they run.
"""

from django.db.models import Count, Q

from mutu.accounts.permissions import Perm, has_perm
from mutu.accounts.scopes import NOWHERE, area_for
from mutu.instruments.models import LevelBand
from mutu.mapping.models import SchoolScore
from mutu.mapping.scoring import ENGINE
from mutu.schools.models import School

from .models import Cohort, Event, ImbasSchool, ModelSchool, Participant


def manages(user, cohort):
    """Whether the user runs this cohort (its province's LPMP, or pusat)."""
    area = area_for(user, Perm.PROGRAMME_MANAGE)
    return area.national or cohort.province_id in area.provinces


def cohorts_for(user):
    area = area_for(user, Perm.PROGRAMME_VIEW)
    if area.national:
        return Cohort.objects.select_related("province")
    schools = area.school_q(prefix="school__")
    ids = set(Cohort.objects.filter(area.province_q()).values_list("pk", flat=True))
    ids |= set(ModelSchool.objects.filter(schools).values_list("cohort_id", flat=True))
    ids |= set(ImbasSchool.objects.filter(schools).values_list("cohort_id", flat=True))
    ids |= set(events_for(user).values_list("cohort_id", flat=True))
    # Who proposes candidates sees the cohorts of the provinces of its schools.
    proposing = area_for(user, Perm.PROGRAMME_PROPOSE)
    if proposing != NOWHERE:
        provinces = School.objects.filter(proposing.school_q()).values("province_id")
        ids |= set(Cohort.objects.filter(province_id__in=provinces).values_list("pk", flat=True))
    return Cohort.objects.filter(pk__in=ids).select_related("province")


def model_schools_for(user, cohort):
    records = cohort.model_schools.select_related("school__regency", "school__district", "replaced_by__school")
    if manages(user, cohort):
        return records
    return records.filter(area_for(user, Perm.PROGRAMME_VIEW).school_q(prefix="school__"))


def model_school_counts(user, cohorts):
    """{(cohort id, status): the model schools the user sees} for these cohorts, in one query."""
    manage, view = area_for(user, Perm.PROGRAMME_MANAGE), area_for(user, Perm.PROGRAMME_VIEW)
    seen = Q() if manage.national else Q(cohort__province_id__in=manage.provinces) | view.school_q(prefix="school__")
    rows = ModelSchool.objects.filter(seen, cohort__in=[c.pk for c in cohorts]).values("cohort_id", "status")
    return {(row["cohort_id"], row["status"]): row["n"] for row in rows.annotate(n=Count("pk")).order_by()}


def imbas_for(user, cohort):
    records = cohort.imbas_schools.select_related("school__regency", "school__district", "model_school__school")
    if manages(user, cohort):
        return records
    area = area_for(user, Perm.PROGRAMME_VIEW)
    # A model school's team sees its own imbas schools too.
    return records.filter(area.school_q(prefix="school__") | area.school_q(prefix="model_school__school__"))


def events_for(user):
    manage = area_for(user, Perm.PROGRAMME_MANAGE)
    view = area_for(user, Perm.PROGRAMME_VIEW)
    if manage.national or view.national:
        return Event.objects.select_related("cohort__province")
    q = Q(cohort__province_id__in=manage.provinces) | Q(facilitators=user)
    q |= view.regency_q("sessions__regencies") | Q(
        pk__in=Participant.objects.filter(view.school_q(prefix="school__")).values("event_id")
    )
    return Event.objects.filter(pk__in=Event.objects.filter(q).values("pk")).select_related("cohort__province")


def runs(user, event):
    """Whether the user runs this event: manages its cohort, or facilitates it with a role that takes
    attendance."""
    if manages(user, event.cohort):
        return True
    return has_perm(user, Perm.PROGRAMME_ATTENDANCE) and event.facilitators.filter(pk=user.pk).exists()


def participants_in(user, events):
    """The participants of these events the user may see: all those of the events the user runs (its
    cohort's LPMP, pusat, its facilitators), else those of the user's schools or kab/kota. One queryset,
    so that a recap over many events stays one query."""
    manage, view = area_for(user, Perm.PROGRAMME_MANAGE), area_for(user, Perm.PROGRAMME_VIEW)
    rows = Participant.objects.filter(event__in=events)
    if manage.national:
        return rows
    q = Q(event__cohort__province_id__in=manage.provinces) | participant_scope(view)
    if has_perm(user, Perm.PROGRAMME_ATTENDANCE):
        q |= Q(event__facilitators=user)
    return Participant.objects.filter(pk__in=rows.filter(q).values("pk"))


def participants_for(user, event):
    """The participants of one event the user may see."""
    return participants_in(user, [event]).select_related("regency", "school", "session")


def participant_scope(area):
    """Participants of a school by the school scope (a Dinas kab/kota: its SD and SMP), the others
    (TPMPD members, pengawas) by their kab/kota."""
    return Q(school__isnull=False) & area.school_q(prefix="school__") | Q(school__isnull=True) & area.regency_q()


def latest_rapor(schools):
    """{school id: (total published, level name, meets SNP)} of each school's latest rapor mutu."""
    scores = (
        SchoolScore.objects.filter(school__in=schools, engine=ENGINE, total__isnull=False)
        .select_related("round")
        .order_by("school_id", "-round__year", "-round__closes_on")
    )
    latest = {}
    for score in scores:
        latest.setdefault(score.school_id, score)
    bands = {}
    for band in LevelBand.objects.filter(version__in={s.round.instrument_id for s in latest.values()}):
        bands.setdefault(band.version_id, []).append(band)
    result = {}
    for school_id, score in latest.items():
        ordered = sorted(bands.get(score.round.instrument_id, []), key=lambda b: b.position)
        name = ordered[score.level].name if ordered and score.level is not None else ""
        result[school_id] = (score.total_published, name, bool(ordered) and score.level == len(ordered) - 1)
    return result
