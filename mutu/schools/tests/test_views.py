import io

from django.urls import reverse
from openpyxl import load_workbook

from mutu.core.models import AuditEntry
from mutu.schools import importing
from mutu.schools.models import School


def test_list_search_filters_and_empty_state(login, personas, schools):
    client = login(personas["lpmp"])
    page = client.get(reverse("schools:list")).content.decode()
    assert "3 sekolah" in page and schools["d"].name not in page
    assert "SMA Negeri 1 Bangkinang" in client.get(reverse("schools:list"), {"level": "SMA"}).content.decode()
    found = client.get(reverse("schools:list"), {"q": "10400002"}).content.decode()
    assert "SD Negeri 002 Pekanbaru" in found and "SD Negeri 001 Bangkinang" not in found
    incomplete = client.get(reverse("schools:list"), {"incomplete": "on"}).content.decode()
    assert "3 sekolah" in incomplete
    empty = client.get(reverse("schools:list"), {"q": "tidak-ada"}).content.decode()
    assert "Tidak ada sekolah yang sesuai dengan saringan ini." in empty


def test_list_htmx_returns_only_the_table(login, personas, schools):
    client = login(personas["lpmp"])
    response = client.get(
        reverse("schools:list"), {"level": "SD"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="school-table"
    )
    body = response.content.decode()
    assert "<html" not in body and "2 sekolah" in body


def test_list_paginates(login, personas, schools):
    from mutu.factories import SchoolFactory

    for n in range(60):
        SchoolFactory(name=f"SD Uji {n:02d}")
    client = login(personas["dinas_kampar"])
    first = client.get(reverse("schools:list")).content.decode()
    assert "Halaman 1 dari 2" in first
    second = client.get(reverse("schools:list"), {"page": 2}).content.decode()
    assert "Halaman 2 dari 2" in second and "SD Uji 59" in second


def test_region_editor_changes_and_audit(login, personas, schools):
    client = login(personas["dinas_kampar"])
    school = schools["a"]
    data = {
        "name": school.name,
        "level": "SD",
        "status": "swasta",
        "district": school.district_id,
        "address": "Jl. Baru 1",
        "accreditation": "B",
        "latitude": "0.3",
        "longitude": "101.1",
        "principal_name": "Rosmawati",
    }
    response = client.post(reverse("schools:edit", args=[school.npsn]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="school.update")
    assert entry.actor == personas["dinas_kampar"] and entry.province.code == "14"
    assert entry.changes["status"] == ["negeri", "swasta"] and entry.changes["accreditation"] == ["", "B"]
    client.post(reverse("schools:edit", args=[school.npsn]), data)  # the same submit again
    assert AuditEntry.objects.filter(action="school.update").count() == 1


def test_region_editor_cannot_move_a_school_out_of_the_area(login, personas, schools):
    from mutu.regions.models import District

    client = login(personas["dinas_kampar"])
    school = schools["a"]
    response = client.post(
        reverse("schools:edit", args=[school.npsn]),
        {
            "name": school.name,
            "level": "SD",
            "status": "negeri",
            "district": District.objects.get(code="14.71.01").pk,
            "address": "",
            "accreditation": "",
            "latitude": "",
            "longitude": "",
            "principal_name": "",
        },
    )
    assert "di luar wilayah Anda" in response.content.decode()
    school.refresh_from_db()
    assert school.district.code == "14.01.01"


def test_principal_edits_contact_data_but_not_identity(login, personas, schools):
    client = login(personas["kepsek_a"])
    school = schools["a"]
    form = client.get(reverse("schools:edit", args=[school.npsn])).content.decode()
    assert 'name="principal_name"' in form and 'name="district"' not in form and 'name="level"' not in form
    client.post(
        reverse("schools:edit", args=[school.npsn]),
        {
            "name": "Nama Baru",
            "level": "SMA",
            "address": "Jl. Melati",
            "accreditation": "A",
            "latitude": "0,5",
            "longitude": "",
            "principal_name": "Budi",
        },
    )
    school.refresh_from_db()
    assert (school.name, school.level, school.address) == ("SD Negeri 001 Bangkinang", "SD", "Jl. Melati")


def test_bad_coordinates_get_a_clear_message(login, personas, schools):
    client = login(personas["operator_a"])
    response = client.post(
        reverse("schools:edit", args=[schools["a"].npsn]),
        {
            "address": "",
            "accreditation": "",
            "latitude": "45",
            "longitude": "101",
            "principal_name": "",
        },
    )
    assert "Pastikan nilai ini lebih kecil dari atau sama dengan 6." in response.content.decode()


def test_export_is_scoped_and_imports_back(login, personas, schools, tmp_path):
    client = login(personas["dinas_kampar"])
    response = client.get(reverse("schools:export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("NPSN;Nama Sekolah;Bentuk Pendidikan;Status Sekolah")
    assert len(lines) == 2 and lines[1].startswith("10400001;SD Negeri 001 Bangkinang;SD;Negeri")

    client = login(personas["lpmp"])
    response = client.get(reverse("schools:export", args=["xlsx"]), {"level": "SD"})
    path = tmp_path / "sekolah.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(load_workbook(io.BytesIO(path.read_bytes()), read_only=True).worksheets[0].values)
    assert [str(r[0]) for r in rows[2:]] == ["10400001", "10400002"]  # after the title and header rows
    before = list(School.objects.order_by("npsn").values())
    report = importing.run_import(path, importing.guess_mapping(importing.read_headers(path)), commit=True)
    assert (report.error_count, report.updated, report.created) == (0, 2, 0)
    after = list(School.objects.order_by("npsn").values())
    for row in before + after:
        row.pop("updated_at")
    assert after == before


def test_export_rejects_unknown_format(login, personas, schools):
    assert login(personas["lpmp"]).get(reverse("schools:export", args=["pdf"])).status_code == 404
