"""Hostile school files: each ends its import job as failed with an Indonesian reason, or as a row
error, within the limits from settings; none leaves a job busy for ever or gives a 500."""

import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from mutu.schools import importing, services
from mutu.schools.models import School, SchoolImport
from mutu.schools.tests.test_import import GOOD, HEADER, write_csv


def xlsx_with(path, part, content):
    """A real workbook (Mutu's own import layout) with one part replaced by `content`."""
    import xlsxwriter

    plain = path.with_suffix(".plain.xlsx")
    workbook = xlsxwriter.Workbook(str(plain))
    sheet = workbook.add_worksheet()
    for r, row in enumerate([HEADER, *GOOD]):
        sheet.write_row(r, 0, row)
    workbook.close()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == part else source.read(item.filename))
    return path


def shared_strings_bomb(path, megabytes):
    body = b"<si><t>x</t></si>" * (megabytes * 2**20 // 17)
    sst = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return xlsx_with(path, "xl/sharedStrings.xml", sst + body + b"</sst>")


def upload(client, user, name, body):
    client.force_login(user)
    client.post(reverse("schools:import"), {"file": SimpleUploadedFile(name, body)})
    return SchoolImport.objects.latest("pk")


def map_and_check(client, job):
    response = client.post(
        reverse("schools:import_job", args=[job.pk]), {f"col_{k}": str(v) for k, v in job.mapping.items()}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def test_shared_strings_bomb_is_refused_before_parsing(client, personas, tmp_path, regions):
    bomb = shared_strings_bomb(tmp_path / "bom.xlsx", 8)
    assert bomb.stat().st_size < 100_000  # 8 MB of strings in a file of a few kilobytes
    job = upload(client, personas["lpmp"], "bom.xlsx", bomb.read_bytes())
    assert job.state == "failed"
    assert "dikompresi" in job.failure and "xl/sharedStrings.xml" in job.failure
    page = client.get(reverse("schools:import_job", args=[job.pk]))
    assert page.status_code == 200 and "dikompresi" in page.content.decode()


def test_shared_strings_part_over_its_size_limit(client, personas, tmp_path, regions, settings):
    settings.MUTU_XLSX_MAX_SHARED_STRINGS_BYTES = 1024 * 1024
    settings.MUTU_XLSX_MAX_RATIO = 10**9
    bomb = shared_strings_bomb(tmp_path / "besar.xlsx", 2)
    job = upload(client, personas["lpmp"], "besar.xlsx", bomb.read_bytes())
    assert job.state == "failed" and "paling banyak 1 MB" in job.failure


def test_xml_entity_bomb_is_refused(client, personas, tmp_path, regions):
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "ha">{laughs}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    bomb = xlsx_with(tmp_path / "tawa.xlsx", "xl/worksheets/sheet1.xml", sheet)
    job = upload(client, personas["lpmp"], "tawa.xlsx", bomb.read_bytes())
    assert job.state == "failed" and "entitas XML (DTD)" in job.failure and "/tmp" not in job.failure


@pytest.mark.parametrize(
    "line, reason",
    [
        ("NPSN;Nama Sekolah;" + "x" * 131_073, "lebih panjang dari 10.000 karakter"),
        ("a" * 10 * 2**20, "lebih panjang dari 10.000 karakter"),
        (";".join(["kolom"] * 300), "300 kolom"),
    ],
    ids=["field-over-csv-default-limit", "10-mb-header-line", "too-many-columns"],
)
def test_oversized_csv_lines_end_the_job(client, personas, regions, line, reason):
    job = upload(client, personas["lpmp"], "panjang.csv", (line + "\n10490001;SD\n").encode())
    assert job.state == "failed" and reason in job.failure


def test_too_many_rows_ends_the_job(client, personas, tmp_path, regions, settings):
    settings.MUTU_IMPORT_MAX_ROWS = 2
    path = write_csv(tmp_path / "banyak.csv", GOOD)
    job = map_and_check(client, upload(client, personas["lpmp"], "banyak.csv", path.read_bytes()))
    assert job.state == "failed" and "lebih dari 2 baris data" in job.failure


def test_nul_byte_is_a_row_error_not_a_failed_save(client, personas, tmp_path, regions):
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[1][1] = "SMP\x00Swasta"
    path = write_csv(tmp_path / "nul.csv", rows)
    job = map_and_check(client, upload(client, personas["lpmp"], "nul.csv", path.read_bytes()))
    assert job.state == "validated" and job.valid_rows == 1
    assert job.errors == [[3, "Nama sekolah", "Sel berisi karakter NUL (byte 0)."]]
    client.post(reverse("schools:import_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "committed" and not School.objects.filter(npsn=GOOD[1][0]).exists()


def test_an_unexpected_error_ends_the_job_with_a_reason(client, personas, tmp_path, regions, monkeypatch):
    path = write_csv(tmp_path / "ok.csv", GOOD)
    job = upload(client, personas["lpmp"], "ok.csv", path.read_bytes())

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(importing, "run_import", broken)
    job = map_and_check(client, job)
    assert job.state == "failed" and "kesalahan yang tidak terduga" in job.failure


def test_a_job_whose_worker_vanished_ends_when_its_page_is_opened(client, personas, tmp_path, regions):
    path = write_csv(tmp_path / "ok.csv", GOOD)
    job = upload(client, personas["lpmp"], "ok.csv", path.read_bytes())
    SchoolImport.objects.filter(pk=job.pk).update(state="validating", task_id="")
    client.get(reverse("schools:import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "validating"  # still within its time
    SchoolImport.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    page = client.get(reverse("schools:import_job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.state == "failed" and "berhenti tanpa hasil" in page


def test_a_job_whose_task_failed_ends(client, personas, tmp_path, regions, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = write_csv(tmp_path / "ok.csv", GOOD)
    job = upload(client, personas["lpmp"], "ok.csv", path.read_bytes())
    SchoolImport.objects.filter(pk=job.pk).update(state="committing", task_id="00000000-no-such-task")
    job = services.settle(SchoolImport.objects.get(pk=job.pk))
    assert job.state == "failed"


@pytest.mark.django_db(transaction=True)
def test_the_file_is_parsed_outside_any_transaction(personas, tmp_path, regions, monkeypatch):
    seen = []
    raw_rows = importing._raw_rows

    def spy(path, sheet=None):
        for row in raw_rows(path, sheet):
            seen.append(connection.in_atomic_block)
            yield row

    monkeypatch.setattr(importing, "_raw_rows", spy)
    path = write_csv(tmp_path / "ok.csv", GOOD)
    report = importing.run_import(path, importing.guess_mapping(HEADER), commit=True)
    assert report.committed and report.created == 3
    assert seen and not any(seen)


def test_too_many_shared_strings_are_refused_before_openpyxl_holds_them(client, personas, tmp_path, regions, settings):
    settings.MUTU_XLSX_MAX_SHARED_STRINGS = 1000
    strings = b"".join(b"<si><t>s%d</t></si>" % i for i in range(1001))
    sst = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    bomb = xlsx_with(tmp_path / "teks.xlsx", "xl/sharedStrings.xml", sst + strings + b"</sst>")
    job = upload(client, personas["lpmp"], "teks.xlsx", bomb.read_bytes())
    assert job.state == "failed" and "lebih dari 1.000 teks berbeda" in job.failure


@pytest.mark.parametrize("name", ["sekolah.csv", "sekolah.xlsx"])
def test_a_renamed_executable_is_refused_by_its_content(client, personas, regions, name):
    client.force_login(personas["lpmp"])
    program = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
    page = client.post(reverse("schools:import"), {"file": SimpleUploadedFile(name, program)}).content.decode()
    assert "Isi berkas ini application/x-executable" in page and "namanya tidak mengubah" in page
    assert not SchoolImport.objects.exists()


def test_a_sheet_declaring_a_million_rows_and_columns_is_read_by_its_cells(client, personas, tmp_path, regions):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER))
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{cells}</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    wide = xlsx_with(tmp_path / "lebar.xlsx", "xl/worksheets/sheet1.xml", sheet)
    job = map_and_check(client, upload(client, personas["lpmp"], "lebar.xlsx", wide.read_bytes()))
    assert job.state == "failed" and "Baris 1048576 berisi 16384 kolom" in job.failure
