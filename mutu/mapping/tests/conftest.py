from datetime import date, timedelta

import pytest

from mutu.instruments.models import Node, Option
from mutu.instruments.services import DEFAULT_BANDS, load_instrument
from mutu.mapping import scoring, services
from mutu.mapping.models import ExternalValue


def choice(code, sub, weights, kind="single"):
    return {
        "code": code,
        "kind": kind,
        "text": f"Pertanyaan {code}",
        "options": [{"code": c, "text": c, "sub": sub, "weight": w} for c, w in weights],
    }


# A hand-sized instrument: standard 1 with 1.1 (1.1.1, 1.1.2) and 1.2 (1.2.1); standard 2 from outside data.
TINY = {
    "code": "tiny",
    "name": "Instrumen uji",
    "bands": DEFAULT_BANDS,
    "nodes": [
        {
            "code": "1",
            "text": "Standar satu",
            "children": [
                {
                    "code": "1.1",
                    "text": "Indikator 1.1",
                    "children": [
                        {
                            "code": "1.1.1",
                            "text": "Sub 1.1.1",
                            "weights": {"ks": 0.4, "guru": 0.3, "siswa": 0.1, "komite": 0.2},
                        },
                        {"code": "1.1.2", "text": "Sub 1.1.2", "weights": {"ks": 0.5, "guru": 0.5}},
                    ],
                },
                {
                    "code": "1.2",
                    "text": "Indikator 1.2",
                    "children": [
                        {"code": "1.2.1", "text": "Sub 1.2.1", "weights": {"guru": 1.0}},
                    ],
                },
            ],
        },
        {
            "code": "2",
            "text": "Standar dua",
            "children": [
                {
                    "code": "2.1",
                    "text": "Indikator 2.1",
                    "children": [
                        {"code": "2.1.1", "text": "Nilai UKG", "source": "external"},
                    ],
                },
            ],
        },
    ],
    "questionnaires": [
        {
            "respondent_type": "ks",
            "level": "SD",
            "questions": [
                choice("Q1", "1.1.1", [("a", 0), ("b", 0.5), ("c", 1)]),
                choice("Q2", "1.1.2", [("a", 0), ("b", 1)]),
            ],
        },
        {
            "respondent_type": "guru",
            "level": "SD",
            "questions": [
                choice("Q1", "1.1.1", [("a", 0), ("b", 0.5), ("c", 1)]),
                choice("Q2", "1.1.2", [("a", 0), ("b", 1)]),
                choice("Q3", "1.2.1", [("x", 0.25), ("y", 0.25), ("z", 0.5)], kind="multiple"),
            ],
        },
        {
            "respondent_type": "siswa",
            "level": "SD",
            "questions": [choice("Q1", "1.1.1", [("a", 0), ("b", 0.5), ("c", 1)])],
        },
        {
            "respondent_type": "komite",
            "level": "SD",
            "questions": [choice("Q1", "1.1.1", [("a", 0), ("b", 0.5), ("c", 1)])],
        },
    ],
}


@pytest.fixture
def tiny(db):
    return load_instrument(TINY, publish=True)


def options(version, rtype, picks):
    """Option ids for {question code: [option codes]} in the respondent type's SD questionnaire."""
    return [
        Option.objects.get(
            question__questionnaire__version=version,
            question__questionnaire__respondent_type=rtype,
            question__questionnaire__level="SD",
            question__code=q,
            code=c,
        ).id
        for q, codes in picks.items()
        for c in codes
    ]


ANSWERS = {  # two respondents per role, as in the worked example of the test module docstring
    "ks": [{"Q1": ["c"], "Q2": ["b"]}, {"Q1": ["b"], "Q2": ["a"]}],
    "guru": [{"Q1": ["b"], "Q2": ["b"], "Q3": ["x", "z"]}, {"Q1": ["a"], "Q2": ["b"], "Q3": ["y"]}],
    "siswa": [{"Q1": ["c"]}, {"Q1": ["c"]}],
    "komite": [{"Q1": ["b"]}, {"Q1": ["a"]}],
}


@pytest.fixture
def open_round(tiny, personas, schools):
    """A Riau round on the tiny instrument, open from yesterday for a month."""
    return services.create_round(
        actor=personas["lpmp"],
        name="Pemetaan 2026",
        year=2026,
        instrument=tiny,
        province=schools["a"].province,
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=30),
        quotas={"SD": {"ks": 1, "guru": 2}},
    )


@pytest.fixture
def scored_round(open_round, tiny, personas, schools):
    round_ = open_round
    for rtype, answer_sets in ANSWERS.items():
        slots = services.add_respondents(
            actor=personas["operator_a"],
            round_=round_,
            school=schools["a"],
            respondent_type=rtype,
            count=len(answer_sets),
        )
        for slot, picks in zip(slots, answer_sets, strict=True):
            services.submit_answers(respondent=slot, options=options(tiny, rtype, picks))
    ExternalValue.objects.create(
        round=round_, school=schools["a"], node=Node.objects.get(version=tiny, code="2.1.1"), value=6.3
    )
    scoring.score_round(round_.pk)
    return round_
