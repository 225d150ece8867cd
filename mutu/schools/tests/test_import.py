import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from mutu.core.models import AuditEntry
from mutu.schools import importing
from mutu.schools.models import School, SchoolImport

HEADER = [h for h in importing.EXPORT_HEADERS if h != "Kode Wilayah"]
GOOD = [
    [
        "10490001",
        "SD Negeri 010 Bangkinang",
        "SD",
        "Negeri",
        "Jl. Sudirman 1",
        "Kec. Bangkinang Kota",
        "Kab. Kampar",
        "Prov. Riau",
        "A",
        "0,33",
        "101,02",
        "Hj. Rosmawati",
    ],
    ["10490002", "SMP Swasta Al-Ikhlas", "SMP", "Swasta", "", "Sukajadi", "Kota Pekanbaru", "Riau", "B", "", "", ""],
    ["10490003", "SMK Negeri 2 Kampar", "SMK", "NEGERI", "", "Kampar", "Kabupaten Kampar", "Riau", "", "", "", ""],
]
BAD = [
    ["1049004", "SD Tujuh Digit", "SD", "Negeri", "", "Kampar", "Kab. Kampar", "Riau", "", "", "", ""],
    ["10490001", "SD Kembar", "SD", "Negeri", "", "Kampar", "Kab. Kampar", "Riau", "", "", "", ""],
    ["10490005", "SD Antah Berantah", "SD", "Negeri", "", "Atlantis", "Kab. Kampar", "Riau", "", "", "", ""],
    ["10490006", "", "SD", "Negeri", "", "Kampar", "Kab. Kampar", "Riau", "", "", "", ""],
]


def write_csv(path, rows, header=HEADER, delimiter=";"):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def mixed_file(tmp_path, regions):
    return write_csv(tmp_path / "dapodik.csv", GOOD + BAD)


def run(path, **kwargs):
    return importing.run_import(path, importing.guess_mapping(importing.read_headers(path)), **kwargs)


def test_report_names_row_field_and_reason(mixed_file):
    report = run(mixed_file)
    assert report.errors == [
        [5, "NPSN", "NPSN harus tepat 8 angka (tertulis “1049004”)."],
        [6, "NPSN", "NPSN 10490001 muncul lebih dari sekali dalam berkas (pertama di baris 2)."],
        [7, "Kecamatan", "Wilayah tidak dikenal: kecamatan “Atlantis” di “Kab. Kampar” tidak ditemukan."],
        [8, "Nama sekolah", "Nama sekolah kosong."],
    ]
    assert (report.total_rows, report.valid_rows, report.rejected_rows) == (7, 3, 4)
    assert School.objects.count() == 0  # a check writes nothing


def test_good_rows_land_and_reimport_updates(mixed_file):
    report = run(mixed_file, commit=True)
    assert (report.created, report.updated) == (3, 0)
    school = School.objects.get(npsn="10490001")
    assert (school.district.code, school.regency.code, school.province.code) == ("14.01.01", "14.01", "14")
    assert (school.level, school.status, school.accreditation) == ("SD", "negeri", "A")
    assert str(school.latitude) == "0.330000" and school.principal_name == "Hj. Rosmawati"
    assert School.objects.get(npsn="10490002").district.regency.name == "Kota Pekanbaru"
    before = list(School.objects.order_by("npsn").values_list("npsn", "name", "district_id", "level"))
    again = run(mixed_file, commit=True)
    assert (again.created, again.updated) == (0, 3)
    assert list(School.objects.order_by("npsn").values_list("npsn", "name", "district_id", "level")) == before


def test_all_or_nothing_saves_nothing_when_a_row_is_bad(mixed_file):
    report = run(mixed_file, commit=True, all_or_nothing=True)
    assert not report.committed and report.error_count == 4
    assert School.objects.count() == 0


