"""The cycle's documents: the analysis, RKS, RKT and monev report on the page, as PDF with the signature
block and as XLSX, in a number of queries that does not grow with the plan."""

import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mutu.cycle import implementation, services
from mutu.cycle.models import Program
from mutu.cycle.tests.test_monitoring import visit_to
from mutu.cycle.tests.test_thread import plan
from mutu.cycle.tests.test_transitions import analysed
from mutu.factories import ActivityFactory


@pytest.fixture
def cycle(personas, schools, scored_round):
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    analysed(cycle, scored_round)
    return cycle


def url(cycle, kind):
    return reverse("cycle:report", args=[cycle.school.npsn, cycle.year, kind])


def pdf_text(tmp_path, content):
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    if not shutil.which("pdftotext"):  # poppler-utils: ./dev test installs it
        pytest.skip("pdftotext missing")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_each_document_shows_its_content_and_downloads_as_pdf_and_xlsx(client, personas, cycle, tmp_path):
    program = plan(cycle, 2)
    later = ActivityFactory(program=program, year=2028, name="Kegiatan lanjutan", volume=2, unit_cost=250_000)
    visit_to(
        personas["pengawas"], [cycle.school], "2026-05-04", findings="Rubrik belum dipakai",
        recommendations="Pakai rubrik", follow_up_due="2026-06-01",
    )  # fmt: skip
    client.force_login(personas["pengawas"])
    expected = {
        "analysis": ["Analisis rapor mutu", "1.1.1", "Belum ada pelatihan penilaian."],
        "rks": ["Rencana Kerja Sekolah (RKS)", "Kegiatan lanjutan", "2028", "500.000"],
        "rkt": ["Rencana Kerja Tahunan (RKT)", "Kegiatan 0", "200.000"],
        "monev": ["Laporan monitoring dan evaluasi", "Rubrik belum dipakai", "85%", "belum dievaluasi"],
    }
    for kind, words in expected.items():
        page = client.get(url(cycle, kind)).content.decode()
        for text in words:
            assert text in page, (kind, text)
        pdf = client.get(url(cycle, kind), {"format": "pdf"})
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"] == f'attachment; filename="{kind}-{cycle.school.npsn}-2026.pdf"'
        text = pdf_text(tmp_path, pdf.content)
        for words_ in ("Disusun oleh", "Disetujui", "Diketahui", "Rosmawati", cycle.school.name):
            assert words_ in text, (kind, words_)
        xlsx = client.get(url(cycle, kind), {"format": "xlsx"})
        book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
        cells = {str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
        assert words[1] in cells or any(words[1] in c for c in cells), kind
    book = load_workbook(io.BytesIO(b"".join(client.get(url(cycle, "monev"), {"format": "xlsx"}).streaming_content)))
    assert len(book.sheetnames) == 3  # implementation, evaluation, visits
    rkt_2028 = client.get(url(cycle, "rkt"), {"tahun": 2028}).content.decode()
    assert "Kegiatan lanjutan" in rkt_2028 and "Kegiatan 0" not in rkt_2028
    assert later.total == 500_000


def test_a_year_outside_the_plan_shows_the_cycle_year(client, personas, cycle):
    plan(cycle, 1)
    client.force_login(personas["kepsek_a"])
    for year in ("2040", "x"):
        page = client.get(url(cycle, "rkt"), {"tahun": year}).content.decode()
        assert "Kegiatan 0" in page and 'value="2026" selected' in page
    assert client.get(url(cycle, "unknown")).status_code == 404


def test_an_empty_plan_says_so(client, personas, cycle):
    client.force_login(personas["kepsek_a"])
    page = client.get(url(cycle, "rkt")).content.decode()
    assert "Belum ada yang dicatat." in page


@pytest.mark.parametrize("kind", ["analysis", "rks", "rkt", "monev"])
def test_documents_read_a_bounded_number_of_queries(client, personas, cycle, kind):
    client.force_login(personas["kepsek_a"])
    plan(cycle, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(cycle, kind)).status_code == 200
    Program.objects.all().delete()
    for _ in range(3):
        plan(cycle, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(cycle, kind)).status_code == 200
    assert len(large) == len(small)


def test_one_program_has_one_set_of_numbers_everywhere(client, personas, cycle):
    """The worked example: "Penguatan sistem penilaian" read 67 % done and 62 % spent on the monev page
    (it counted next year's activity) against 100 % and 93 % on the report and implementation page."""
    program = Program.objects.create(cycle=cycle, name="Penguatan sistem penilaian", position=1)
    node = cycle.problems.get().node
    for name, cost, actual in (("Pelatihan", 1_000_000, 900_000), ("Pendampingan", 500_000, 500_000)):
        ActivityFactory(program=program, name=name, volume=1, unit_cost=cost, status="selesai", actual_cost=actual,
                        nodes=[node])  # fmt: skip
    ActivityFactory(program=program, year=2027, name="Lanjutan", volume=1, unit_cost=900_000)
    made = implementation.realisation(program.activities.all(), 2026)
    assert (made.done, round(made.realised, 4)) == (1.0, 0.9333)
    client.force_login(personas["pengawas"])
    npsn = cycle.school.npsn
    pages = {
        "monev": client.get(reverse("cycle:monev", args=[npsn, 2026])).content.decode(),
        "implementation": client.get(reverse("cycle:implementation", args=[npsn, 2026])).content.decode(),
    }
    for name, page in pages.items():
        assert "100%" in page and "93%" in page and "67%" not in page, name
    # The report's page and XLSX are drawn from the same table.
    book = load_workbook(io.BytesIO(b"".join(client.get(url(cycle, "monev"), {"format": "xlsx"}).streaming_content)))
    row = next(r for r in book.worksheets[0].iter_rows(values_only=True) if r[0] == "Penguatan sistem penilaian")
    assert row[1:5] == (2, 2, 0, 100) and row[5:8] == (1_500_000, 1_400_000, 93)
    thread = client.get(reverse("cycle:thread", args=[npsn, 2026, node.code])).content.decode()
    assert "1.500.000" in thread and "1.400.000" in thread
