"""The scoring rules of docs/mapping.md that an independent implementation found unstated or wrong."""

import copy
from datetime import date, timedelta

import numpy as np
import pytest

from mutu.instruments.models import Node, Option, Question
from mutu.instruments.services import (
    InstrumentError,
    export_instrument,
    load_instrument,
    read_document,
    validate,
    validation_warnings,
    write_document,
)
from mutu.mapping import scoring, services
from mutu.mapping.models import SchoolScore
from mutu.mapping.tests.conftest import TINY, options


def _doc(code, change):
    doc = copy.deepcopy(TINY)
    doc["code"] = code
    change(doc)
    return doc


def _round(instrument, school, quotas=None):
    return services.create_round(
        actor=None,
        name="R",
        year=2026,
        instrument=instrument,
        province=school.province,
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=1),
        quotas=quotas or {},
    )


def _score_of(round_, school, code):
    score = SchoolScore.objects.get(round=round_, school=school)
    codes = list(Node.objects.filter(version=round_.instrument).order_by("position").values_list("code", flat=True))
    return np.frombuffer(bytes(score.values), dtype="<f8")[codes.index(code)]


def test_a_role_not_asked_is_missing_not_zero(db, schools):
    """SD students are not asked about 1.1.1 (only the SMP student questionnaire is): a student of an SD
    school must not pull S(1.1.1) towards 0. Old engine: 7 × .4·1 / (.4 + .1) = 5.6."""

    def smp_students_only(doc):
        doc["questionnaires"][2]["level"] = "SMP"

    instrument = load_instrument(_doc("tiny-smp-siswa", smp_students_only))
    round_ = _round(instrument, schools["a"])
    (ks,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="ks", count=1)
    (siswa,) = services.add_respondents(
        actor=None, round_=round_, school=schools["a"], respondent_type="siswa", count=1
    )
    services.submit_answers(respondent=ks, options=options(instrument, "ks", {"Q1": ["c"]}))
    services.submit_answers(respondent=siswa, options=[])
    scoring.score_round(round_.pk)
    assert _score_of(round_, schools["a"], "1.1.1") == pytest.approx(7.0)


def test_the_validator_warns_about_weights_no_questionnaire_asks(db):
    def smp_students_only(doc):
        doc["questionnaires"][2]["level"] = "SMP"

    warnings = validation_warnings(_doc("w", smp_students_only))
    assert any("siswa/SD" in place and "1.1.1" in message for place, message in warnings)
    assert validation_warnings(TINY) == []


def test_an_option_counts_once_at_every_entry_point(open_round, tiny, schools):
    (ks,) = services.add_respondents(actor=None, round_=open_round, school=schools["a"], respondent_type="ks", count=1)
    (guru,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="guru", count=1
    )
    twice = options(tiny, "ks", {"Q1": ["c", "c"]})
    with pytest.raises(services.AnswerError, match="dua kali"):
        services.submit_answers(respondent=ks, options=twice)
    two_on_single = options(tiny, "ks", {"Q1": ["b", "c"]})
    with pytest.raises(services.AnswerError, match="satu jawaban"):
        services.submit_answers(respondent=ks, options=two_on_single)
    q1 = Question.objects.get(questionnaire__version=tiny, questionnaire__respondent_type="ks", code="Q1")
    with pytest.raises(services.AnswerError, match="satu jawaban"):
        services.save_answer(respondent_id=ks.pk, question_id=q1.pk, values=[str(o) for o in two_on_single])
    q3 = Question.objects.get(questionnaire__version=tiny, questionnaire__respondent_type="guru", code="Q3")
    x = q3.options.get(code="x").pk
    with pytest.raises(services.AnswerError, match="dua kali"):
        services.save_answer(respondent_id=guru.pk, question_id=q3.pk, values=[str(x), str(x)])
    ks.refresh_from_db()
    assert ks.submitted_at is None and ks.draft == {}
    # Two options of a multiple-choice question are one answer each.
    services.submit_answers(respondent=guru, options=options(tiny, "guru", {"Q3": ["x", "z"]}))


def test_no_option_may_convert_into_outside_data(db):
    def into_external(doc):
        doc["questionnaires"][0]["questions"][0]["options"][0]["sub"] = "2.1.1"

    problems = validate(_doc("ext", into_external))
    assert any("2.1.1" in message and "data luar" in message for _place, message in problems)


