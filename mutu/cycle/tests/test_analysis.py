"""Analysis from the rapor: proposals below the level ordered by priority, chosen and analysed by the
school team only while the step is open, submitted only when complete."""

import pytest
from django.urls import reverse

from mutu.cycle import analysis, services
from mutu.cycle.models import CycleSetting, Problem


@pytest.fixture
def cycle(personas, schools, scored_round):
    return services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)


def test_proposals_are_the_weak_sub_indicators_most_urgent_first(cycle):
    rapor, proposals, below = analysis.propose(cycle)
    assert rapor.round.year == 2026 and below == pytest.approx(6.66)  # below the top band (SNP)
    assert proposals and all(p.score < below for p in proposals)
    assert [p.priority for p in proposals] == sorted((p.priority for p in proposals), reverse=True)
    for p in proposals:
        expected = 0.5 * p.gap / 7 + 0.3 * (p.groups_below / p.groups_asked if p.groups_asked else 0)
        assert p.priority == pytest.approx(expected + 0.2 * p.weight / max(q.weight for q in proposals))
    CycleSetting.objects.create(province=cycle.school.province, problem_band=1)  # only the lowest band
    assert analysis.propose(cycle)[2] == pytest.approx(2.04)


def test_the_team_chooses_orders_and_analyses(client, personas, cycle):
    _rapor, proposals, _below = analysis.propose(cycle)
    client.force_login(personas["tpmps_a"])
    url = reverse("cycle:analysis", args=[cycle.school.npsn, 2026])
    for proposal in proposals[:2]:
        client.post(reverse("cycle:analysis_choose", args=[cycle.school.npsn, 2026]), {"node": proposal.node.id})
        client.post(reverse("cycle:analysis_choose", args=[cycle.school.npsn, 2026]), {"node": proposal.node.id})
    first, second = Problem.objects.order_by("position")
    assert Problem.objects.count() == 2  # the double click chose it once
    client.post(reverse("cycle:analysis_problem", args=[cycle.school.npsn, 2026, second.pk, "up"]))
    assert list(Problem.objects.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    page = client.get(url).content.decode()
    assert f"Masalah {first.node.code} perlu diisi" in page
    document = analysis.analysis_document(cycle)
    with pytest.raises(services.CycleError, match="perlu diisi masalah, akar masalah"):
        services.move(actor=personas["tpmps_a"], document=document, name="submit")
    for problem in (first, second):
        data = {f"p{problem.pk}-{name}": f"{name} {problem.node.code}" for name in analysis.FIELDS}
        client.post(reverse("cycle:analysis_problem", args=[cycle.school.npsn, 2026, problem.pk, "save"]), data)
    services.move(actor=personas["tpmps_a"], document=document, name="submit")
    # Submitted: read-only for the team until it is returned.
    response = client.post(reverse("cycle:analysis_problem", args=[cycle.school.npsn, 2026, first.pk, "remove"]))
    assert Problem.objects.count() == 2 and response.status_code == 302
    assert "Di sini hanya dapat dibaca" in client.get(url).content.decode()


def test_reviewers_read_and_others_are_refused(client, personas, cycle):
    url = reverse("cycle:analysis", args=[cycle.school.npsn, 2026])
    for name, status in [
        ("pengawas", 200),
        ("lpmp", 200),
        ("dinas_kampar", 200),
        ("kepsek_b", 404),
        ("lpmp_jambi", 404),
    ]:
        client.force_login(personas[name])
        assert client.get(url).status_code == status, name
    client.force_login(personas["pengawas"])
    node = analysis.propose(cycle)[1][0].node
    choose = reverse("cycle:analysis_choose", args=[cycle.school.npsn, 2026])
    assert client.post(choose, {"node": node.id}).status_code == 403
    assert not Problem.objects.exists()


def test_a_root_cause_written_by_one_school_joins_the_library(personas, schools, cycle, scored_round):
    node = analysis.propose(cycle)[1][0].node
    node.causes = "Belum ada pelatihan\nSarana kurang"
    node.save()
    problem = analysis.choose(actor=personas["kepsek_a"], cycle=cycle, node_id=node.id)
    other = services.start_cycle(actor=personas["kepsek_b"], school=schools["b"], year=2026)
    Problem.objects.create(cycle=other, node=node, round=scored_round, root_cause="Jadwal supervisi tidak rutin")
    assert analysis.root_causes(problem) == ["Belum ada pelatihan", "Sarana kurang", "Jadwal supervisi tidak rutin"]


def test_a_rapor_mutu_problem_shows_its_next_rapor(login, personas, schools, cycle, tiny):
    """Before: the score the sub-indicator was chosen with; after: the same code in the next year's rapor."""
    from datetime import date

    import numpy as np

    from mutu.mapping import services as mapping
    from mutu.mapping.models import SchoolScore
    from mutu.mapping.selectors import decode
    from mutu.pbd import effects

    rapor, proposals, _below = analysis.propose(cycle)
    chosen = proposals[0]
    analysis.choose(actor=personas["kepsek_a"], cycle=cycle, node_id=chosen.node.id)
    (effect,) = effects.school_effects(schools["a"])
    assert effect.after is None and effect.before == round(chosen.score, 2)
    later = mapping.create_round(
        actor=personas["lpmp"],
        name="Pemetaan 2027",
        year=2027,
        instrument=tiny,
        province=schools["a"].province,
        opens_on=date(2027, 3, 1),
        closes_on=date(2027, 4, 1),
        quotas={"SD": {"ks": 1}},
    )
    values = decode(rapor.values).copy()
    position = list(tiny.nodes.order_by("position").values_list("pk", flat=True)).index(chosen.node.id)
    values[position] = 6.5
    SchoolScore.objects.create(
        round=later, school=schools["a"], engine=rapor.engine, values=values.astype("<f8").tobytes(), total=5.0
    )
    (effect,) = effects.school_effects(schools["a"])
    assert effect.after == 6.5 and effect.change == pytest.approx(6.5 - round(chosen.score, 2))
    assert np.isclose(float(effect.before), chosen.score, atol=0.005)
    page = login(personas["kepsek_a"]).get(reverse("pbd:school", args=[schools["a"].npsn])).content.decode()
    assert chosen.node.code in page and "rapor mutu 2026" in page and "6,50" in page
