"""The imbas network (suggestions, limits, visits), grants with their spending and refund, and the
regional support (TPMPD members, agreements)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutu.factories import SchoolFactory
from mutu.programme import services
from mutu.programme.models import Grant, ImbasSchool, ImbasVisit


def test_suggestions_come_from_the_same_district_first_and_leave_the_cohort_out(personas, model_school, schools):
    near = SchoolFactory(name="SD Dekat", district_code="14.01.01")
    far = SchoolFactory(name="SD Jauh", district_code="14.01.02")
    suggested = services.imbas_suggestions(model_school)
    assert suggested.index(near) < suggested.index(far)
    assert schools["a"] not in suggested and schools["b"] not in suggested  # the model school; another kab/kota
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=near)
    assert near not in services.imbas_suggestions(model_school)


def test_imbas_limits_and_refusals(personas, cohort, model_school, schools):
    with pytest.raises(services.ProgrammeError, match="kab/kota sekolah modelnya"):
        services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["b"])
    with pytest.raises(services.ProgrammeError, match="adalah sekolah model"):
        services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["a"])
    with pytest.raises(services.ProgrammeError, match="Hanya LPMP Riau"):
        services.add_imbas(actor=personas["pengawas"], model_school=model_school, school=schools["c"])
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    with pytest.raises(services.ProgrammeError, match="sudah menjadi sekolah imbas"):
        services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=SchoolFactory())
    with pytest.raises(services.ProgrammeError, match="sudah memiliki 2 sekolah imbas"):
        services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=SchoolFactory())
    assert ImbasSchool.objects.count() == 2


def test_the_model_schools_team_records_a_visit_with_evidence(client, personas, cohort, model_school, schools):
    imbas = services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    client.force_login(personas["tpmps_a"])
    url = reverse("programme:imbas_visit", args=[cohort.pk, imbas.pk])
    data = {
        "starts_on": "2026-04-08",
        "ends_on": "2026-04-06",
        "mentor": "Rosmawati",
        "participants": "TPMPS",
        "report": "Pendampingan tiga hari.",
    }
    response = client.post(url, data, follow=True)
    assert "tidak dapat berakhir sebelum dimulai" in response.content.decode() and not ImbasVisit.objects.exists()
    photo = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    client.post(url, data | {"ends_on": "2026-04-10", "evidence_file": photo})
    visit = ImbasVisit.objects.get()
    assert visit.evidence_name == "foto.png"
    download = client.get(reverse("programme:imbas_evidence", args=[cohort.pk, visit.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(personas["kepsek_b"])
    assert client.get(reverse("programme:imbas_evidence", args=[cohort.pk, visit.pk])).status_code == 404
    svg = SimpleUploadedFile("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    with pytest.raises(services.ProgrammeError):
        services.record_imbas_visit(
            actor=personas["tpmps_a"],
            imbas=imbas,
            evidence=svg,
            data={
                "starts_on": date(2026, 5, 1),
                "ends_on": date(2026, 5, 3),
                "mentor": "m",
                "participants": "p",
                "report": "r",
            },
        )


def test_a_grant_its_spending_and_the_realisation(client, personas, cohort, model_school):
    client.force_login(personas["lpmp"])
    url = reverse("programme:grant_save", args=[cohort.pk, model_school.pk])
    response = client.post(
        url,
        {"amount": "12.500.000", "agreement_number": "PKS/1", "agreement_date": "2026-03-01", "refund": "20.000.000"},
        follow=True,
    )
    assert "Pengembalian tidak boleh melebihi bantuan" in response.content.decode()
    client.post(
        url, {"amount": "12.500.000", "agreement_number": "PKS/1", "agreement_date": "2026-03-01", "refund": "500.000"}
    )
    client.force_login(personas["kepsek_a"])
    spend = reverse("programme:spending_add", args=[cohort.pk, model_school.pk])
    client.post(spend, {"spent_on": "2026-04-01", "description": "Lokakarya", "amount": "7.000.000"})
    response = client.post(spend, {"spent_on": "2026-04-02", "description": "Lagi", "amount": "6.000.000"}, follow=True)
    assert "melebihi bantuan (sisa Rp 5.000.000)" in response.content.decode()
    response = client.post(spend, {"spent_on": "2026-04-02", "description": "Minus", "amount": "-5"}, follow=True)
    assert "Tidak ada yang disimpan" in response.content.decode()
    summary = services.realisation(Grant.objects.all())
    assert (summary["granted"], summary["spent"], summary["refunded"], summary["left"]) == (
        12_500_000,
        7_000_000,
        500_000,
        5_000_000,
    )
    client.force_login(personas["lpmp"])
    assert "Rp 12.500.000" in client.get(reverse("programme:grants", args=[cohort.pk])).content.decode()


def test_regional_support_is_recorded_by_the_lpmp(client, personas, cohort, schools):
    client.force_login(personas["lpmp"])
    url = reverse("programme:regional", args=[cohort.pk])
    kampar = schools["a"].regency
    member = {"form": "tpmpd", "t-regency": kampar.pk, "t-name": "Drs. Syafrizal", "t-decree_number": "SK/1"}
    client.post(url, member)
    response = client.post(url, member, follow=True)
    assert "sudah menjadi anggota TPMPD kab/kota ini" in response.content.decode()
    pdf = SimpleUploadedFile("nk.pdf", b"%PDF-1.4\n%%EOF\n")
    agreement = {
        "form": "agreement",
        "n-regency": kampar.pk,
        "n-number": "NK/1",
        "n-signed_on": "2026-02-10",
        "n-commitments": "Mendampingi",
        "n-budget": "50.000.000",
        "n-upload": pdf,
    }
    client.post(url, agreement)
    client.post(url, agreement | {"n-number": "NK/1-rev", "n-upload": SimpleUploadedFile("nk.pdf", b"%PDF-1.4\n")})
    from mutu.programme.models import Agreement

    assert list(Agreement.objects.values_list("number", flat=True)) == ["NK/1-rev"]  # one per kab/kota
    client.force_login(personas["dinas_pekanbaru"])
    page = client.get(url).content.decode()
    assert "NK/1-rev" not in page and "Syafrizal" not in page  # Kampar's, not Pekanbaru's
    client.force_login(personas["dinas_kampar"])
    assert "NK/1-rev" in client.get(url).content.decode()
    assert client.post(url, member | {"t-name": "Lain"}).status_code == 404


def test_a_grant_cannot_fall_below_its_spending_nor_precede_its_agreement(personas, model_school):
    grant = services.save_grant(
        actor=personas["lpmp"],
        model_school=model_school,
        data={"amount": 12_500_000, "agreement_number": "PKS/1", "agreement_date": date(2026, 3, 1)},
    )
    services.add_spending(
        actor=personas["kepsek_a"],
        grant=grant,
        data={"spent_on": date(2026, 4, 1), "description": "Lokakarya", "amount": 8_000_000},
    )
    with pytest.raises(services.ProgrammeError, match="Rp 8.000.000 sudah dilaporkan"):
        services.save_grant(
            actor=personas["lpmp"],
            model_school=model_school,
            data={"amount": 1, "agreement_number": "PKS/1", "agreement_date": date(2026, 3, 1)},
        )
    with pytest.raises(services.ProgrammeError, match="transfer tidak boleh mendahului perjanjian"):
        services.save_grant(
            actor=personas["lpmp"],
            model_school=model_school,
            data={
                "amount": 12_500_000,
                "agreement_number": "PKS/1",
                "agreement_date": date(2026, 3, 1),
                "transferred_on": date(2019, 1, 1),
            },
        )
    assert Grant.objects.get().amount == 12_500_000
    from mutu.programme.forms import SpendingForm

    assert not SpendingForm({"spent_on": "2026-04-01", "description": "x", "amount": "1e5"}).is_valid()
