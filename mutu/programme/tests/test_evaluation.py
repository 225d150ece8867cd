"""The yearly evaluation: a scorecard per model school from its cycle, rapor, imbas, attendance and
grant; a recommendation from the cohort's rules; LPMP confirms (with a note when it differs) or
reopens; every other move and role is refused."""

from datetime import date

import pytest
from django.urls import reverse

from mutu.programme import effect, evaluation, services
from mutu.programme.models import CohortEffect, StatusChange, YearlyEvaluation


def stored_effect(cohort, year, monkeypatch):
    """The effect as the worker stores it in `year` and the page reads it, by kab/kota name."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(year, 9, 1))
    effect.refresh(cohort.pk)
    rows, _at = effect.stored(cohort, year)
    return {r["regency"]: r for r in rows}


def test_the_scorecard_and_the_computed_recommendation(personas, cohort, model_school, schools):
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    services.save_grant(
        actor=personas["lpmp"],
        model_school=model_school,
        data={
            "amount": 12_500_000,
            "agreement_number": "PKS/1",
            "agreement_date": date(2026, 3, 1),
            "report_done_on": date(2026, 11, 1),
        },
    )
    assert evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2026) == 1
    item = YearlyEvaluation.objects.get()
    card = item.scorecard
    assert card["imbas"] == 1 and card["imbas_share"] == 0.5 and card["grant_report"] is True
    assert card["rapor_change"] is None and card["steps_accepted"] == 0
    assert item.computed == "ganti"  # no cycle step accepted: the default rule says replace


def test_rules_decide_the_recommendation():
    rules = evaluation.rules_of(type("C", (), {"rules": {"ganti": {"steps_accepted_max": -1}}})())
    good = {
        "steps_accepted": 5,
        "rapor_change": 0.4,
        "imbas_share": 1.0,
        "visited_share": 1.0,
        "attendance": 1.0,
        "grant_report": True,
    }
    assert evaluation.recommend(good, rules) == "mandiri"
    assert evaluation.recommend(good | {"rapor_change": -0.3}, rules) == "ganti"
    assert evaluation.recommend(good | {"grant_report": False}, rules) == "lanjut"


def test_confirm_and_reopen_with_their_notes(client, personas, cohort, model_school):
    evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2026)
    item = YearlyEvaluation.objects.get()
    with pytest.raises(services.ProgrammeError, match="Jelaskan mengapa keputusan berbeda"):
        evaluation.confirm(actor=personas["lpmp"], evaluation=item, decision="lanjut", note="")
    for who in ("pengawas", "lpmp_jambi", "kepsek_a", "dinas_kampar"):
        with pytest.raises(services.ProgrammeError):
            evaluation.confirm(actor=personas[who], evaluation=item, decision=item.computed, note="")
    client.force_login(personas["lpmp"])
    url = reverse("programme:evaluation_confirm", args=[cohort.pk, item.pk, "confirm"])
    client.post(url, {"decision": "lanjut", "note": "Baru setahun; beri kesempatan."})
    item = YearlyEvaluation.objects.get()
    assert (item.status, item.decision) == ("dikonfirmasi", "lanjut")
    with pytest.raises(services.ProgrammeError, match="sudah dikonfirmasi"):
        evaluation.confirm(actor=personas["lpmp"], evaluation=item, decision="lanjut", note="x")
    evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2026)  # a confirmed card stays
    assert YearlyEvaluation.objects.get().decision == "lanjut"
    with pytest.raises(services.ProgrammeError, match="Jelaskan mengapa evaluasi dibuka kembali"):
        evaluation.reopen(actor=personas["lpmp"], evaluation=item, note="")
    evaluation.reopen(actor=personas["lpmp"], evaluation=item, note="Data rapor baru masuk.")
    assert YearlyEvaluation.objects.get().status == "draft"
    assert list(
        StatusChange.objects.filter(object_id=item.pk, content_type__model="yearlyevaluation").values_list(
            "source", "target"
        )
    ) == [("draft", "dikonfirmasi"), ("dikonfirmasi", "draft")]
    page = client.get(reverse("programme:evaluation", args=[cohort.pk]), {"year": 2026}).content.decode()
    assert "Dampak program per kab/kota" in page


def test_the_effect_compares_model_imbas_and_other_schools(
    personas, cohort, model_school, schools, monkeypatch, settings
):
    settings.MUTU_MIN_GROUP_SIZE = 1
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    series = {
        schools["a"].pk: [(2026, 3.0), (2027, 3.6)],
        schools["c"].pk: [(2026, 4.0), (2027, 4.2)],
        schools["b"].pk: [(2026, 5.0), (2027, 4.9)],
    }
    monkeypatch.setattr(effect, "published_scores", lambda ids: series)
    rows = stored_effect(cohort, 2027, monkeypatch)
    assert rows["Kabupaten Kampar"]["model"] == {"mean": 0.6, "n": 1}
    assert rows["Kabupaten Kampar"]["imbas"] == {"mean": 0.2, "n": 1}
    assert rows["Kota Pekanbaru"]["other"] == {"mean": -0.1, "n": 1}


def test_the_lpmp_sets_the_cohorts_rules(client, personas, cohort, model_school):
    client.force_login(personas["lpmp"])
    url = reverse("programme:evaluation", args=[cohort.pk]) + "?year=2026"
    form = {
        "form": "rules",
        "steps_accepted_min": "5",
        "rapor_change_min": "0,10",
        "imbas_share_min": "100",
        "visited_share_min": "80",
        "attendance_min": "75",
        "grant_report": "on",
        "steps_accepted_max": "-1",
        "rapor_change_max": "-7",
    }
    client.post(url, form)
    cohort.refresh_from_db()
    assert cohort.rules["mandiri"]["visited_share_min"] == 0.8 and cohort.rules["ganti"]["steps_accepted_max"] == -1
    evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2026)
    assert YearlyEvaluation.objects.get().computed == "lanjut"  # no longer "ganti": the cohort's own rule
    response = client.post(url, form | {"imbas_share_min": "150"}, follow=True)
    assert "Tidak ada yang disimpan" in response.content.decode()
    with pytest.raises(services.ProgrammeError):
        evaluation.set_rules(actor=personas["lpmp_jambi"], cohort=cohort, rules={})


def test_a_group_too_small_has_no_mean(personas, cohort, model_school, schools, settings, monkeypatch):
    settings.MUTU_MIN_GROUP_SIZE = 2
    monkeypatch.setattr(effect, "published_scores", lambda ids: {schools["a"].pk: [(2026, 3.0), (2027, 3.6)]})
    rows = stored_effect(cohort, 2027, monkeypatch)
    assert rows["Kabupaten Kampar"]["model"] == {"mean": None, "n": 1}
    assert effect.stored(cohort, 2026) == ([], None)  # no later year, no change


def test_the_effect_is_stored_and_refreshed_after_what_changes_it(
    client, personas, cohort, model_school, schools, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The page reads the stored rows (one per kab/kota), never the province's scores: a page of a year
    not computed yet says so and queues the refresh once; the cohort's schools changing and school
    results of its province changing (scoring, publication, Rapor Pendidikan imports) refresh it."""
    from mutu.core.signals import results_changed

    settings.MUTU_MIN_GROUP_SIZE = 1
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2027, 9, 1))
    series = {schools["a"].pk: [(2026, 3.0), (2027, 3.6)], schools["c"].pk: [(2026, 4.0), (2027, 4.5)]}
    monkeypatch.setattr(effect, "published_scores", lambda ids: series)
    client.force_login(personas["lpmp"])
    url = reverse("programme:evaluation", args=[cohort.pk])
    with django_capture_on_commit_callbacks() as queued:
        page = client.get(url, {"year": 2027}).content.decode()
        client.get(url, {"year": 2027})
    assert "Dampak tahun ini sedang dihitung" in page and len(queued) == 1  # two views, one refresh queued
    queued[0]()
    assert CohortEffect.objects.filter(cohort=cohort, year=2027).count() == 2  # Kampar and Pekanbaru
    page = client.get(url, {"year": 2027}).content.decode()
    assert "Dihitung " in page and "0,60" in page

    with django_capture_on_commit_callbacks(execute=True):
        services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    kampar = CohortEffect.objects.get(cohort=cohort, year=2027, regency=schools["c"].regency)
    assert kampar.cells["rapor"]["imbas"] == {"mean": 0.5, "n": 1}  # c is an imbas school now

    series[schools["c"].pk] = [(2026, 4.0), (2027, 5.0)]
    with django_capture_on_commit_callbacks(execute=True):
        results_changed.send(None, province_ids=[schools["a"].province_id])
    kampar.refresh_from_db()
    assert kampar.cells["rapor"]["imbas"] == {"mean": 1.0, "n": 1}
    with django_capture_on_commit_callbacks() as queued:
        results_changed.send(None, province_ids=[schools["d"].province_id])
    assert queued == []  # no cohort in Jambi


