"""Participants: from the rosters (a second click adds nobody twice) or from a file checked row by
row (unknown NPSN, duplicate, unknown role, a school elsewhere, a bad NIP), saved whole or not at all,
from Excel's Windows-1252 semicolon CSV as from XLSX, on the page and with `import_participants`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from mutu.programme import events
from mutu.programme.models import Participant, ParticipantImport

HEADER = "Nama;Peran;Kab/Kota;NPSN;NIP;Kontak\r\n"


def csv_file(tmp_path, body, encoding="cp1252"):
    path = tmp_path / "peserta.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def test_a_good_file_from_excel_is_saved_whole(tmp_path, event, schools, model_school):
    path = csv_file(
        tmp_path,
        "Hj. Rosmawati;Kepala Sekolah Binaan;Kampar;10400001;;0812\r\n"
        "Zulkifli Siregar;Pengawas Pembina;Kab. Kampar;;196501011990031005;\r\n"
        "Andi Pratama;tpmpd;Kabupaten Kampar;;;andi@example.org\r\n",
    )
    report = events.import_file(event, path, commit=True)
    assert report.errors == [] and report.created == 3
    people = {p.name: p for p in Participant.objects.filter(event=event)}
    assert people["Hj. Rosmawati"].school == schools["a"] and people["Hj. Rosmawati"].role == "ks_binaan"
    assert people["Zulkifli Siregar"].nip == "196501011990031005" and people["Andi Pratama"].role == "tpmpd"
    assert {p.session.name for p in people.values()} == {"TPK Kampar"}  # the session covering Kampar
    assert len({p.code for p in people.values()}) == 3


def test_windows_1252_letters_survive(tmp_path, event):
    path = csv_file(tmp_path, "Désirée Saragih;Guru;Kampar;10400001;;\r\n")
    events.import_file(event, path, commit=True)
    assert Participant.objects.get(event=event).name == "Désirée Saragih"


def test_bad_rows_are_named_and_nothing_is_saved(tmp_path, event, schools, model_school):
    path = csv_file(
        tmp_path,
        (
            "Budi;Kepala Sekolah Binaan;Kampar;10400001;;\r\n"  # good
            "Sari;Kepala Sekolah Imbas;Kampar;99999999;;\r\n"  # unknown NPSN
            "Budi;Kepala Sekolah Binaan;Kampar;10400001;;\r\n"  # the same as row 2
            "Tono;Bendahara;Kampar;;;\r\n"  # unknown role
            "Rina;Guru;Kota Pekanbaru;10400001;;\r\n"  # the school lies in Kampar
            "Dedi;Guru;Bandung;;;\r\n"  # not a kab/kota of Riau, and a teacher needs an NPSN
            "Eka;Pengawas;Kampar;;12345;\r\n"  # a NIP has 18 digits
        ),
    )
    report = events.import_file(event, path, commit=True)
    problems = {(row, field): message for row, field, message in report.errors}
    assert problems[(3, "NPSN")] == "NPSN 99999999 tidak dikenal"
    assert problems[(4, "Nama")] == "kepala sekolah SD Negeri 001 Bangkinang sudah ada di baris 2"
    assert problems[(5, "Peran")].startswith("peran “Bendahara” tidak dikenal")
    assert problems[(6, "NPSN")] == "SD Negeri 001 Bangkinang berada di Kabupaten Kampar, bukan di Kota Pekanbaru"
    assert problems[(7, "Kab/kota")] == "“Bandung” bukan kab/kota di Riau"
    assert problems[(8, "NIP")] == "NIP terdiri dari 18 angka"
    assert not report.committed and not Participant.objects.exists()


def test_a_participant_already_registered_is_refused(tmp_path, event, model_school):
    path = csv_file(tmp_path, "Budi;Kepala Sekolah Binaan;Kampar;10400001;;\r\n")
    events.import_file(event, path, commit=True)
    report = events.import_file(event, path, commit=True)
    assert report.errors == [[2, "Nama", "kepala sekolah SD Negeri 001 Bangkinang sudah terdaftar di kegiatan ini"]]
    assert Participant.objects.count() == 1


def test_an_xlsx_file_with_a_title_row_and_a_missing_column(tmp_path, event, model_school):
    book = Workbook()
    sheet = book.active
    sheet.append(["Daftar peserta Bimtek"])
    sheet.append(["Nama", "Peran", "Kab/Kota", "NPSN"])
    sheet.append(["Budi", "KS Binaan", "Kampar", 10400001])
    book.save(tmp_path / "peserta.xlsx")
    assert events.import_file(event, tmp_path / "peserta.xlsx", commit=True).created == 1
    book = Workbook()
    book.active.append(["Nama", "NPSN"])
    book.active.append(["Budi", "10400001"])
    book.save(tmp_path / "kurang.xlsx")
    from mutu.schools.importing import ImportFileError

    with pytest.raises(ImportFileError, match="Kolom tidak ada: Peran, Kab/kota"):
        events.import_file(event, tmp_path / "kurang.xlsx", commit=True)


def test_the_upload_page_reads_the_file_in_the_worker_and_reports_rows(client, personas, event):
    client.force_login(personas["lpmp"])
    url = reverse("programme:participant_import", args=[event.pk])
    bad = SimpleUploadedFile("peserta.csv", (HEADER + "Budi;Bendahara;Kampar;;;\r\n").encode("cp1252"))
    response = client.post(url, {"file": bad}, follow=True)
    job = ParticipantImport.objects.get()
    assert job.state == "done" and job.error_count == 1 and "Bendahara" in response.content.decode()
    good = SimpleUploadedFile("peserta.csv", (HEADER + "Budi;Guru;Kampar;10400001;;\r\n").encode("cp1252"))
    client.post(url, {"file": good, "dry_run": "on"})
    assert Participant.objects.count() == 0  # only checked
    client.post(url, {"file": SimpleUploadedFile("peserta.csv", (HEADER + "Budi;Guru;Kampar;10400001;;\r\n").encode())})
    assert Participant.objects.count() == 1
    program = SimpleUploadedFile("peserta.csv", b"MZ\x90\x00" + b"\x00" * 300)
    response = client.post(url, {"file": program}, follow=True)
    assert "namanya tidak mengubah jenis isinya" in response.content.decode()


def test_the_template_lists_the_documented_columns(client, personas):
    client.force_login(personas["lpmp"])
    body = client.get(reverse("programme:participant_template")).content.decode("utf-8-sig")
    assert body.splitlines() == ["Nama;Peran;Kab/kota;NPSN;NIP;Kontak;Instansi"]


def test_the_command_reports_rows_and_exits_1_when_refused(tmp_path, event, capsys):
    bad = csv_file(tmp_path, "Tono;Bendahara;Kampar;;;\r\n")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_participants", str(event.pk), str(bad))
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "baris 2: Peran: peran “Bendahara” tidak dikenal" in out and "tidak disimpan" in out
    good = csv_file(tmp_path, "Budi;Guru;Kampar;10400001;;\r\n")
    call_command("import_participants", str(event.pk), str(good), "--dry-run")
    assert Participant.objects.count() == 0
    call_command("import_participants", str(event.pk), str(good))
    assert Participant.objects.count() == 1 and "1 peserta baru (disimpan)" in capsys.readouterr().out


def test_rosters_add_the_cohorts_people_once(personas, event, model_school, schools):
    from mutu.programme import services

    services.add_imbas(actor=personas["lpmp"], model_school=model_school, school=schools["c"])
    regency = [schools["a"].regency]
    assert events.add_from_roster(actor=personas["lpmp"], event=event, role="ks_binaan", regencies=regency) == 1
    assert events.add_from_roster(actor=personas["lpmp"], event=event, role="ks_imbas", regencies=regency) == 1
    assert events.add_from_roster(actor=personas["lpmp"], event=event, role="pengawas", regencies=regency) == 1
    assert events.add_from_roster(actor=personas["lpmp"], event=event, role="ks_binaan", regencies=regency) == 0
    assert Participant.objects.get(role="ks_binaan").name == "Rosmawati"  # the school's principal
    with pytest.raises(events.ProgrammeError):
        events.add_from_roster(actor=personas["lpmp_jambi"], event=event, role="ks_binaan", regencies=regency)


def test_the_recap_command_writes_each_format(tmp_path, event, personas):
    path = csv_file(tmp_path, "Budi;Guru;Kampar;10400001;;\r\nAni;TPMPD;Kampar;;;\r\n")
    events.import_file(event, path, commit=True)
    for fmt in ("csv", "xlsx", "pdf"):
        call_command("recap", str(event.pk), "--format", fmt, "--out", str(tmp_path / f"rekap.{fmt}"))
    assert (tmp_path / "rekap.csv").read_text("utf-8-sig").splitlines()[-1] == ";Jumlah;1;1;2"
    assert (tmp_path / "rekap.pdf").read_bytes().startswith(b"%PDF")
    call_command("recap", f"cohort:{event.cohort_id}", "--attended", "--out", str(tmp_path / "hadir.csv"))
    assert (tmp_path / "hadir.csv").read_text("utf-8-sig").splitlines()[-1] == ";Jumlah;0"


def test_a_nul_byte_a_header_only_file_and_a_second_principal_are_refused(tmp_path, event, model_school):
    path = csv_file(tmp_path, "Budi\x00;Guru;Kampar;10400001;;\r\n", encoding="utf-8")
    report = events.import_file(event, path, commit=True)
    assert report.errors[0][2].startswith("berisi karakter NUL") and not Participant.objects.exists()
    from mutu.schools.importing import ImportFileError

    with pytest.raises(ImportFileError, match="tidak berisi baris peserta"):
        events.import_file(event, csv_file(tmp_path, ""), commit=True)
    two = "Budi;Kepala Sekolah Binaan;Kampar;10400001;;\r\nBudiman;KS Binaan;Kampar;10400001;;\r\n"
    report = events.import_file(event, csv_file(tmp_path, two), commit=True)
    assert report.errors == [[3, "Nama", "kepala sekolah SD Negeri 001 Bangkinang sudah ada di baris 2"]]


def test_materials_are_uploaded_and_served_as_attachments(client, personas, event):
    client.force_login(personas["lpmp"])
    url = reverse("programme:material_add", args=[event.pk])
    client.post(url, {"title": "Modul SPMI", "file": SimpleUploadedFile("modul.pdf", b"%PDF-1.4\n%%EOF\n")})
    material = event.materials.get()
    response = client.get(reverse("programme:material", args=[event.pk, material.pk]))
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    html = SimpleUploadedFile("modul.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(url, {"title": "Palsu", "file": html}, follow=True)
    assert "Tidak ada yang disimpan" in response.content.decode() and event.materials.count() == 1


def test_a_school_participants_are_seen_by_the_school_scope(client, personas, event, schools):
    from mutu.programme import selectors

    sd = Participant.objects.create(
        event=event,
        name="Kepala SD",
        role="ks_binaan",
        regency=schools["a"].regency,
        school=schools["a"],
        key="sd",
        code="SD000001",
    )
    sma = Participant.objects.create(
        event=event,
        name="Kepala SMA",
        role="ks_imbas",
        regency=schools["c"].regency,
        school=schools["c"],
        key="sma",
        code="SMA00001",
    )
    tpmpd = Participant.objects.create(
        event=event, name="TPMPD", role="tpmpd", regency=schools["a"].regency, key="t", code="TPMPD001"
    )
    seen = {who: set(selectors.participants_for(personas[who], event)) for who in ("dinas_kampar", "dinas_riau")}
    assert seen["dinas_kampar"] == {sd, tpmpd}  # Kampar's SD and SMP, and its kab/kota's people
    assert seen["dinas_riau"] == {sma, tpmpd}  # the province's SMA, and every kab/kota's people