NUMBER = {
    "code": "N1",
    "kind": "number",
    "text": "Jumlah rombel",
    "options": [
        {"code": "r1", "text": "0–9", "min": 0, "max": 10, "sub": "1.2.1", "weight": 0},
        {"code": "r2", "text": "10–19", "min": 10, "max": 20, "sub": "1.2.1", "weight": 0.5},
        {"code": "r3", "text": "20 ke atas", "min": 20, "sub": "1.2.1", "weight": 1},
    ],
}


def _with_number(doc):
    doc["questionnaires"][1]["questions"] = [q for q in doc["questionnaires"][1]["questions"] if q["code"] != "Q3"] + [
        copy.deepcopy(NUMBER)
    ]


@pytest.mark.parametrize("answer,expected", [("12,5", 3.5), ("9.99", 0.0), ("20", 7.0), ("0", 0.0)])
def test_a_number_answer_converts_by_its_range(db, schools, answer, expected):
    instrument = load_instrument(_doc("tiny-angka", _with_number))
    round_ = _round(instrument, schools["a"])
    (guru,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="guru", count=1)
    for code, picks in (("Q1", "a"), ("Q2", "b")):
        question = Question.objects.get(
            questionnaire__version=instrument, questionnaire__respondent_type="guru", code=code
        )
        services.save_answer(
            respondent_id=guru.pk, question_id=question.pk, values=[question.options.get(code=picks).pk]
        )
    number = Question.objects.get(questionnaire__version=instrument, code="N1")
    services.save_answer(respondent_id=guru.pk, question_id=number.pk, values=[answer])
    services.submit(respondent_id=guru.pk)
    guru.refresh_from_db()
    assert guru.draft[str(number.pk)] == float(answer.replace(",", "."))  # the number itself is kept
    scoring.score_round(round_.pk)
    assert _score_of(round_, schools["a"], "1.2.1") == pytest.approx(expected)


def test_a_number_outside_every_range_is_refused(db, schools):
    instrument = load_instrument(_doc("tiny-angka", _with_number))
    round_ = _round(instrument, schools["a"])
    (guru,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="guru", count=1)
    number = Question.objects.get(questionnaire__version=instrument, code="N1")
    for bad in ("-1", "nan", "inf"):
        with pytest.raises(services.AnswerError, match="Masukkan angka"):
            services.save_answer(respondent_id=guru.pk, question_id=number.pk, values=[bad])


@pytest.mark.parametrize(
    "ranges,message",
    [
        ([(0, 10), (12, None)], "celah"),
        ([(0, 10), (8, None)], "tumpang tindih"),
        ([(0, None), (10, None)], "tumpang tindih"),
        ([(5, 1)], "berakhir"),
        ([(None, 10)], "batas bawah"),
    ],
)
def test_number_ranges_without_gaps_or_overlaps(db, ranges, message):
    def with_ranges(doc):
        _with_number(doc)
        question = doc["questionnaires"][1]["questions"][-1]
        question["options"] = [
            {"code": f"r{i}", "text": "r", "min": low, "max": high, "sub": "1.2.1", "weight": 0.5}
            for i, (low, high) in enumerate(ranges)
        ]

    problems = validate(_doc("rentang", with_ranges))
    assert any(message in text for _place, text in problems), problems


@pytest.mark.parametrize("suffix", ["yaml", "xlsx"])
def test_number_ranges_survive_the_exchange_formats(db, tmp_path, suffix):
    instrument = load_instrument(_doc("tiny-angka", _with_number))
    path = tmp_path / f"instrumen.{suffix}"
    write_document(export_instrument(instrument), path)
    doc = read_document(path)
    doc["code"] = "tiny-angka-2"
    again = load_instrument(doc)
    ranges = list(
        Option.objects.filter(question__questionnaire__version=again, question__code="N1")
        .order_by("position")
        .values_list("min_value", "max_value", "weight")
    )
    assert ranges == [(0, 10, 0), (10, 20, 0.5), (20, None, 1)]


def test_a_refused_instrument_names_the_problem(db):
    def into_external(doc):
        doc["questionnaires"][0]["questions"][0]["options"][0]["sub"] = "2.1.1"

    with pytest.raises(InstrumentError):
        load_instrument(_doc("ext", into_external))
