"""The engine against hand-computed numbers, the level boundaries, and its invariants."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutu.instruments.models import Node, Option
from mutu.mapping import scoring
from mutu.mapping.models import ExternalValue, RegionScore, SchoolScore


def node_scores(round_, school):
    score = SchoolScore.objects.get(round=round_, school=school)
    codes = list(Node.objects.filter(version=round_.instrument).order_by("position").values_list("code", flat=True))
    return dict(zip(codes, np.frombuffer(score.values, dtype="<f8"), strict=True)), score


def test_worked_example(scored_round, schools):
    """
    Y(ks,1.1.1)=(1+.5)/2=.75  Y(guru,1.1.1)=(.5+0)/2=.25  Y(siswa,1.1.1)=1  Y(komite,1.1.1)=(.5+0)/2=.25
    S(1.1.1)=7(.4·.75+.3·.25+.1·1+.2·.25)=3.675
    S(1.1.2)=7(.5·(1+0)/2+.5·(1+1)/2)=5.25      S(1.2.1)=7·1·((.25+.5)+.25)/2=3.5
    indicator 1.1=(3.675+5.25)/2=4.4625; standard 1=(3.675+5.25+3.5)/3=4.141667 (not the mean of
    indicators, 3.98125); standard 2 = outside value 6.3; school=(4.141667+6.3)/2=5.220833 → Menuju SNP 4
    """
    values, score = node_scores(scored_round, schools["a"])
    assert values["1.1.1"] == pytest.approx(3.675)
    assert values["1.1.2"] == pytest.approx(5.25)
    assert values["1.2.1"] == pytest.approx(3.5)
    assert values["1.1"] == pytest.approx(4.4625)
    assert values["1.2"] == pytest.approx(3.5)
    assert values["1"] == pytest.approx(12.425 / 3)
    assert values["2.1.1"] == values["2"] == pytest.approx(6.3)
    assert score.total == pytest.approx((12.425 / 3 + 6.3) / 2)
    assert scored_round.instrument.bands.get(position=score.level).name == "Menuju SNP 4"
    assert score.respondents == {"ks": 2, "guru": 2, "siswa": 2, "komite": 2}


def test_missing_outside_value_is_missing_not_zero(scored_round, schools):
    ExternalValue.objects.all().delete()
    scoring.score_round(scored_round.pk)
    values, score = node_scores(scored_round, schools["a"])
    assert np.isnan(values["2"]) and score.total == pytest.approx(12.425 / 3)
    assert {"kind": "external", "codes": ["2.1.1"]} in score.flags


def test_quality_flags(scored_round, schools, settings):
    """Standard 1 as each group sees it: ks 7·(.75+.5)/2=4.375, guru 7·(.25+1+.5)/3≈4.08, siswa 7·1=7,
    komite 7·.25=1.75 — a gap of 5.25 between students and committee; quotas (1 ks, 2 guru) are met.
    Every group has 2 respondents: below the default minimum of 3, no group's view is shown at all."""
    score = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    assert score.flags == []
    settings.MUTU_MIN_GROUP_SIZE = 2
    scoring.score_round(scored_round.pk)
    score = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    assert score.flags == [{"kind": "disagree", "standard": "1", "gap": 5.25}]
    scored_round.quotas = {"SD": {"ks": 1, "guru": 3}}
    scored_round.save()
    scoring.score_round(scored_round.pk)
    score = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    assert {"kind": "quota", "type": "guru", "sent": 2, "quota": 3} in score.flags


def test_straight_liner_is_flagged(matrix):
    ids = np.array(
        [i for i in range(len(matrix.option_sub)) if matrix.option_sub[i] >= 0 and matrix.option_rank[i] == 0]
    )
    answers = np.resize(ids, 12)  # twelve answers, all the first option of their question
    tally = scoring.Tally.empty(matrix, 1).add(matrix, np.array([0]), np.array([0]), np.array([12]), answers)
    values, y = scoring.scores(matrix, tally, ["SD"])
    flags = scoring.quality_flags(matrix, tally, y, np.zeros_like(tally.present), values)
    assert {"kind": "straight", "count": 1} in flags[0]


def test_regions_count_schools_without_rapor_as_not_sent(scored_round, schools):
    regency = RegionScore.objects.get(round=scored_round, kind="regency", code="14.01")
    # Kampar holds school a (scored) and c (no response): c is "tidak kirim", not a zero.
    assert (regency.schools, regency.with_rapor, regency.not_sent) == (2, 1, 1)
    assert regency.total == pytest.approx((12.425 / 3 + 6.3) / 2)
    assert regency.level_counts == [0, 0, 0, 1, 0]
    province = RegionScore.objects.get(round=scored_round, kind="province", code="14")
    assert (province.schools, province.with_rapor) == (3, 1)
    assert not RegionScore.objects.filter(round=scored_round, kind="nation").exists()  # a provincial round


