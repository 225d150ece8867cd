from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mutu.programme import events, services
from mutu.programme.models import ModelSchoolStatus, Participant


@pytest.fixture
def cohort(personas, schools):
    return services.create_cohort(
        actor=personas["lpmp"], province=schools["a"].province, year=2026, name="Sekolah Model Riau", imbas_target=2
    )


@pytest.fixture
def model_school(personas, cohort, schools):
    record = services.propose(
        actor=personas["pengawas"], cohort=cohort, school=schools["a"], regional_support=True, commitment=statement()
    )
    return services.move(
        actor=personas["lpmp"],
        record=record,
        name="designate",
        decree_number="SK/01/2026",
        decree_date=date(2026, 2, 1),
    )


@pytest.fixture
def event(personas, cohort, schools):
    event = events.save_event(
        actor=personas["lpmp"],
        cohort=cohort,
        facilitators=[personas["fasilitator"]],
        data={"name": "Bimtek SPMI", "kind": "bimtek", "stage": 1, "mode": "luring", "days": 2, "hours": 32},
    )
    events.save_session(
        actor=personas["lpmp"],
        event=event,
        data={"name": "TPK Kampar", "starts_on": date.today(), "venue": "LPMP"},
        regencies=[schools["a"].regency],
    )
    return event


def statement():
    """A signed commitment statement, as a scan in PDF."""
    return SimpleUploadedFile("komitmen.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


__all__ = ["ModelSchoolStatus"]


@pytest.fixture
def people(event, schools):
    session = event.sessions.get()
    return [
        Participant.objects.create(
            event=event,
            session=session,
            name=name,
            role="guru",
            regency=schools["a"].regency,
            school=schools["a"],
            key=name,
            code=code,
        )
        for name, code in (("Budi", "BUDI2345"), ("Sari", "SARI2345"))
    ]