def test_unmapped_optional_column_keeps_existing_value(tmp_path, regions):
    run(write_csv(tmp_path / "a.csv", GOOD[:1]), commit=True)
    short = [row[:4] + row[5:8] for row in GOOD[:1]]
    header = HEADER[:4] + HEADER[5:8]
    run(
        write_csv(tmp_path / "b.csv", [["10490001", "SD Negeri 010 Bangkinang Kota"] + short[0][2:]], header),
        commit=True,
    )
    school = School.objects.get(npsn="10490001")
    assert school.name == "SD Negeri 010 Bangkinang Kota" and school.principal_name == "Hj. Rosmawati"


def test_district_code_and_xlsx(tmp_path, regions):
    import xlsxwriter

    path = tmp_path / "dapodik.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["npsn", "nama", "jenjang", "status", "Kode Wilayah"])
    sheet.write_row(1, 0, [10490010, "SLB Negeri Pembina", "SLB", "Negeri", "147101"])
    sheet.write_row(2, 0, [10490011, "SMA Swasta Tunas", "SMA", "Swasta", "99.99.99"])
    workbook.close()
    report = run(path, commit=True)
    assert report.created == 1
    assert report.errors == [[3, "Kecamatan", "Wilayah tidak dikenal: tidak ada kecamatan berkode “99.99.99”."]]
    assert School.objects.get(npsn="10490010").district.code == "14.71.01"


def test_import_rejects_rows_outside_the_users_area(tmp_path, personas):
    from mutu.accounts.permissions import Perm
    from mutu.accounts.scopes import area_for

    scope = area_for(personas["dinas_pekanbaru"], Perm.SCHOOL_IMPORT)
    report = run(write_csv(tmp_path / "a.csv", GOOD), scope=scope, commit=True)
    assert report.valid_rows == 1 and School.objects.filter(npsn="10490002").exists()
    assert {e[2] for e in report.errors} == {"Sekolah berada di luar wilayah Anda."}
    # An existing school elsewhere cannot be pulled into the user's area by reusing its NPSN.
    moved = [["10500001", "SD Pindahan", "SD", "Negeri", "", "Sukajadi", "Kota Pekanbaru", "Riau", "", "", "", ""]]
    report = run(write_csv(tmp_path / "b.csv", moved), scope=scope, commit=True)
    assert report.errors == [[2, "NPSN", "NPSN 10500001 milik sekolah di luar wilayah Anda."]]
    assert School.objects.get(npsn="10500001").name == "SD Negeri 1 Jambi"


def test_command_reports_and_exits_non_zero(mixed_file):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_schools", str(mixed_file), "--dry-run", stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "baris 5: NPSN: NPSN harus tepat 8 angka" in text
    assert "7 baris, 3 valid, 4 ditolak; 0 baru, 0 diperbarui (tidak disimpan)." in text
    assert School.objects.count() == 0
    with pytest.raises(SystemExit):
        call_command("import_schools", str(mixed_file), "--all-or-nothing", stdout=io.StringIO())
    assert School.objects.count() == 0
    with pytest.raises(SystemExit):
        call_command("import_schools", str(mixed_file), stdout=io.StringIO())
    assert School.objects.count() == 3


def test_command_succeeds_on_a_clean_file(tmp_path, regions):
    out = io.StringIO()
    call_command("import_schools", str(write_csv(tmp_path / "ok.csv", GOOD, delimiter=",")), stdout=out)
    assert "3 baru" in out.getvalue()