def test_a_rapor_pendidikan_import_says_which_provinces_changed(personas, schools, tmp_path):
    from decimal import Decimal as D

    from mutu.accounts.scopes import UNRESTRICTED
    from mutu.core.signals import results_changed
    from mutu.pbd import frameworks, importing, samples

    heard = []

    def listen(sender, province_ids, **kwargs):
        heard.append(sorted(province_ids))

    results_changed.connect(listen)
    try:
        frameworks.load(frameworks.read(frameworks.SHIPPED[-1]) | {"year": 2026, "name": "Rapor Pendidikan 2026"})
        path = tmp_path / "list.xlsx"
        samples.school_list(
            path, year=2026, region_name="Riau", indicators=[("A.1", "L")], rows=[(schools["a"], {"A.1": D(30)})]
        )
        assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved
    finally:
        results_changed.disconnect(listen)
    assert heard == [[schools["a"].province_id]]


def test_a_stale_scorecard_is_recomputed_and_never_confirmed(client, personas, cohort, model_school, schools):
    """The worked example: the page showed "0/5, ganti" for a school at 5/5 until "Hitung kartu skor"."""
    from mutu.cycle import services as cycle_services
    from mutu.cycle.models import CycleDocument, State

    evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2026)
    item = YearlyEvaluation.objects.get()
    assert item.scorecard["steps_accepted"] == 0 and item.computed == "ganti"
    # The school's cycle moves on after the scorecard was computed: every step accepted.
    cycle = cycle_services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    CycleDocument.objects.filter(cycle=cycle).update(state=State.ACCEPTED)
    with pytest.raises(services.ProgrammeError, match="berubah sejak dihitung"):
        evaluation.confirm(actor=personas["lpmp"], evaluation=item, decision="ganti", note="")
    item = YearlyEvaluation.objects.get(pk=item.pk)  # protected FSM fields are not refreshed
    assert item.status == "draft" and item.scorecard["steps_accepted"] == 5 and item.computed != "ganti"
    # The page reads the inputs as they are and says when the card was computed.
    CycleDocument.objects.filter(cycle=cycle, step="standar").update(state=State.DRAFT)
    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:evaluation", args=[cohort.pk]), {"year": 2026}).content.decode()
    item = YearlyEvaluation.objects.get(pk=item.pk)
    assert item.scorecard["steps_accepted"] == 4 and "dihitung " in page
    evaluation.confirm(actor=personas["lpmp"], evaluation=item, decision=item.computed, note="")
    # A confirmed card stays as confirmed; the page says its data moved since.
    CycleDocument.objects.filter(cycle=cycle, step="standar").update(state=State.ACCEPTED)
    page = client.get(reverse("programme:evaluation", args=[cohort.pk]), {"year": 2026}).content.decode()
    item = YearlyEvaluation.objects.get(pk=item.pk)
    assert item.scorecard["steps_accepted"] == 4 and "data berubah sejak dikonfirmasi" in page


