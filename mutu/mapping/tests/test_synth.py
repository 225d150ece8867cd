import io

import pytest
from django.core.management import CommandError, call_command

from mutu.mapping.models import Respondent, Round
from mutu.schools.models import School


def test_synth_round_fills_every_quota_when_no_school_stays_silent(regions):
    call_command("synth_round", "15", "--schools", "12", "--not-sent", "0", stdout=io.StringIO())
    round_ = Round.objects.get()
    schools = set(School.objects.filter(province__code="15").values_list("id", flat=True))
    sent = Respondent.objects.filter(round=round_, submitted_at__isnull=False)
    assert len(schools) == 12
    assert set(sent.values_list("school_id", flat=True)) == schools
    assert not Respondent.objects.filter(round=round_, submitted_at__isnull=True).exists()
    assert all(len(packed) for packed in sent.values_list("packed", flat=True))


def test_synth_round_leaves_the_asked_share_silent(regions):
    call_command("synth_round", "15", "--schools", "40", "--not-sent", "0.5", stdout=io.StringIO())
    round_ = Round.objects.get()
    sent = Respondent.objects.filter(round=round_, submitted_at__isnull=False).values("school_id")
    silent = School.objects.filter(province__code="15").exclude(id__in=sent)
    assert 5 <= silent.count() <= 35  # seeded, but a share of 40 rather than an exact figure


@pytest.mark.parametrize("value", ["1", "-0.1"])
def test_synth_round_refuses_a_share_outside_zero_to_one(regions, value):
    with pytest.raises(CommandError, match="--not-sent"):
        call_command("synth_round", "15", "--not-sent", value, stdout=io.StringIO())
    assert not Round.objects.exists()
