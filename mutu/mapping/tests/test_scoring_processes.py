"""Scoring province by province in child processes: the same numbers as in one process, a national
row built from every province's sums, and a failing province reported and rolled back."""

import io
import os
from datetime import date

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from mutu.mapping import scoring, services
from mutu.mapping.models import RegionScore, SchoolScore

from .conftest import ANSWERS, options

pytestmark = pytest.mark.django_db(transaction=True)  # children only see committed rows


@pytest.fixture
def national_round(tiny, personas, schools):
    """A national round on the tiny instrument: school a (Riau) and d (Jambi) answer, b and c do not."""
    round_ = services.create_round(
        actor=personas["pusat"],
        name="Pemetaan nasional",
        year=2026,
        instrument=tiny,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
        quotas={"SD": {"ks": 1, "guru": 2}},
    )
    for key, pick in (("a", 0), ("d", 1)):
        for rtype, answer_sets in ANSWERS.items():
            (slot,) = services.add_respondents(
                actor=None, round_=round_, school=schools[key], respondent_type=rtype, count=1
            )
            services.submit_answers(respondent=slot, options=options(tiny, rtype, answer_sets[pick]))
    return round_


def stored(round_):
    schools = sorted((s.school_id, bytes(s.values), s.total, s.level, s.flags) for s in round_.school_scores.all())
    regions = sorted(
        (r.kind, r.code, bytes(r.values), r.total, r.schools, r.with_rapor, r.level_counts)
        for r in round_.region_scores.all()
    )
    return schools, regions


def test_child_processes_give_the_numbers_of_one_process(national_round, monkeypatch):
    with transaction.atomic():  # the caller's transaction keeps scoring in this process
        assert scoring.score_round(national_round.pk) == 2
    in_process = stored(national_round)
    RegionScore.objects.all().delete()
    SchoolScore.objects.all().delete()

    children = []
    run_in_child = scoring._in_child_process
    monkeypatch.setattr(
        scoring, "_in_child_process", lambda f, *args: children.append(args[2].code) or run_in_child(f, *args)
    )
    assert scoring.score_round(national_round.pk) == 2
    assert children == ["14", "15"]  # every province of the regions loaded, each in its own process
    assert stored(national_round) == in_process


def test_national_row_sums_every_province(national_round, schools):
    scoring.score_round(national_round.pk)
    totals = [SchoolScore.objects.get(round=national_round, school=schools[k]).total for k in "ad"]
    nation = RegionScore.objects.get(round=national_round, kind="nation")
    assert (nation.schools, nation.with_rapor) == (4, 2)  # b and c sent nothing: counted, not averaged
    assert nation.total == pytest.approx(np.mean(totals))
    riau, jambi = (RegionScore.objects.get(round=national_round, kind="province", code=c) for c in ("14", "15"))
    assert (riau.schools, riau.with_rapor, jambi.schools, jambi.with_rapor) == (3, 1, 1, 1)


def test_a_failing_province_is_reported_and_leaves_its_scores(national_round, schools, monkeypatch):
    scoring.score_round(national_round.pk)
    before = stored(national_round)
    score_schools = scoring._score_schools

    def fail_in_jambi(round_, matrix, chunk, regions):
        scored = score_schools(round_, matrix, chunk, regions)  # writes Jambi's rows, then fails
        if chunk[0][3] == "15":
            raise ValueError("disk penuh")
        return scored

    monkeypatch.setattr(scoring, "_score_schools", fail_in_jambi)
    SchoolScore.objects.filter(school=schools["d"]).update(total=0)
    with pytest.raises(scoring.ScoringError, match=r"^Jambi \(15\): Traceback(?s:.*)ValueError: disk penuh"):
        scoring.score_round(national_round.pk)
    assert SchoolScore.objects.get(school=schools["d"]).total == 0  # Jambi's transaction rolled back
    assert stored(national_round)[1] == before[1]


def test_command_reports_rapor_and_failures(national_round, monkeypatch):
    out = io.StringIO()
    call_command("score_round", national_round.pk, stdout=out)
    assert out.getvalue().startswith("2 rapor sekolah dihitung")
    monkeypatch.setattr(scoring, "_score_schools", lambda *args: os._exit(9))  # as if killed for memory
    with pytest.raises(
        CommandError, match="(?s)Penghitungan berhenti.*Riau \\(14\\): The scoring process ended with exit code 9"
    ):
        call_command("score_round", national_round.pk, stdout=out)
