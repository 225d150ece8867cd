import io

from django.core.management import call_command

from mutu.accounts.models import Membership, Role, User
from mutu.cycle.models import CycleDocument
from mutu.regions.models import District, Province, Regency
from mutu.schools.models import School

RIAU_REGENCIES = {
    "Bengkalis",
    "Indragiri Hilir",
    "Indragiri Hulu",
    "Kampar",
    "Kepulauan Meranti",
    "Kuantan Singingi",
    "Pelalawan",
    "Rokan Hilir",
    "Rokan Hulu",
    "Siak",
    "Dumai",
    "Pekanbaru",
}


def snapshot():
    return (
        list(
            School.objects.order_by("npsn").values_list("npsn", "name", "district_id", "principal_name", "updated_at")
        ),
        list(User.objects.order_by("username").values_list("username", "password", "full_name")),
        list(Membership.objects.order_by("id").values_list("user__username", "role", "school_id", "regency_id")),
        District.objects.count(),
        list(CycleDocument.objects.order_by("id").values_list("cycle__school__npsn", "step", "state")),
        programme_counts(),
    )


def programme_counts():
    from mutu.programme import models

    kinds = [
        models.Cohort,
        models.ModelSchool,
        models.ImbasSchool,
        models.Event,
        models.Participant,
        models.Attendance,
        models.Certificate,
        models.Grant,
        models.YearlyEvaluation,
    ]
    return [kind.objects.count() for kind in kinds]


def test_demo_loads_riau_with_a_persona_per_role_and_is_idempotent(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert Province.objects.count() == 38 and Regency.objects.count() == 514
    names = {
        r.name.removeprefix("Kabupaten ").removeprefix("Kota ") for r in Regency.objects.filter(province__code="14")
    }
    assert names == RIAU_REGENCIES
    # 300 generated schools, and the 1,200 model and imbas schools of the Riau 2020 programme.
    assert School.objects.filter(province__code="14").count() == 1500
    assert set(School.objects.values_list("level", flat=True)) == {"SD", "SMP", "SMA", "SMK", "SLB"}
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert "pengawas.kampar" in out.getvalue() and "mutu-demo-2026" in out.getvalue()
    # One respondent code to try, open and unused, and the same one on every load.
    code = out.getvalue().split("belum mengisi): ")[1].split()[0]
    from mutu.mapping.models import Respondent
    from mutu.mapping.services import is_open

    slot = Respondent.objects.select_related("round").get(code=code)
    assert slot.submitted_at is None and is_open(slot)
    # Schools at each step and state of the 2026 cycle, so every cycle page has content.
    states = set(CycleDocument.objects.values_list("step", "state"))
    assert {("pemetaan", "draft"), ("pemetaan", "diajukan"), ("pemetaan", "perlu_revisi")} <= states
    assert {("perencanaan", "diproses"), ("monev", "diajukan"), ("standar", "diterima")} <= states
    # The programme: the Riau 2020 recap as the seed publishes it, and a 2026 cohort at every status.
    from mutu.programme import recap
    from mutu.programme.models import Certificate, ModelSchool, Participant

    riau_2020 = recap.build(Participant.objects.filter(event__cohort__year=2020), title="", attended=True)
    assert riau_2020.totals + [riau_2020.total] == [23, 194, 240, 960, 1417]
    assert set(ModelSchool.objects.filter(cohort__year=2026).values_list("status", flat=True)) == {
        "ditetapkan",
        "calon",
        "ditolak",
    }
    assert Certificate.objects.filter(event__cohort__year=2026).exists()
    first = snapshot()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert snapshot() == first and code in again.getvalue()