def test_rescoring_gives_identical_numbers(scored_round, schools):
    first = SchoolScore.objects.get(round=scored_round, school=schools["a"]).values
    scoring.score_round(scored_round.pk)
    assert bytes(SchoolScore.objects.get(round=scored_round, school=schools["a"]).values) == bytes(first)
    assert SchoolScore.objects.filter(round=scored_round).count() == 1


def test_responses_read_in_batches_give_the_same_rapor(scored_round, schools, monkeypatch):
    first = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    monkeypatch.setattr(scoring, "RESPONSE_BATCH", 3)  # the school's 8 responses in batches of 3, 3 and 2
    assert len(list(scoring.respondent_batches(scored_round, np.array([schools["a"].pk])))) == 3
    scoring.score_round(scored_round.pk)
    again = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    assert bytes(again.values) == bytes(first.values) and again.respondents == first.respondents


def test_regions_written_slice_by_slice_match_one_slice(scored_round, schools, monkeypatch):
    """Kecamatan, kab/kota and province are written as soon as the next one starts; one school per slice
    must give the same regional rows as the whole province in one slice."""

    def region_rows():
        return sorted(
            (r.kind, r.code, r.schools, r.with_rapor, r.total, bytes(r.values), r.level_counts)
            for r in RegionScore.objects.filter(round=scored_round)
        )

    whole = region_rows()
    assert {kind for kind, *_ in whole} == {"district", "regency", "province"}
    monkeypatch.setattr(scoring, "CHUNK_SCHOOLS", 1)
    scoring.score_round(scored_round.pk)
    assert region_rows() == whole


@pytest.mark.parametrize(
    "score,level",
    [
        (0, 0),
        (2.04, 0),
        (2.0401, 0),  # published 2,04
        (2.045, 1),  # published 2,05 (half up), though the float lies just below 2.045
        (3.70, 1),
        (3.7049, 1),  # published 3,70
        (3.6999999999999997, 1),  # a float sum just below 3.70: published 3,70
        (5.06, 2),
        (5.0631, 2),  # published 5,06: Menuju SNP 3, never "5,06 · Menuju SNP 4"
        (5.0649, 2),
        (5.065, 3),
        (6.66, 3),
        (6.665, 4),
        (7, 4),
    ],
)
def test_level_of_the_published_score(tiny, score, level):
    assert scoring.level_of(scoring.load_matrix(tiny), score) == level


def test_the_engine_stores_the_published_score_and_its_level(tiny):
    matrix = scoring.load_matrix(tiny)
    standards = matrix.standards
    rows = np.full((3, len(matrix.node_ids)), np.nan)
    rows[0, standards] = [5.0631, 5.0631]
    rows[1, standards] = [3.3, 4.1]  # a float sum that lands on 3.6999999999999997
    rows[2, standards] = [2.045, 2.045]
    assert (3.3 + 4.1) / 2 == 3.6999999999999997
    totals, shown, levels = scoring.totals_and_levels(matrix, rows)
    assert list(shown) == [5.06, 3.7, 2.05]
    assert [matrix.band_names[i] for i in levels] == ["Menuju SNP 3", "Menuju SNP 2", "Menuju SNP 2"]
    assert totals[0] == pytest.approx(5.0631, abs=1e-12)  # the full score is kept beside it


def test_role_weights_renormalise_over_roles_present(tiny):
    matrix = scoring.load_matrix(tiny)
    ids = [
        o.id
        for o in Option.objects.filter(
            question__questionnaire__version=tiny,
            question__code="Q1",
            code="c",
            question__questionnaire__respondent_type="ks",
        )
    ]
    # Only the principal answered 1.1.1 with full marks: S = 7 × .4·1 / .4 = 7.
    values = scoring.compute(
        matrix, ["SD"], np.array([0]), np.array([scoring.TYPES.index("ks")]), np.array([1]), np.array(ids)
    )
    assert values[0, matrix.node_codes.index("1.1.1")] == pytest.approx(7)
    assert np.isnan(values[0, matrix.node_codes.index("1.2.1")])  # no teacher: no score, not zero


# Property tests on the pure engine with random respondents and answers (the matrix is only read).
@pytest.fixture
def matrix(tiny):
    return scoring.load_matrix(tiny)


