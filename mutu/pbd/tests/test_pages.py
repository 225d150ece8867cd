"""The Rapor Pendidikan pages: upload through the worker, a school's report in every format, a region's
shares and the schools behind one, each within the user's scope."""

import html
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from mutu.pbd import samples
from mutu.pbd.models import Achievement, RaporImport

D = Decimal
MAIN = [("A.1", "Kemampuan literasi"), ("A.2", "Kemampuan numerasi")]


def _upload(client, path, **data):
    with open(path, "rb") as handle:
        upload = SimpleUploadedFile(path.name, handle.read())
    return client.post(reverse("pbd:import"), {"file": upload, **data}, follow=True)


@pytest.fixture
def kampar_list(tmp_path, schools):
    path = tmp_path / "kampar-2025.xlsx"
    samples.school_list(
        path,
        year=2025,
        region_name="Kabupaten Kampar",
        indicators=MAIN,
        rows=[(schools["a"], {"A.1": D("36.67"), "A.2": D("80")})],
    )
    return path


def test_a_dinas_uploads_its_school_list_and_sees_the_share_and_the_school_behind_it(login, personas, kampar_list):
    client = login(personas["dinas_kampar"])
    page = _upload(client, kampar_list).content.decode()
    assert "Disimpan" in page and "Semua baris disimpan." in page
    job = RaporImport.objects.get()
    assert (job.state, job.kind, job.year, job.created_count) == ("saved", "list", 2025, 2)
    again = _upload(client, kampar_list).content.decode()
    assert RaporImport.objects.latest("pk").unchanged_count == 2 and "sudah sama" in again
    region = html.unescape(
        client.get(reverse("pbd:region", args=["regency", "14.01"]) + "?tahun=2025").content.decode()
    )
    behind = reverse("pbd:region_schools", args=["regency", "14.01"]) + "?tahun=2025&indikator=A.1&capaian=kurang"
    assert behind in region and "Kabupaten Kampar" in region
    listed = client.get(behind).content.decode()
    assert "SD Negeri 001 Bangkinang" in listed
    empty = client.get(behind.replace("kurang", "baik")).content.decode()
    assert "Tidak ada sekolah dalam wilayah Anda dengan capaian ini." in empty


def test_a_refused_file_names_its_rows_and_a_wrong_type_is_refused_at_the_form(login, personas, tmp_path, schools):
    client = login(personas["kepsek_a"])
    bad = tmp_path / "bad.xlsx"
    samples.school_list(bad, year=2025, region_name="-", indicators=MAIN, rows=[(schools["b"], {"A.1": D("50")})])
    page = _upload(client, bad).content.decode()
    assert "Ditolak" in page and "Sekolah 10400002 di luar wilayah Anda." in page and "Tidak ada yang disimpan" in page
    assert not Achievement.objects.exists()
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    page = _upload(client, fake)
    assert page.status_code == 200 and not RaporImport.objects.filter(original_name="fake.xlsx").exists()
    assert "XLSX" in page.content.decode()


def test_the_example_files_are_read_back_by_the_import_but_never_saved(login, personas):
    client = login(personas["kepsek_a"])
    for kind in ("sekolah", "daftar"):
        response = client.get(reverse("pbd:example", args=[kind]))
        assert response["Content-Disposition"].startswith("attachment")
        content = b"".join(response.streaming_content)
        name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
        client.post(reverse("pbd:import"), {"file": SimpleUploadedFile(name, content), "dry_run": "on"})
        checked = RaporImport.objects.latest("pk")
        assert checked.state == "saved" and checked.created_count > 0, checked.errors  # every row reads
        client.post(reverse("pbd:import"), {"file": SimpleUploadedFile(name, content)})
        refused = RaporImport.objects.latest("pk")
        assert refused.state == "refused" and "berkas contoh dari Mutu" in refused.errors[0][2]
    assert not Achievement.objects.exists()  # made-up figures never land on a real school
    assert client.get(reverse("pbd:example", args=["nothing"])).status_code == 404


