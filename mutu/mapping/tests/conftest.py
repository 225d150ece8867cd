import pytest

from mutu.instruments.services import DEFAULT_BANDS, load_instrument


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
    return load_instrument(TINY)