def _answers(draw_ids, n):
    return st.lists(
        st.tuples(
            st.integers(0, n - 1), st.sampled_from([0, 1, 2, 3]), st.lists(st.sampled_from(draw_ids), max_size=4)
        ),
        max_size=30,
    )


def _flat(rows):
    """(school, role, options) rows as the engine's arrays: school rows, role indices, lengths, option ids."""
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([len(r[2]) for r in rows], dtype=np.int64),
        np.array([i for r in rows for i in r[2]], dtype=np.int64),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_scores_stay_in_range_and_ignore_respondent_order(matrix, data):
    option_ids = [i for i in range(len(matrix.option_sub)) if matrix.option_sub[i] >= 0]
    rows = data.draw(_answers(option_ids, 3))
    values = scoring.compute(matrix, ["SD"] * 3, *_flat(rows))
    finite = values[~np.isnan(values)]
    assert ((finite >= 0) & (finite <= 7)).all()
    order = data.draw(st.permutations(range(len(rows))))
    again = scoring.compute(matrix, ["SD"] * 3, *_flat([rows[i] for i in order]))
    np.testing.assert_allclose(values, again, equal_nan=True)
    # Any split of the respondents into batches sums to the same tally.
    cut = data.draw(st.integers(0, len(rows)))
    tally = scoring.Tally.empty(matrix, 3)
    for part in (rows[:cut], rows[cut:]):
        tally.add(matrix, *_flat(part))
    np.testing.assert_allclose(scoring.scores(matrix, tally, ["SD"] * 3)[0], values, equal_nan=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_school_without_responses_does_not_move_the_regional_mean(matrix, data):
    option_ids = [i for i in range(len(matrix.option_sub)) if matrix.option_sub[i] >= 0]
    rows = data.draw(_answers(option_ids, 2).filter(lambda r: r))
    args = _flat(rows)
    with_silent = scoring.Accumulator(len(matrix.node_ids), len(matrix.band_names))
    without = scoring.Accumulator(len(matrix.node_ids), len(matrix.band_names))
    values = scoring.compute(matrix, ["SD"] * 3, *args)  # school 2 never answers
    totals, _shown, levels = scoring.totals_and_levels(matrix, values)
    sent = np.isin(np.arange(3), args[0])
    totals[~sent] = np.nan
    with_silent.add(("regency", "x"), values, totals, levels, 3)
    without.add(("regency", "x"), values[sent], totals[sent], levels[sent], int(sent.sum()))
    a, b = with_silent.groups[("regency", "x")], without.groups[("regency", "x")]
    assert a[2] == pytest.approx(b[2]) and a[3] == b[3]
    assert a[5] == b[5] + (3 - int(sent.sum()))


def test_scoring_refreshes_planner_statistics(scored_round):
    """Pages stay fast right after a large round: the score tables are analysed, not left to autovacuum."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [SchoolScore._meta.db_table])
            assert cursor.fetchone()[0] == SchoolScore.objects.count()
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [SchoolScore._meta.db_table])
            assert cursor.fetchone()[0] > 0


def _stats(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_mod_since_analyze, last_analyze FROM pg_stat_user_tables WHERE relid = %s::regclass", [table]
        )
        return cursor.fetchone()


def _until(condition, table):
    """PostgreSQL reports table statistics a moment after the statements (at most a second later)."""
    import time

    from django.db import connection

    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
        if condition(*_stats(table)):
            return
        time.sleep(0.1)
    raise AssertionError(_stats(table))


@pytest.mark.django_db(transaction=True)
def test_the_responses_are_analysed_again_only_once_they_changed(scored_round):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mutu.mapping.models import Respondent

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps no change counts: its responses are analysed every time")
    table = Respondent._meta.db_table

    def analysed(cursor_queries):
        return any(q["sql"].startswith("ANALYZE") for q in cursor_queries)

    scoring.refresh_statistics(Respondent)
    _until(lambda changed, last: last is not None, table)
    with CaptureQueriesContext(connection) as queries:
        scoring.refresh_statistics(Respondent, if_stale=True)
    assert not analysed(queries.captured_queries)  # nothing changed since
    for _ in range(60 // Respondent.objects.count() + 1):  # more than autovacuum's 50 rows and a tenth
        Respondent.objects.update(draft={})
    _until(lambda changed, last: changed > 50, table)
    with CaptureQueriesContext(connection) as queries:
        scoring.refresh_statistics(Respondent, if_stale=True)
    assert analysed(queries.captured_queries)