def test_the_scorecard_and_the_effect_read_the_rapor_pendidikan(
    client, personas, cohort, model_school, schools, tmp_path, settings, monkeypatch
):
    """A model school that worked on literacy in its 2026 cycle and improved in 2027: the scorecard counts
    it, and the effect compares the main indicators' change of model, imbas and other schools."""
    from decimal import Decimal as D

    from mutu.accounts.scopes import UNRESTRICTED
    from mutu.cycle import analysis
    from mutu.cycle.services import start_cycle
    from mutu.pbd import frameworks, importing, samples
    from mutu.pbd.models import Indicator

    settings.MUTU_MIN_GROUP_SIZE = 1
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    shipped = frameworks.read(frameworks.SHIPPED[-1])
    scores = {2026: {"a": (30, 50), "c": (40, 60), "b": (50, 70)}, 2027: {"a": (45, 52), "c": (41, 61), "b": (49, 69)}}
    for year, by_school in scores.items():
        frameworks.load(shipped | {"year": year, "name": f"Rapor Pendidikan {year}"})
        rows = [(schools[key], {"A.1": D(one), "A.2": D(two)}) for key, (one, two) in by_school.items()]
        path = tmp_path / f"{year}.xlsx"
        samples.school_list(path, year=year, region_name="Riau", indicators=[("A.1", "L"), ("A.2", "N")], rows=rows)
        assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved
    cycle = start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026, today=date(2026, 8, 1))
    literacy = Indicator.objects.get(framework__year=2026, code="A.1")
    analysis.choose_indicator(actor=personas["kepsek_a"], cycle=cycle, indicator_id=literacy.pk)

    evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2027)
    card = YearlyEvaluation.objects.get(year=2027).scorecard
    assert (card["rp_measured"], card["rp_improved"]) == (1, 1)  # A.1: 30 → 45
    rows = stored_effect(cohort, 2027, monkeypatch)  # 2027 can be chosen now
    assert rows["Kabupaten Kampar"]["rp"]["model"] == {"mean": 8.5, "n": 1}  # (15 + 2) / 2
    assert rows["Kabupaten Kampar"]["rp"]["imbas"] == {"mean": 1.0, "n": 1}
    assert rows["Kota Pekanbaru"]["rp"]["other"] == {"mean": -1.0, "n": 1}
    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:evaluation", args=[cohort.pk]), {"year": 2027}).content.decode()
    assert "Indikator Rapor Pendidikan membaik" in page and ">1 / 1<" in page and "8,50" in page


def test_the_scorecard_counts_rapor_pendidikan_indicators_only(personas, cohort, model_school, monkeypatch):
    """A rapor mutu sub-indicator worked on has its own before and after, but is not a Rapor
    Pendidikan indicator: the scorecard's column leaves it out."""
    from decimal import Decimal as D

    from mutu.cycle.models import Problem, SchoolCycle
    from mutu.pbd import effects

    cycle = SchoolCycle(year=2026)
    worked = [
        effects.Effect(Problem(cycle=cycle, indicator_id=1), D(30), D(40), 1, 1, None),
        effects.Effect(Problem(cycle=cycle, node_id=1), D("3.1"), D("3.5"), 1, 1, None),
    ]
    monkeypatch.setattr(effects, "effects_by_school", lambda ids: {model_school.school_id: worked})
    evaluation.compute(actor=personas["lpmp"], cohort=cohort, year=2027)
    card = YearlyEvaluation.objects.get(year=2027).scorecard
    assert (card["rp_measured"], card["rp_improved"]) == (1, 1)
