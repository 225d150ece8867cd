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

    cohort = services.create_cohort(
        actor=personas["lpmp"],
        province=Province.objects.get(code="14"),
        year=2020,
        name=riau2020.COHORT_NAME,
        imbas_target=5,
    )
    riau2020.ensure_network(cohort, personas["lpmp"])
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


def test_the_kampar_principals_count_only_what_can_be_true(client, personas, riau):
    """The worked example: a roster added a second principal of a school the file had already brought
    (Kampar showed 3 KS binaan for 2 model schools), and a file named a school "imbas" that was not."""
    from django.db import IntegrityError, transaction

    from mutu.programme.models import ImbasSchool

    cohort, event = riau
    kampar = riau2020.regencies()["Kampar"]
    before = {r["regency"]: r["counts"] for r in recap.build(Participant.objects.filter(event=event), title="t").rows}
    # The roster finds every Kampar principal already registered by the file: nobody is added twice.
    for role in ("ks_binaan", "ks_imbas"):
        assert events.add_from_roster(actor=personas["lpmp"], event=event, role=role, regencies=[kampar]) == 0
    # The database refuses a second principal of a school, whatever path writes it.
    model_school = cohort.model_schools.filter(school__regency=kampar).first().school
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            event=event, name="KS kedua", role="ks_imbas", regency=kampar, school=model_school, key="x", code="X2X2X2X2"
        )
    # A principal left from before the rules, whose school is no imbas school, is flagged, not counted.
    imbas = ImbasSchool.objects.filter(cohort=cohort, school__regency=kampar).first()
    imbas.delete()
    table = recap.build(Participant.objects.filter(event=event), title="t")
    after = {r["regency"]: r["counts"] for r in table.rows}
    assert after["Kabupaten Kampar"][3] == before["Kabupaten Kampar"][3] - 1
    assert table.flagged == [("Kabupaten Kampar", "kepala sekolah imbas", 1)]
    client.force_login(personas["lpmp"])
    page = client.get(reverse("programme:recap", args=[cohort.pk]), {"event": event.pk}).content.decode()
    assert "Tidak dihitung" in page and "Kabupaten Kampar · kepala sekolah imbas: 1" in page


def test_the_riau_file_as_an_lpmp_types_it(tmp_path, personas, riau):
    """ "Kep. Meranti", "Kab. Kep. Meranti", the headers "Jabatan" and "Asal Kabupaten/Kota", and
    "Kepala Sekolah" without binaan or imbas: read as the LPMP meant them."""
    cohort, _event = riau
    other = events.save_event(
        actor=personas["lpmp"], cohort=cohort, data={"name": "Tahap 2", "kind": "bimtek", "stage": 2, "days": 1}
    )
    path = tmp_path / "peserta.csv"
    rows = ["No;Nama;Jabatan;Asal Kabupaten/Kota;NPSN;Instansi"]
    for n, (name, role, place, npsn) in enumerate(riau2020.participant_rows(), start=1):
        role = "Kepala Sekolah" if role.startswith("Kepala Sekolah") else role
        if place == "Kepulauan Meranti":
            place = "Kep. Meranti" if n % 2 else "Kab. Kep. Meranti"
        rows.append(f"{n};{name};{role};{place};{npsn};SD contoh")
    path.write_text("\r\n".join(rows) + "\r\n", encoding="cp1252")
    report = events.import_file(other, path, commit=True, actor=personas["lpmp"])
    assert report.errors == [] and report.created == 1417
    table = recap.build(Participant.objects.filter(event=other), title="t")
    assert [r["counts"] + [r["total"]] for r in table.rows] == list(SEED.values())
    assert Participant.objects.filter(event=other, institution="SD contoh").count() == 1417


def test_refusals_offer_the_closest_valid_value(tmp_path, personas, riau):
    _cohort, event = riau
    path = tmp_path / "salah.csv"
    path.write_text(
        "Nama;Peran;Kab/Kota;NPSN\r\nA;Pengawas Pembna;Kampar;\r\nB;Pengawas;Kepulauan Merant;\r\n",
        encoding="utf-8",
    )
    report = events.import_file(event, path, commit=False)
    problems = {(row, field): message for row, field, message in report.errors}
    assert "“pengawas pembina”" in problems[(2, "Peran")]
    assert "Kabupaten Kepulauan Meranti" in problems[(3, "Kab/kota")]