def test_web_import_flow_with_column_mapping(client, personas, mixed_file):
    client.force_login(personas["lpmp"])
    renamed = mixed_file.read_text(encoding="utf-8").replace("Nama Sekolah", "Nama Satpen X")
    upload = SimpleUploadedFile("dapodik.csv", renamed.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("schools:import"), {"file": upload})
    job = SchoolImport.objects.get()
    assert response.status_code == 302 and "name" not in job.mapping
    # Mapping step: the unknown header must be chosen by hand.
    page = client.get(reverse("schools:import_job", args=[job.pk]))
    assert "Nama Satpen X" in page.content.decode() and "Berkas dibaca sebagai teks UTF-8." in page.content.decode()
    data = {f"col_{key}": str(index) for key, index in job.mapping.items()}
    missing = client.post(reverse("schools:import_job", args=[job.pk]), data)
    assert "Pilih kolom untuk: Nama sekolah." in missing.content.decode()
    data["col_name"] = "1"
    client.post(reverse("schools:import_job", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.state == "validated" and (job.valid_rows, job.error_count) == (3, 4)
    page = client.get(reverse("schools:import_job", args=[job.pk])).content.decode()
    assert "NPSN 10490001 muncul lebih dari sekali" in page and "Simpan 3 baris valid" in page
    client.post(reverse("schools:import_commit", args=[job.pk]))
    client.post(reverse("schools:import_commit", args=[job.pk]))  # double click
    job.refresh_from_db()
    assert job.state == "committed" and (job.created_count, job.updated_count) == (3, 0)
    assert School.objects.filter(npsn__startswith="1049").count() == 3
    entry = AuditEntry.objects.get(action="school.import")
    assert entry.actor == personas["lpmp"] and entry.changes == {"created": 3, "updated": 0, "rejected": 4}
    assert entry.province.code == "14"


def test_web_import_refuses_other_file_types(client, personas):
    client.force_login(personas["lpmp"])
    upload = SimpleUploadedFile("foto.png", b"\x89PNG....", content_type="image/png")
    response = client.post(reverse("schools:import"), {"file": upload})
    assert "Unggah berkas CSV atau XLSX." in response.content.decode()
    assert not SchoolImport.objects.exists()


def test_broken_spreadsheet_gets_a_clear_message(tmp_path, regions):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(importing.ImportFileError, match="bukan buku kerja XLSX"):
        importing.read_headers(path)


def test_empty_file_gets_a_clear_message(tmp_path, regions):
    path = tmp_path / "kosong.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(importing.ImportFileError, match="Berkas kosong: baris pertama harus berisi nama kolom."):
        importing.read_headers(path)


def test_wrong_level_status_accreditation_and_coordinates(tmp_path, regions):
    row = ["10490020", "TK Pembina", "TK", "Yayasan", "", "Kampar", "Kab. Kampar", "Riau", "D", "1,2,3", "200", ""]
    report = run(write_csv(tmp_path / "a.csv", [row]))
    assert [e[1] for e in report.errors] == ["Jenjang", "Status", "Akreditasi", "Lintang", "Bujur"]
    assert report.errors[0][2] == "Jenjang “TK” tidak dikenal: gunakan SD, SMP, SMA, SMK atau SLB."
    assert report.errors[4][2] == "“200” bukan koordinat di wilayah Indonesia (94 sampai 142)."


@pytest.mark.parametrize(
    "encoding,delimiter,name",
    [
        ("cp1252", ";", "Windows-1252"),
        ("utf-16", "\t", "UTF-16"),
        ("utf-16-le", "\t", "UTF-16 LE"),
        ("utf-8-sig", ";", "UTF-8"),
        ("utf-8", ",", "UTF-8"),
    ],
)
def test_csv_files_from_excel_are_read_in_their_encoding(regions, tmp_path, encoding, delimiter, name):
    """Excel's "CSV" on Windows is Windows-1252 with semicolons; its "Unicode text" is UTF-16 with tabs."""
    from mutu.schools import importing
    from mutu.schools.models import School

    rows = [
        ["NPSN", "Nama Sekolah", "Bentuk Pendidikan", "Status Sekolah", "Kode Wilayah"],
        ["10499001", "SD Tunas Bangsa – Bangkinang", "SD", "Negeri", "14.01.01"],
    ]
    path = tmp_path / "sekolah.csv"
    path.write_bytes("\r\n".join(delimiter.join(row) for row in rows).encode(encoding))
    assert importing.encoding_name(path) == name
    report = importing.run_import(path, importing.guess_mapping(importing.read_headers(path)), commit=True)
    assert report.error_count == 0, report.errors
    assert School.objects.get(npsn="10499001").name == "SD Tunas Bangsa – Bangkinang"  # no U+FFFD
