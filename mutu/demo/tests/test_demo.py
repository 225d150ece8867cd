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
    )


def test_demo_loads_riau_with_a_persona_per_role_and_is_idempotent(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert Province.objects.count() == 38 and Regency.objects.count() == 514
    names = {
        r.name.removeprefix("Kabupaten ").removeprefix("Kota ") for r in Regency.objects.filter(province__code="14")
    }
    assert names == RIAU_REGENCIES
    assert 200 <= School.objects.filter(province__code="14").count() <= 500
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
    first = snapshot()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert snapshot() == first and code in again.getvalue()
