"""The recap every LPMP publishes, reproduced from the Riau 2020 example (seed 000): the participant
file is imported, everyone is marked present, and the table per kab/kota × role with its totals is
the seed's, on the page, in the XLSX and in the PDF, in one query whatever the size."""

import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mutu.programme import events, recap, riau2020, services
from mutu.programme.models import Attendance, AttendanceMethod, Participant

SEED = {  # the seed's table, as published
    "Kabupaten Bengkalis": [2, 15, 21, 88, 126],
    "Kabupaten Indragiri Hilir": [2, 12, 16, 60, 90],
    "Kabupaten Indragiri Hulu": [2, 18, 25, 93, 138],
    "Kabupaten Kampar": [2, 29, 34, 113, 178],
    "Kabupaten Kepulauan Meranti": [2, 13, 15, 57, 87],
    "Kabupaten Kuantan Singingi": [1, 9, 13, 60, 83],
    "Kabupaten Pelalawan": [2, 13, 15, 63, 93],
    "Kabupaten Rokan Hilir": [2, 16, 21, 85, 124],
    "Kabupaten Rokan Hulu": [2, 20, 22, 88, 132],
    "Kabupaten Siak": [2, 17, 20, 89, 128],
    "Kota Dumai": [2, 8, 10, 39, 59],
    "Kota Pekanbaru": [2, 24, 28, 125, 179],
}


@pytest.fixture
def riau(personas, tmp_path):
    from mutu.regions.models import Province

    riau2020.ensure_schools()
    cohort = services.create_cohort(
        actor=personas["lpmp"],
        province=Province.objects.get(code="14"),
        year=2020,
        name=riau2020.COHORT_NAME,
        imbas_target=5,
    )
    event = events.save_event(
        actor=personas["lpmp"],
        cohort=cohort,
        data={"name": riau2020.EVENT_NAME, "kind": "pendampingan1", "stage": 1, "mode": "daring", "days": 2},
    )
    places = riau2020.regencies()
    for name, starts_on, names in riau2020.CLUSTERS:
        events.save_session(
            actor=personas["lpmp"],
            event=event,
            data={"name": name, "starts_on": starts_on},
            regencies=[places[n] for n in names],
        )
    path = riau2020.write_participant_file(tmp_path / "peserta.csv")
    report = events.import_file(event, path, commit=True, actor=personas["lpmp"])
    assert report.errors == [] and report.created == 1417
    return cohort, event


def mark_everyone_present(event):
    Attendance.objects.bulk_create(
        Attendance(participant=p, day=day, method=AttendanceMethod.CHECKLIST)
        for p in Participant.objects.filter(event=event)
        for day in (1, 2)
    )


def test_the_riau_2020_recap_reproduces_the_seed(client, personas, riau, tmp_path):
    cohort, event = riau
    mark_everyone_present(event)
    table = recap.build(Participant.objects.filter(event=event), title="t", attended=True)
    assert [label for _role, label in table.roles] == [
        "anggota TPMPD",
        "pengawas pembina",
        "kepala sekolah binaan",
        "kepala sekolah imbas",
    ]
    assert {row["regency"]: row["counts"] + [row["total"]] for row in table.rows} == SEED
    assert [row["regency"] for row in table.rows] == list(SEED)  # kabupaten first, as published
    assert table.totals + [table.total] == list(riau2020.TOTALS)

    client.force_login(personas["lpmp"])
    url = reverse("programme:recap", args=[cohort.pk])
    page = client.get(url, {"event": event.pk, "hadir": "1"}).content.decode()
    assert "1.417" in page and "Kuantan Singingi (tanggal tidak tercantum)" in page
    xlsx = client.get(url, {"event": event.pk, "hadir": "1", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows(values_only=True))
    assert rows[-1][1:] == ("Jumlah", 23, 194, 240, 960, 1417)
    assert {r[1]: list(r[2:]) for r in rows[2:-1]} == SEED
    pdf = client.get(url, {"tahap": "1", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    if shutil.which("pdftotext"):
        (tmp_path / "rekap.pdf").write_bytes(pdf.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "rekap.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "Kabupaten Kampar" in text and "1.417" in text and "960" in text


def test_the_registered_recap_and_an_absent_participant(personas, riau):
    cohort, event = riau
    registered = recap.build(Participant.objects.filter(event=event), title="t")
    assert registered.total == 1417
    Attendance.objects.create(participant=Participant.objects.filter(event=event).first(), day=1, method="kode")
    assert recap.build(Participant.objects.filter(event=event), title="t", attended=True).total == 1


def test_the_recap_is_one_query_whatever_the_size(personas, riau):
    cohort, event = riau
    with CaptureQueriesContext(connection) as queries:
        recap.build(Participant.objects.filter(event=event), title="t", attended=True)
    assert len(queries) == 1