def test_a_school_report_in_every_format(login, personas, schools, tmp_path):
    path = tmp_path / "RAPOR-PBD-SD-10400001-DATA-2025.xlsx"
    samples.pbd_workbook(path, school=schools["a"], year=2025, indicators=MAIN, scores={"A.1": D("36.67")})
    client = login(personas["kepsek_a"])
    _upload(client, path)
    url = reverse("pbd:school", args=["10400001"])
    page = client.get(url).content.decode()
    assert 'class="capaian kurang"' in page and "36,67" in page and "Tidak tersedia" in page
    book = load_workbook(io.BytesIO(b"".join(client.get(url + "?format=xlsx").streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][:6] == ("10400001", 2025, "A.1", "Kemampuan literasi", "Kurang", 36.67)
    assert client.get(url + "?format=pdf").content.startswith(b"%PDF")
    csv_text = b"".join(client.get(url + "?format=csv").streaming_content).decode("utf-8-sig")
    assert "10400001;2025;A.1;Kemampuan literasi;Kurang;36,67;" in csv_text
    assert client.get(reverse("pbd:home")).url == url  # a school's staff go straight to it


def test_regions_are_for_who_covers_them(login, personas):
    assert login(personas["pengawas"]).get(reverse("pbd:region", args=["regency", "14.01"])).status_code == 404
    dinas = login(personas["dinas_kampar"])
    assert dinas.get(reverse("pbd:home")).url == reverse("pbd:region", args=["regency", "14.01"])
    assert dinas.get(reverse("pbd:region", args=["regency", "14.71"])).status_code == 404
    crumbs = dinas.get(reverse("pbd:region", args=["district", "14.01.01"])).content.decode().split("</nav>")[1]
    assert reverse("pbd:region", args=["regency", "14.01"]) in crumbs
    assert reverse("pbd:region", args=["province", "14"]) not in crumbs  # not hers to open
    assert login(personas["lpmp"]).get(reverse("pbd:home")).url == reverse("pbd:region", args=["province", "14"])


def test_the_region_page_costs_the_same_queries_however_many_schools(login, personas, schools, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mutu.accounts.scopes import UNRESTRICTED
    from mutu.pbd import importing

    client = login(personas["lpmp"])
    url = reverse("pbd:region", args=["province", "14"]) + "?tahun=2025"
    counts = []
    for chosen in (["a"], ["a", "b", "c"]):
        path = tmp_path / f"{len(chosen)}.xlsx"
        rows = [(schools[key], {"A.1": D("50"), "A.2": D("60")}) for key in chosen]
        samples.school_list(path, year=2025, region_name="Riau", indicators=MAIN, rows=rows)
        assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_region_compares_each_share_with_last_year(login, personas, schools, tmp_path):
    """A.1 of Kampar's two SD: one Kurang and one Baik in 2024, both Baik in 2025 (Kurang −50 points)."""
    from mutu.accounts.scopes import UNRESTRICTED
    from mutu.factories import SchoolFactory
    from mutu.pbd import importing
    from mutu.pbd.selectors import region_for, region_report

    other = SchoolFactory(npsn="10400011", name="SD Negeri 011 Bangkinang", district_code="14.01.01")
    for year, scores in ((2024, ("30", "90")), (2025, ("85", "90"))):
        path = tmp_path / f"{year}.xlsx"
        rows = [(schools["a"], {"A.1": D(scores[0])}), (other, {"A.1": D(scores[1])})]
        samples.school_list(path, year=year, region_name="Kampar", indicators=MAIN[:1], rows=rows)
        assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved
    row = next(
        r
        for r in region_report(region_for(personas["dinas_kampar"], "regency", "14.01"), 2025)
        if r.indicator.code == "A.1"
    )
    assert (row.baik_change, row.kurang_change, row.sedang_change) == (50, -50, 0)
    page = login(personas["dinas_kampar"]).get(reverse("pbd:region", args=["regency", "14.01"]) + "?tahun=2025")
    text = page.content.decode()
    assert "+50 poin" in text and "-50 poin" in text and "tahun lalu" in text
    sheet = load_workbook(
        io.BytesIO(
            login(personas["dinas_kampar"])
            .get(reverse("pbd:region", args=["regency", "14.01"]) + "?tahun=2025&format=xlsx")
            .getvalue()
        )
    ).active
    header = next(r for r in sheet.iter_rows(values_only=True) if r and "Baik tahun lalu" in r)
    values = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "A.1")
    assert values[header.index("Baik tahun lalu")] == 1 and values[header.index("Kurang tahun lalu")] == 1


def test_a_capaian_without_a_score_counts_in_its_capaian_not_as_unavailable(personas, schools, tmp_path):
    from mutu.accounts.scopes import UNRESTRICTED
    from mutu.pbd import importing
    from mutu.pbd.models import RegionShare

    path = tmp_path / "capaian.csv"
    path.write_text(f"NPSN;A.1 Kemampuan literasi\n{schools['a'].npsn};Sedang\n", encoding="utf-8")
    assert importing.run(path, scope=UNRESTRICTED, original_name=path.name, year=2025).saved
    share = RegionShare.objects.get(area="regency", area_id=schools["a"].regency_id, indicator__code="A.1", level="")
    assert (share.schools, share.sedang, share.unavailable, share.scored) == (1, 1, 0, 0)
