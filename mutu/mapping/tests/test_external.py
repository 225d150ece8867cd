import io

import pytest
from django.core.management import call_command

from mutu.mapping import scoring
from mutu.mapping.models import ExternalValue, SchoolScore


def test_outside_values_load_update_and_feed_the_score(scored_round, schools, tmp_path):
    ExternalValue.objects.all().delete()
    path = tmp_path / "ukg.csv"
    path.write_text(
        "NPSN;Kode;Nilai\n10400001;2.1.1;5,5\n10400001;1.1.1;3\n99999999;2.1.1;4\n10400003;2.1.1;9\n"
        "10400002;2.1.1;abc\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_external_values", str(scored_round.pk), str(path), stdout=out)
    text = out.getvalue()
    assert "baris 3: “1.1.1” bukan sub-indikator yang diisi dari data luar pada instrumen ini." in text
    assert "baris 4: Tidak ada sekolah dengan NPSN 99999999 dalam putaran ini." in text
    assert "baris 5: Nilai 9 di luar 0–7." in text and "baris 6: “abc” bukan angka." in text
    assert ExternalValue.objects.get().value == 5.5
    path.write_text("NPSN;Kode;Nilai\n10400001;2.1.1;6\n", encoding="utf-8")
    call_command("import_external_values", str(scored_round.pk), str(path), stdout=io.StringIO())
    assert ExternalValue.objects.get().value == 6  # re-import updates, never duplicates
    scoring.score_round(scored_round.pk)
    score = SchoolScore.objects.get(round=scored_round, school=schools["a"])
    assert score.total == pytest.approx((12.425 / 3 + 6) / 2)
