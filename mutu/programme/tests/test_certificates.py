"""Certificates: numbered for the participants who meet the attendance rule, made in the worker into
one ZIP, downloaded one by one within scope; the public page confirms a number's name and event only,
rejects a made-up one and is throttled."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mutu.core import dates
from mutu.core.models import AuditEntry
from mutu.cycle.tests.test_documents import pdf_text
from mutu.programme import certificates
from mutu.programme.models import Attendance, Certificate, Event, Participant
from mutu.programme.services import ProgrammeError


@pytest.fixture
def attended(event, schools):
    session = event.sessions.get()
    people = []
    for n, name in enumerate(["Budi", "Sari", "Tono"]):
        person = Participant.objects.create(
            event=event,
            session=session,
            name=name,
            role="guru",
            key=name,
            regency=schools["a"].regency,
            school=schools["a"],
            code=f"CODE{n}",
        )
        people.append(person)
    for person, days in zip(people, [(1, 2), (1, 2), (1,)], strict=True):
        for day in days:
            Attendance.objects.create(participant=person, day=day, method="daftar")
    return people


def test_certificates_are_numbered_made_and_verified(client, personas, event, attended, tmp_path):
    client.force_login(personas["lpmp"])
    client.post(reverse("programme:certificates_generate", args=[event.pk]))
    event = Event.objects.get(pk=event.pk)
    assert event.certificates_done_at and not event.certificates_failure
    numbers = dict(Certificate.objects.values_list("participant__name", "number"))
    assert numbers == {"Budi": f"0001/SPMI/{event.pk}/2026", "Sari": f"0002/SPMI/{event.pk}/2026"}  # Tono: 1 day
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(reverse("programme:certificates_zip", args=[event.pk])).streaming_content))
    )
    assert len(archive.namelist()) == 2 and all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())
    one = Certificate.objects.get(participant__name="Budi")
    pdf = client.get(reverse("programme:certificate", args=[event.pk, one.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    # The certificate prints its check code, and its address is the site the LPMP worked on.
    text = pdf_text(tmp_path, archive.read(certificates.filename(one)))
    assert one.check_code in text and "testserver/sertifikat/" in text

    client.logout()
    page = client.get(reverse("certificate_verify"), {"nomor": f" {one.number} ", "kode": one.check_code})
    page = page.content.decode()
    assert "Sertifikat ini sah" in page and "Budi" in page and "Bimtek SPMI" in page
    assert "10400001" not in page and "SD Negeri 001" not in page and "CODE0" not in page  # nothing more
    made_up = client.get(reverse("certificate_verify"), {"nomor": "9999/SPMI/1/2026", "kode": "ABCDEF"})
    assert (
        made_up.status_code == 404 and "Tidak ada sertifikat dengan nomor dan kode cek ini" in made_up.content.decode()
    )


def test_numbers_stay_and_new_eligible_participants_get_the_next(personas, event, attended):
    assert certificates.issue_numbers(event) == 2
    Attendance.objects.create(participant=attended[2], day=2, method="daftar")
    assert certificates.issue_numbers(event) == 1
    assert Certificate.objects.get(participant=attended[2]).seq == 3
    assert certificates.issue_numbers(event) == 0


def test_the_verification_page_is_throttled(client, settings, db):
    settings.MUTU_VERIFY_ATTEMPTS = 2
    for _ in range(2):
        client.get(reverse("certificate_verify"), {"nomor": "1/SPMI", "kode": "AAAAAA"})
    response = client.get(reverse("certificate_verify"), {"nomor": "2/SPMI", "kode": "AAAAAA"})
    assert response.status_code == 429


def test_another_schools_certificate_is_not_served(client, personas, event, attended):
    certificates.issue_numbers(event)
    one = Certificate.objects.first()
    client.force_login(personas["kepsek_b"])
    assert client.get(reverse("programme:certificate", args=[event.pk, one.pk])).status_code == 404
    client.force_login(personas["kepsek_a"])  # the participants' own school
    assert client.get(reverse("programme:certificate", args=[event.pk, one.pk])).status_code == 200


def test_a_second_click_starts_nothing_and_only_the_lpmp_asks(personas, event, attended):
    Event.objects.filter(pk=event.pk).update(certificates_requested_at="2026-03-01T08:00Z")
    site = "https://mutu.example.go.id"
    assert (
        certificates.request_generation(actor=personas["lpmp"], event=Event.objects.get(pk=event.pk), site=site)
        is False
    )
    with pytest.raises(ProgrammeError):
        certificates.request_generation(actor=personas["fasilitator"], event=event, site=site)


@pytest.mark.parametrize("fmt", ["PT-{event}", "{seq:>100000}/{event}", "{seq.__class__}/{event}", "{seq:04d}/SPMI"])
def test_a_number_format_is_refused_unless_it_holds_seq_and_event_only(personas, event, fmt):
    from mutu.programme import events

    with pytest.raises(events.ProgrammeError, match="Format nomor sertifikat"):
        events.save_event(actor=personas["lpmp"], cohort=event.cohort, event=event, data={"certificate_format": fmt})
    assert Event.objects.get(pk=event.pk).certificate_format == "{seq:04d}/SPMI/{event}/{year}"


def test_a_number_typed_in_lower_case_is_found(client, personas, event, attended):
    certificates.issue_numbers(event)
    certificate = Certificate.objects.first()
    code = certificate.check_code
    assert certificates.lookup(certificate.number.lower(), f" {code[:3].lower()}-{code[3:]} ") == certificate
    assert certificates.lookup(certificate.number, "") is None


def test_25_guessed_numbers_reveal_nobody(client, personas, event, attended, settings):
    """The worked example: numbers run in sequence, so guessing 25 of them used to show 25 names."""
    settings.MUTU_VERIFY_ATTEMPTS = 100
    certificates.issue_numbers(event)
    real = Certificate.objects.first()
    for seq in range(1, 26):
        number = event.certificate_format.format(seq=seq, year=event.cohort.year, event=event.pk)
        for code in ("", "AAAAAA", real.check_code if seq != real.seq else "BBBBBB"):
            page = client.get(reverse("certificate_verify"), {"nomor": number, "kode": code}).content.decode()
            assert "Budi" not in page and "Sari" not in page and "Sertifikat ini sah" not in page
    found = client.get(reverse("certificate_verify"), {"nomor": real.number, "kode": real.check_code})
    assert found.status_code == 200 and real.participant.name in found.content.decode()


def test_a_revoked_certificate_says_so_with_its_date(client, personas, event, attended):
    certificates.issue_numbers(event)
    item = Certificate.objects.first()
    url = reverse("programme:certificate_revoke", args=[event.pk, item.pk])
    client.force_login(personas["fasilitator"])  # takes attendance, but does not run the cohort
    assert client.post(url, {"reason": "salah cetak"}).status_code == 403
    client.force_login(personas["lpmp"])
    refused = client.post(url, {"reason": " "}, follow=True).content.decode()
    assert "Sebutkan alasan" in refused
    client.post(url, {"reason": "Kehadiran dicatat keliru"})
    item.refresh_from_db()
    assert item.revoked_at and item.revoked_by == personas["lpmp"] and item.revoke_reason == "Kehadiran dicatat keliru"
    page = client.get(reverse("certificate_verify"), {"nomor": item.number, "kode": item.check_code}).content.decode()
    with translation.override("id"):
        revoked_on = dates.shown(timezone.localtime(item.revoked_at))
    assert f"dicabut pada {revoked_on}" in page and "tidak berlaku lagi" in page
    assert certificates.issue_numbers(event) == 0  # the participant is not numbered again
    assert AuditEntry.objects.filter(action="programme.certificate.revoke").exists()


def test_check_deploy_warns_when_the_site_url_is_left_at_its_default(settings):
    from django.core.checks import run_checks

    settings.MUTU_SITE_URL = "http://127.0.0.1:8000"
    assert "mutu.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.MUTU_SITE_URL = "https://mutu.lpmpriau.id"
    assert "mutu.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


def qr_codes(tmp_path, pdf):
    """The QR codes a reader finds on the PDF's first page, rendered as a phone camera would see it."""
    import shutil
    import subprocess

    import zxingcpp
    from PIL import Image

    if not shutil.which("pdftoppm"):  # poppler-utils: ./dev test installs it
        pytest.skip("pdftoppm missing")
    (tmp_path / "page.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", tmp_path / "page.pdf", tmp_path / "page"])
    return [found.text for found in zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))]


