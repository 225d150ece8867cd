"""The golden thread: one indicator from its score to its problem, activities, budget, evidence,
monev and standard decision, on a page, through the API and counted per region."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutu.accounts.tokens import create_token
from mutu.cycle import services, thread
from mutu.cycle.models import Activity, Evaluation, Evidence, Program, StandardDecision
from mutu.cycle.tests.test_transitions import analysed
from mutu.factories import ActivityFactory, ProgramFactory
from mutu.instruments.models import Node


@pytest.fixture
def cycle(personas, schools, scored_round):
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    analysed(cycle, scored_round)
    return cycle


def plan(cycle, activities):
    node = Node.objects.get(code="1.1.1", version__code="tiny")
    program = ProgramFactory(cycle=cycle, name="Penilaian")
    for n in range(activities):
        activity = ActivityFactory(program=program, name=f"Kegiatan {n}", status="selesai", nodes=[node])
        Evidence.objects.create(activity=activity, link=f"https://bukti.example/{n}")
    Evaluation.objects.create(program=program, dimension="output", target="80%", achieved="85%", met=True)
    StandardDecision.objects.update_or_create(
        cycle=cycle, node=node.parent.parent, defaults={"decision": "tingkatkan", "own_target": 6.9}
    )
    return program


def test_the_thread_page_shows_every_link_in_a_bounded_number_of_queries(client, personas, cycle):
    client.force_login(personas["pengawas"])
    url = reverse("cycle:thread", args=[cycle.school.npsn, 2026, "1.1.1"])
    plan(cycle, 1)
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    for text in (
        "Guru jarang merancang penilaian.",
        "Kegiatan 0",
        "100.000",
        "https://bukti.example/0",
        "85%",
        "tingkatkan",
    ):
        assert text in page, text
    Program.objects.all().delete()
    plan(cycle, 25)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)  # the plan's size does not change the number of queries


def test_the_thread_through_the_api_and_its_scope(client, personas, cycle):
    plan(cycle, 2)
    url = f"/api/cycles/{cycle.school.npsn}/2026/thread/1.1.1"
    data = client.get(url, HTTP_AUTHORIZATION=f"Bearer {create_token(user=personas['dinas_kampar'], name='t')}").json()
    assert data["budget"] == 200000 and len(data["activities"]) == 2 and data["activities"][0]["evidence"] == 1
    assert data["problem"]["root_cause"] == "Belum ada pelatihan penilaian." and data["decision"]["own_target"] == 6.9
    assert data["trend"][0]["year"] == 2026
    other = create_token(user=personas["kepsek_b"], name="t")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


def test_the_region_counts_how_far_weak_indicators_got(client, personas, cycle):
    plan(cycle, 1)
    from mutu.accounts.permissions import Perm
    from mutu.accounts.scopes import area_for

    totals = thread.region_thread(area_for(personas["lpmp"], Perm.CYCLE_VIEW).school_q(), 2026)
    assert totals == {"schools": 1, "problems": 1, "planned": 1, "funded": 1, "done": 1, "evaluated": 1}
    assert thread.region_thread(area_for(personas["lpmp_jambi"], Perm.CYCLE_VIEW).school_q(), 2026)["problems"] == 0
    client.force_login(personas["dinas_kampar"])
    page = client.get(reverse("cycle:overview"), {"year": 2026}).content.decode()
    assert "indikator lemah dipilih" in page


def test_the_budget_counts_this_years_activities_and_each_program_once(client, personas, cycle):
    program = plan(cycle, 2)
    Activity.objects.filter(name="Kegiatan 1").update(status="batal")
    later = Activity.objects.create(
        program=program, year=2027, name="Tahun depan", indicator="i", target="t", volume=1, unit="kali",
        unit_cost=999, fund_source="bos", months=[1], person_in_charge="p",
    )  # fmt: skip
    later.nodes.set(Activity.objects.get(name="Kegiatan 0").nodes.all())
    data = thread.school_thread(cycle, "1.1.1")
    assert data["budget"] == 100_000 and len(data["programs"]) == 1
    token = create_token(user=personas["pusat"], name="t")
    url = f"/api/cycles/{cycle.school.npsn}/2026/thread/9.9.9"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
