"""The demo's sekolah model programme: the Riau 2020 online stage-1 mentoring as the seed reports it
(1,417 participants, its recap visible on first run), and a 2026 cohort around the demo personas with a
record at every status, imbas schools and a visit, an event with attendance and certificates, a
grant, regional support and the year's evaluation. Idempotent: an existing cohort is left alone."""

import io
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from mutu.accounts.models import User
from mutu.programme import certificates, evaluation, events, offices, riau2020, services
from mutu.programme.models import (
    Attendance,
    AttendanceMethod,
    Cohort,
    Office,
    Participant,
)

COHORT_2026 = "Sekolah Model SPMI Riau 2026"


def load_programme(province):
    lpmp = User.objects.get(username="lpmp.riau")
    if not Office.objects.filter(province=province).exists():
        _office(lpmp, province)
    if not Cohort.objects.filter(province=province, year=2020, name=riau2020.COHORT_NAME).exists():
        _riau_2020(lpmp, province)
    if not Cohort.objects.filter(province=province, year=2026, name=COHORT_2026).exists():
        _cohort_2026(lpmp, province)


def _office(lpmp, province):
    """The demo institute's letterhead: an invented head (name and NIP) and a drawn logo."""
    picture = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((8, 8, 232, 232), fill="#0b5cad")
    draw.polygon([(120, 40), (200, 190), (40, 190)], fill="#f2b705")
    logo = io.BytesIO()
    picture.save(logo, "PNG")
    offices.save_office(
        actor=lpmp,
        province=province,
        data={
            "name": "Balai Penjaminan Mutu Pendidikan Provinsi Riau",
            "city": "Pekanbaru",
            "head_name": "Dr. Hj. Nurhayati, M.Pd.",
            "head_nip": "197003121995032001",
        },
        logo=SimpleUploadedFile("logo-bpmp-riau.png", logo.getvalue(), "image/png"),
    )


@transaction.atomic
def _riau_2020(lpmp, province):
    cohort = services.create_cohort(actor=lpmp, province=province, year=2020, name=riau2020.COHORT_NAME, imbas_target=5)
    riau2020.ensure_network(cohort, lpmp)
    event = events.save_event(
        actor=lpmp,
        cohort=cohort,
        data={
            "name": riau2020.EVENT_NAME,
            "kind": "pendampingan1",
            "stage": 1,
            "mode": "daring",
            "days": 2,
            "hours": 16,
            "letter_number": "421/LPMP.RIAU/X/2020",
            "meeting_link": "https://meet.example.id/lpmp-riau",
        },
    )
    places = riau2020.regencies()
    for name, starts_on, names in riau2020.CLUSTERS:
        events.save_session(
            actor=lpmp, event=event, data={"name": name, "starts_on": starts_on}, regencies=[places[n] for n in names]
        )
    with tempfile.TemporaryDirectory() as folder:
        path = riau2020.write_participant_file(Path(folder) / "peserta-daring-tahap-1.csv")
        events.import_file(event, path, commit=True, actor=lpmp)
    Attendance.objects.bulk_create(
        (
            Attendance(participant_id=pk, day=day, method=AttendanceMethod.CHECKLIST, recorded_by=lpmp)
            for pk in Participant.objects.filter(event=event).values_list("pk", flat=True)
            for day in (1, 2)
        ),
        batch_size=2000,
    )


