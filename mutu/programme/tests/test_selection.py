"""Selection of model schools: a pengawas or Dinas proposes a school of its scope with the criteria
checklist; the cohort's LPMP designates (SK), rejects (reason), graduates or replaces it. Every allowed
move by the right role works and is recorded; every forbidden one changes nothing."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutu.programme import services
from mutu.programme.models import ModelSchool, ModelSchoolStatus, StatusChange

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def statement():
    return SimpleUploadedFile("komitmen.pdf", PDF, content_type="application/pdf")


def test_a_pengawas_proposes_with_the_checklist_and_the_lpmp_designates(client, personas, cohort, schools):
    client.force_login(personas["pengawas"])
    response = client.post(
        reverse("programme:propose", args=[cohort.pk]),
        {"school": schools["a"].pk, "commitment": statement(), "regional_support": "on", "support_note": "APBD"},
        follow=True,
    )
    record = ModelSchool.objects.get(cohort=cohort, school=schools["a"])
    assert record.status == ModelSchoolStatus.CANDIDATE and record.commitment_name == "komitmen.pdf"
    assert "diusulkan" in response.content.decode()
    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:model_school", args=[cohort.pk, record.pk])).content.decode()
    assert "belum ada rapor mutu" in page and "komitmen.pdf" in page
    url = reverse("programme:move", args=[cohort.pk, record.pk, "designate"])
    response = client.post(url, {"decree_number": "", "decree_date": ""}, follow=True)
    assert "nomor dan tanggal SK" in response.content.decode()
    client.post(url, {"decree_number": "800/LPMP/2026/1", "decree_date": "2026-02-01"})
    record = ModelSchool.objects.get(pk=record.pk)
    assert record.status == ModelSchoolStatus.DESIGNATED and record.decree_date == date(2026, 2, 1)
    assert [(c.source, c.target) for c in services.history(record)] == [("", "calon"), ("calon", "ditetapkan")]
    download = client.get(reverse("programme:commitment", args=[cohort.pk, record.pk]))
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"


def test_proposals_outside_scope_twice_or_with_a_false_statement_are_refused(personas, cohort, schools):
    with pytest.raises(services.ProgrammeError, match="binaan Anda"):
        services.propose(actor=personas["pengawas"], cohort=cohort, school=schools["b"])  # not assigned to them
    with pytest.raises(services.ProgrammeError, match="tidak berada di Riau"):
        services.propose(actor=personas["pusat"], cohort=cohort, school=schools["d"])  # a Jambi school
    renamed = SimpleUploadedFile("komitmen.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(services.ProgrammeError, match="Isi berkas ini application/x-msdownload"):
        services.propose(actor=personas["dinas_kampar"], cohort=cohort, school=schools["a"], commitment=renamed)
    assert not ModelSchool.objects.exists()
    services.propose(actor=personas["dinas_kampar"], cohort=cohort, school=schools["a"])
    with pytest.raises(services.ProgrammeError, match="sudah ada di angkatan"):
        services.propose(actor=personas["pengawas"], cohort=cohort, school=schools["a"])  # a double click
    assert ModelSchool.objects.count() == 1


def test_a_school_that_meets_the_snp_is_not_a_candidate(personas, cohort, schools, monkeypatch):
    from mutu.programme import selectors

    monkeypatch.setattr(selectors, "latest_rapor", lambda ids: {schools["a"].pk: (6.8, "SNP", True)})
    with pytest.raises(services.ProgrammeError, match="sudah mencapai SNP"):
        services.propose(actor=personas["pengawas"], cohort=cohort, school=schools["a"])


# (move, state it leaves from, state it reaches, extra arguments)
MOVES = [
    ("designate", "calon", "ditetapkan", {"decree_number": "SK/1", "decree_date": date(2026, 2, 1)}),
    ("reject", "calon", "ditolak", {"note": "Komitmen belum lengkap."}),
    ("graduate", "ditetapkan", "mandiri", {"note": "Memenuhi semua kriteria."}),
    ("replace", "ditetapkan", "diganti", {"note": "Kinerja rendah."}),
]
STATES = ["calon", "ditetapkan", "ditolak", "mandiri", "diganti"]


def _record(cohort, school, state):
    record = ModelSchool.objects.create(
        cohort=cohort, school=school, regional_support=True, commitment=ContentFile(PDF, name="komitmen.pdf")
    )
    ModelSchool.objects.filter(pk=record.pk).update(status=state)
    record = ModelSchool.objects.get(pk=record.pk)
    return record


@pytest.mark.parametrize("name,source,target,extra", MOVES)
@pytest.mark.parametrize("state", STATES)
def test_every_move_from_every_state(personas, cohort, schools, name, source, target, extra, state):
    record = _record(cohort, schools["a"], state)
    spare = _record(cohort, schools["c"], "calon")
    if name == "replace":
        extra = extra | {"replacement": spare}
    if state != source:
        with pytest.raises(services.ProgrammeError, match="tidak dapat dilakukan"):
            services.move(actor=personas["lpmp"], record=record, name=name, **extra)
        record = ModelSchool.objects.get(pk=record.pk)
        assert record.status == state and not StatusChange.objects.exists()
        return
    services.move(actor=personas["lpmp"], record=record, name=name, **extra)
    record = ModelSchool.objects.get(pk=record.pk)
    assert record.status == target
    change = StatusChange.objects.get()
    assert (change.actor, change.source, change.target) == (personas["lpmp"], source, target)


@pytest.mark.parametrize("who", ["pengawas", "dinas_kampar", "lpmp_jambi", "kepsek_a", "fasilitator", "nobody"])
def test_only_the_cohorts_lpmp_moves_a_record(personas, cohort, schools, who):
    record = _record(cohort, schools["a"], "calon")
    with pytest.raises(services.ProgrammeError, match="Hanya LPMP Riau"):
        services.move(
            actor=personas[who], record=record, name="designate", decree_number="SK", decree_date=date.today()
        )
    record = ModelSchool.objects.get(pk=record.pk)
    assert record.status == "calon"


def test_a_move_needs_its_reason_and_a_replacement_of_the_same_cohort(personas, cohort, schools):
    record = _record(cohort, schools["a"], "ditetapkan")
    with pytest.raises(services.ProgrammeError, match="Jelaskan mengapa sekolah diganti"):
        services.move(actor=personas["lpmp"], record=record, name="replace")
    with pytest.raises(services.ProgrammeError, match="sekolah pengganti"):
        services.move(actor=personas["lpmp"], record=record, name="replace", note="x", replacement=record)
    candidate = _record(cohort, schools["c"], "calon")
    with pytest.raises(services.ProgrammeError, match="Jelaskan mengapa sekolah tidak ditetapkan"):
        services.move(actor=personas["lpmp"], record=candidate, name="reject", note="  ")
    record = ModelSchool.objects.get(pk=record.pk)
    assert record.status == "ditetapkan"


def test_a_cohort_is_unique_per_province_year_and_name(personas, cohort, schools):
    with pytest.raises(services.ProgrammeError, match="sudah memiliki angkatan"):
        services.create_cohort(actor=personas["lpmp"], province=schools["a"].province, year=2026, name=cohort.name)
    with pytest.raises(services.ProgrammeError, match="Hanya LPMP Riau"):
        services.create_cohort(actor=personas["lpmp_jambi"], province=schools["a"].province, year=2027, name="X")


def test_designation_needs_the_criteria_and_a_past_sk_date(personas, cohort, schools):
    from datetime import timedelta

    bare = ModelSchool.objects.create(cohort=cohort, school=schools["a"])
    with pytest.raises(services.ProgrammeError, match="pernyataan komitmen bertanda tangan dan dukungan daerah"):
        services.move(
            actor=personas["lpmp"], record=bare, name="designate", decree_number="SK", decree_date=date.today()
        )
    ready = _record(cohort, schools["c"], "calon")
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(services.ProgrammeError, match="Tanggal SK tidak boleh"):
        services.move(actor=personas["lpmp"], record=ready, name="designate", decree_number="SK", decree_date=tomorrow)
    assert set(ModelSchool.objects.values_list("status", flat=True)) == {"calon"}


def test_an_imbas_school_is_not_a_candidate_and_only_candidates_replace(personas, cohort, model_school, schools):
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    with pytest.raises(services.ProgrammeError, match="adalah sekolah imbas angkatan ini"):
        services.propose(actor=personas["dinas_riau"], cohort=cohort, school=schools["c"])
    other = _record(cohort, schools["b"], "ditetapkan")
    with pytest.raises(services.ProgrammeError, match="dari calon angkatan ini"):
        services.move(actor=personas["lpmp"], record=model_school, name="replace", note="x", replacement=other)


def test_a_candidates_criteria_are_completed_after_proposing(client, personas, cohort, schools):
    """No dead end: a candidate proposed without the region's support, or with a wrong statement, is
    completed by whoever proposed it (or the LPMP), then designated."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from mutu.core.models import AuditEntry
    from mutu.programme.tests.conftest import statement

    record = services.propose(actor=personas["pengawas"], cohort=cohort, school=schools["a"], commitment=statement())
    with pytest.raises(services.ProgrammeError):
        services.move(actor=personas["lpmp"], record=record, name="designate", decree_number="SK/1",
                      decree_date=date(2026, 2, 1))  # fmt: skip
    url = reverse("programme:criteria", args=[cohort.pk, record.pk])
    for outsider in ("kepsek_a", "pengawas_other", "lpmp_jambi", "dinas_pekanbaru"):
        client.force_login(personas[outsider])
        assert client.post(url, {"regional_support": "on"}).status_code in (403, 404)
    client.force_login(personas["pengawas"])
    bad = SimpleUploadedFile("komitmen.pdf", b"MZ\x90\x00 not a pdf")
    client.post(url, {"commitment": bad, "regional_support": "on"})
    assert not ModelSchool.objects.get(pk=record.pk).regional_support  # a refused file saves nothing
    client.post(url, {"regional_support": "on", "support_note": "Dinas Kampar menganggarkan"})
    record = ModelSchool.objects.get(pk=record.pk)
    assert record.regional_support and record.regional_support_note == "Dinas Kampar menganggarkan"
    assert AuditEntry.objects.filter(action="programme.criteria").count() == 1
    services.move(actor=personas["lpmp"], record=record, name="designate", decree_number="SK/1",
                  decree_date=date(2026, 2, 1))  # fmt: skip
    client.force_login(personas["pengawas"])
    assert client.post(url, {"regional_support": ""}).status_code == 404  # designated: the record stands