def test_each_certificate_is_stamped_with_its_own_person_and_code(personas, event, attended, tmp_path):
    """The page is laid out once per session and stamped: each certificate reads its own name,
    role and number, and its QR code opens its own verification."""
    second = event.sessions.create(name="Luring Kampar")
    Participant.objects.filter(pk=attended[1].pk).update(
        session=second, name="Prof. Dr. Hj. Sri Wahyuningsih Kusumawardhani Purbaningrum, M.Pd., M.Si."
    )
    certificates.issue_numbers(event)
    made = list(
        certificates.render(
            Certificate.objects.select_related("participant__event__cohort__province", "participant__session")
            .order_by("seq")
            .all(),
            site="https://mutu.example",
        )
    )
    assert [c.participant.name[:4] for c, _ in made] == ["Budi", "Prof"]
    for certificate, pdf in made:
        text = " ".join(pdf_text(tmp_path, pdf).split())
        assert f"Nomor: {certificate.number} · Kode cek: {certificate.check_code}" in text
        assert certificate.participant.name in text  # a long name shrinks to its line, whole
        assert "guru · SD Negeri 001 Bangkinang · Kabupaten Kampar" in text
        assert qr_codes(tmp_path, pdf) == [certificates.verification_url(certificate, "https://mutu.example")]
        assert "DICABUT" not in text

    # A revoked certificate, drawn again (its own download), says so across its top.
    budi = certificates.revoke(actor=personas["lpmp"], certificate=made[0][0], reason="Nama salah tulis")
    ((_, pdf),) = certificates.render([Certificate.objects.get(pk=budi.pk)], site="https://mutu.example")
    assert f"DICABUT pada {dates.shown(budi.revoked_at)}: tidak berlaku lagi" in " ".join(
        pdf_text(tmp_path, pdf).split()
    )