def _cohort_2026(lpmp, province):
    pengawas = User.objects.get(username="pengawas.kampar")
    fasilitator = User.objects.get(username="fasilitator.riau")
    kampar = province.regencies.get(code="14.01")
    cohort = services.create_cohort(actor=lpmp, province=province, year=2026, name=COHORT_2026, imbas_target=3)
    binaan = list(pengawas.memberships.get(role="pengawas").schools.order_by("npsn"))
    commitment = _pdf("komitmen.pdf")
    model = services.propose(
        actor=pengawas,
        cohort=cohort,
        school=binaan[0],
        commitment=commitment,
        regional_support=True,
        support_note="Dinas Kampar menganggarkan pendampingan",
        note="Sekolah berkomitmen menerapkan SPMI.",
    )
    model = services.move(
        actor=lpmp,
        record=model,
        name="designate",
        decree_number="800/LPMP.RIAU/2026/014",
        decree_date=date(2026, 2, 16),
    )
    # A second model school, further along: its 2026 cycle has every step accepted.
    ahead = services.propose(
        actor=pengawas, cohort=cohort, school=binaan[7], commitment=_pdf("komitmen-8.pdf"), regional_support=True
    )
    services.move(
        actor=lpmp,
        record=ahead,
        name="designate",
        decree_number="800/LPMP.RIAU/2026/015",
        decree_date=date(2026, 2, 16),
    )
    services.propose(
        actor=pengawas, cohort=cohort, school=binaan[1], commitment=_pdf("komitmen-2.pdf"), regional_support=True
    )
    refused = services.propose(actor=pengawas, cohort=cohort, school=binaan[2], regional_support=False)
    services.move(
        actor=lpmp,
        record=refused,
        name="reject",
        note="Pernyataan komitmen belum ditandatangani seluruh komponen sekolah.",
    )
    nearby = services.imbas_suggestions(model)
    for school in nearby[:2]:
        services.add_imbas(actor=lpmp, model_school=model, school=school, agreed_on=date(2026, 3, 2))
    first = model.imbas.order_by("pk").first()
    services.record_imbas_visit(
        actor=lpmp,
        imbas=first,
        data={
            "starts_on": date(2026, 4, 6),
            "ends_on": date(2026, 4, 8),
            "mentor": "Hj. Rosmawati, S.Pd. (TPMPS)",
            "participants": "Kepala sekolah, 2 guru, 1 anggota komite",
            "report": "Pemetaan mutu dan penyusunan RKS didampingi selama tiga hari.",
        },
    )
    grant = services.save_grant(
        actor=lpmp,
        model_school=model,
        data={
            "amount": Decimal(12_500_000),
            "agreement_number": "PKS/LPMP.RIAU/2026/031",
            "agreement_date": date(2026, 3, 1),
            "transferred_on": date(2026, 3, 20),
        },
    )
    for spent_on, description, amount in [
        (date(2026, 4, 2), "Lokakarya pemetaan mutu", 3_250_000),
        (date(2026, 5, 14), "Pendampingan sekolah imbas", 4_100_000),
    ]:
        grant.spending.create(spent_on=spent_on, description=description, amount=Decimal(amount))
    services.add_tpmpd_member(
        actor=lpmp,
        cohort=cohort,
        data={
            "regency": kampar,
            "name": "Drs. Syafrizal",
            "position": "Sekretaris Dinas Pendidikan",
            "decree_number": "SK.421/TPMPD-KPR/2026",
            "decree_date": date(2026, 1, 20),
            "nip": "",
        },
    )
    services.save_agreement(
        actor=lpmp,
        cohort=cohort,
        data={
            "regency": kampar,
            "number": "NK/LPMP-DISDIK.KPR/2026/02",
            "signed_on": date(2026, 2, 10),
            "commitments": "Dinas mendampingi sekolah model dan menganggarkan pengimbasan.",
            "budget": Decimal(50_000_000),
        },
        upload=_pdf("kesepakatan.pdf"),
    )
    event = events.save_event(
        actor=lpmp,
        cohort=cohort,
        facilitators=[fasilitator],
        data={
            "name": "Bimtek SPMI Sekolah Model Tahap 1",
            "kind": "bimtek",
            "stage": 1,
            "mode": "luring",
            "days": 2,
            "hours": 24,
            "letter_number": "421/LPMP.RIAU/III/2026",
            "capacity": 60,
        },
    )
    session = events.save_session(
        actor=lpmp,
        event=event,
        regencies=[kampar],
        data={"name": "TPK Kampar", "starts_on": date(2026, 3, 10), "venue": "Aula Dinas Pendidikan Kampar"},
    )
    events.add_from_roster(actor=lpmp, event=event, role="ks_binaan", regencies=[kampar])
    events.add_from_roster(actor=lpmp, event=event, role="ks_imbas", regencies=[kampar])
    events.add_from_roster(actor=lpmp, event=event, role="pengawas", regencies=[kampar])
    events.add_from_roster(actor=lpmp, event=event, role="tpmpd", regencies=[kampar])
    people = list(session.participants.order_by("pk"))
    present = {(p.pk, 1) for p in people} | {(p.pk, 2) for p in people[:-1]}  # the last one missed day 2
    events.save_checklist(actor=fasilitator, session=session, present=present)
    certificates.generate(event.pk)
    evaluation.compute(actor=lpmp, cohort=cohort, year=2026)


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")
