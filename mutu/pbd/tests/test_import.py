"""Importing the ministry's downloads: exact values from files built like the official ones, every bad
row named and nothing saved, the same file twice changing nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import UNRESTRICTED, area_for
from mutu.core.models import AuditEntry
from mutu.pbd import importing, samples
from mutu.pbd.models import Achievement, Framework, RegionAchievement, RegionShare

D = Decimal
MAIN = [("A.1", "Literasi membaca"), ("A.2", "Kemampuan numerasi"), ("A.3", "Karakter"), ("D.4", "Iklim keamanan")]


@pytest.fixture
def workbook(tmp_path, schools):
    path = tmp_path / "RAPOR-PBD-SD NEGERI 001 BANGKINANG-10400001-DATA-2025.xlsx"
    samples.pbd_workbook(
        path,
        school=schools["a"],
        year=2025,
        indicators=MAIN,
        scores={"A.1": D("36.67"), "A.2": D("72.5"), "A.3": D("52.17"), "D.4": None},
        previous={"A.1": D("40.10"), "A.2": D("72.5")},
    )
    return path


def test_the_shipped_frameworks_are_loaded_with_the_fifteen_main_indicators(db):
    for year in (2024, 2025):
        framework = Framework.objects.get(year=year)
        main = framework.indicators.filter(main=True)
        assert sum("SD" in i.levels for i in main) == 15
        assert {i.code for i in main if "SMK" in i.levels} >= {"A.4", "D.17"}
        assert framework.indicators.get(code="A.1.1").parent.code == "A.1"
    # codes are the key; names may differ between years
    assert Framework.objects.get(year=2024).indicators.get(code="D.4").name == "Iklim keamanan sekolah"
    assert Framework.objects.get(year=2025).indicators.get(code="D.4").name == "Iklim keamanan satuan pendidikan"


def test_a_school_workbook_is_stored_exactly(workbook, personas, schools):
    report = importing.run(workbook, scope=area_for(personas["kepsek_a"], Perm.RP_IMPORT), original_name=workbook.name)
    assert report.errors == [] and report.saved and (report.kind, report.year) == ("school", 2025)
    stored = {a.indicator.code: a for a in Achievement.objects.filter(school=schools["a"]).select_related("indicator")}
    literacy = stored["A.1"]
    assert (literacy.capaian, literacy.score, literacy.previous_score, literacy.change) == (
        "kurang",
        D("36.67"),
        D("40.10"),
        "turun",
    )
    assert literacy.description.startswith("Kurang (36,67% peserta didik")
    assert (literacy.rank_regency, literacy.rank_national) == (4, 4)  # "Menengah bawah (61-80%)"
    assert literacy.indicator.name == "Kemampuan literasi"  # matched by code, not by the file's name
    assert (stored["A.2"].capaian, stored["A.2"].score, stored["A.2"].change) == ("baik", D("72.50"), "tetap")
    assert stored["A.3"].score == D("52.17") and stored["A.3"].capaian == "sedang"
    assert stored["D.4"].score is None and stored["D.4"].capaian == ""  # Tidak Tersedia, never 0
    assert AuditEntry.objects.filter(action="rp.import").count() == 1


def test_the_same_file_again_changes_nothing(workbook, schools):
    importing.run(workbook, scope=UNRESTRICTED, original_name=workbook.name)
    before = list(Achievement.objects.values_list("pk", "updated_at", "score"))
    again = importing.run(workbook, scope=UNRESTRICTED, original_name=workbook.name)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 4)
    assert list(Achievement.objects.values_list("pk", "updated_at", "score")) == before


def test_the_year_and_school_come_from_the_file_or_are_asked(tmp_path, schools):
    path = tmp_path / "laporan.xlsx"  # a renamed workbook: the title rows still say NPSN and year
    samples.pbd_workbook(path, school=schools["a"], year=2024, indicators=MAIN[:1], scores={"A.1": D("50")})
    report = importing.run(path, scope=UNRESTRICTED, original_name=path.name, year=2025)
    assert report.errors == [["—", "tahun", "Berkas ini tahun 2024, bukan 2025."]] and not report.saved
    assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved


def _school_list(path, rows, indicators=MAIN):
    samples.school_list(path, year=2025, region_name="Kabupaten Kampar", indicators=indicators, rows=rows)
    return path


def test_a_school_list_is_stored_and_the_shares_refreshed(tmp_path, personas, schools):
    path = _school_list(
        tmp_path / "kampar.xlsx",
        [(schools["a"], {"A.1": D("80"), "A.2": D("35.5")}), (schools["b"], {"A.1": D("45,25".replace(",", "."))})],
    )
    report = importing.run(path, scope=area_for(personas["lpmp"], Perm.RP_IMPORT), original_name=path.name)
    assert report.errors == [] and report.created == 8  # two schools × four indicators, Tidak Tersedia included
    assert Achievement.objects.get(school=schools["b"], indicator__code="A.1").score == D("45.25")
    assert Achievement.objects.get(school=schools["b"], indicator__code="A.2").score is None
    riau = RegionShare.objects.get(area="province", area_id=schools["a"].province_id, indicator__code="A.1", level="")
    assert (riau.schools, riau.baik, riau.sedang, riau.kurang, riau.mean) == (2, 1, 1, 0, D("62.625"))
    nation = RegionShare.objects.get(area="nation", indicator__code="A.1", level="SD", year=2025)
    assert (nation.schools, nation.unavailable) == (2, 0)
    kampar = RegionShare.objects.get(area="regency", area_id=schools["a"].regency_id, indicator__code="A.2", level="")
    assert (kampar.schools, kampar.kurang, kampar.mean) == (1, 1, D("35.5"))


def test_every_bad_row_is_named_and_nothing_saved(tmp_path, personas, schools):
    from mutu.factories import SchoolFactory

    stranger = SchoolFactory.build(npsn="99999999", name="Tidak Ada", district=schools["a"].district)
    path = _school_list(
        tmp_path / "bad.xlsx",
        [
            (schools["a"], {"A.1": D("155")}),  # row 5: out of range
            (stranger, {"A.1": D("50")}),  # row 6: unknown NPSN
            (schools["c"], {"A.1": D("50")}),  # row 7: SMA, not the Dinas kab/kota's
            (schools["b"], {"A.1": D("50")}),  # row 8: Pekanbaru, not Kampar
        ],
        indicators=MAIN + [("Z.9", "Tidak dikenal")],
    )
    report = importing.run(path, scope=area_for(personas["dinas_kampar"], Perm.RP_IMPORT), original_name=path.name)
    assert report.errors == [
        [3, "Z.9 Tidak dikenal", "Kode indikator Z.9 tidak ada dalam Rapor Pendidikan 2025."],
        [5, "A.1", "skor 155,00 di luar 0–100."],
        [6, "NPSN", "NPSN 99999999 bukan sekolah di Mutu."],
        [7, "NPSN", "Sekolah 10400003 di luar wilayah Anda."],
        [8, "NPSN", "Sekolah 10400002 di luar wilayah Anda."],
    ]
    assert not report.saved and not Achievement.objects.exists() and not RegionShare.objects.exists()


def test_a_file_of_another_kind_is_refused_with_its_missing_landmark(tmp_path, workbook):
    other = tmp_path / "peserta.xlsx"
    book = Workbook()
    book.active.append(["Nama", "Peran", "NIP"])
    book.save(other)
    refused = importing.run(other, scope=UNRESTRICTED, original_name=other.name)
    assert "tidak ada lembar “Laporan Rapor Pendidikan”, tidak ada kolom “NPSN”" in refused.errors[0][2]
    from openpyxl import load_workbook

    cut = load_workbook(workbook)
    del cut["Laporan Rapor Pendidikan"]
    cut.save(tmp_path / "cut.xlsx")
    refused = importing.run(tmp_path / "cut.xlsx", scope=UNRESTRICTED, original_name="cut.xlsx")
    assert "lembar “Laporan Rapor Pendidikan” tidak ada" in refused.errors[0][2]
    region = tmp_path / "daerah.xlsx"
    book = Workbook()
    book.active.append(["Provinsi", "Kabupaten/Kota", "A.1 Literasi"])
    book.save(region)
    refused = importing.run(region, scope=UNRESTRICTED, original_name=region.name)
    assert "tidak ada baris “Label Capaian”" in refused.errors[0][2]


def test_a_csv_school_list_with_decimal_commas_and_sentences(tmp_path, schools):
    path = tmp_path / "daftar.csv"
    path.write_text(
        "Rapor Pendidikan Tahun 2025;;\n;;\nNPSN;Nama;A.1 Kemampuan literasi;A.3 Karakter\n"
        "10400001;SD 1;Kurang (36,67% peserta didik mencapai batas kompetensi);Sedang (Indeks Karakter 52,17)\n"
        "10400002;SD 2;Tidak Tersedia;61,5\n",
        encoding="cp1252",
    )
    report = importing.run(path, scope=UNRESTRICTED, original_name=path.name)
    assert report.errors == [] and report.saved
    assert Achievement.objects.count() == 4
    a1 = Achievement.objects.get(school=schools["a"], indicator__code="A.1")
    assert (a1.capaian, a1.score) == ("kurang", D("36.67"))
    b1 = Achievement.objects.get(school=schools["b"], indicator__code="A.1")
    assert (b1.capaian, b1.score) == ("", None)
    b3 = Achievement.objects.get(school=schools["b"], indicator__code="A.3")
    assert (b3.score, b3.capaian) == (D("61.50"), "")  # no threshold known for A.3: no capaian is made up


def _region_file(tmp_path, province="Riau"):
    path = tmp_path / "daerah-2025.xlsx"
    samples.region_report(
        path,
        year=2025,
        indicators=MAIN[:2],
        rows=[
            (province, "Kab. Kampar", "SD", "Negeri", {"A.1": ("Sedang", "Naik"), "A.2": ("Kurang", "Turun")}),
            (province, "Kota Pekanbaru", "SD", "Semua", {"A.1": ("Baik", "Tidak berubah")}),
            (province, "", "Semua", "Semua", {"A.1": ("Sedang", "Naik")}),
        ],
        slices=[
            (
                "Berdasarkan Kelompok Gender",
                [("Perempuan", province, "Kab. Kampar", "SD", {"A.1": ("Baik", "Naik")})],
            )
        ],
    )
    return path


def test_a_regional_report_is_stored_as_the_regions_own(tmp_path, personas, regions):
    path = _region_file(tmp_path)
    report = importing.run(path, scope=area_for(personas["lpmp"], Perm.RP_IMPORT), original_name=path.name)
    assert report.errors == [] and report.kind == "region" and report.year == 2025
    kampar = RegionAchievement.objects.get(area_code="14.01", indicator__code="A.2", slice="")
    assert (kampar.capaian, kampar.change, kampar.level, kampar.status) == ("kurang", "turun", "SD", "negeri")
    assert RegionAchievement.objects.get(area_code="14.71", indicator__code="A.2").capaian == ""  # Tidak Tersedia
    assert RegionAchievement.objects.get(area_code="14", indicator__code="A.1", level="").change == "naik"
    girls = RegionAchievement.objects.get(slice="Berdasarkan Kelompok Gender: Perempuan", indicator__code="A.1")
    assert (girls.capaian, girls.area_code, girls.status) == ("baik", "14.01", "")
    assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).unchanged == report.created


def test_a_regional_report_outside_ones_area_is_refused(tmp_path, personas, regions):
    path = _region_file(tmp_path)
    report = importing.run(path, scope=area_for(personas["dinas_kampar"], Perm.RP_IMPORT), original_name=path.name)
    assert [row for row, *_rest in report.errors] == [6, 7]  # Pekanbaru and the province's own row
    assert not RegionAchievement.objects.exists()


def test_the_commands_import_and_export(workbook, schools, tmp_path, capsys):
    call_command("import_rapor_pendidikan", str(workbook))
    out = tmp_path / "a.csv"
    call_command("export_rapor_pendidikan", school="10400001", year=2025, format="csv", out=str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["NPSN", "Tahun", "Kode", "Indikator", "Capaian", "Skor", "Skor tahun lalu"]
    assert rows[1] == ["10400001", "2025", "A.1", "Kemampuan literasi", "Kurang", "36.67", "40.10"]
    assert rows[4][4:] == ["Tidak tersedia", "", ""]
    bad = tmp_path / "bad.xlsx"
    samples.pbd_workbook(bad, school=schools["a"], year=2025, indicators=MAIN[:1], scores={"A.1": D("155")})
    with pytest.raises(SystemExit) as exit_:
        call_command("import_rapor_pendidikan", str(bad))
    assert exit_.value.code == 1 and "baris 6: A.1: skor 155,00 di luar 0–100." in capsys.readouterr().out


def test_another_schools_workbook_is_refused_once_not_per_indicator(workbook, personas, schools):
    report = importing.run(workbook, scope=area_for(personas["kepsek_b"], Perm.RP_IMPORT), original_name=workbook.name)
    assert report.errors == [["—", "NPSN", "Sekolah 10400001 di luar wilayah Anda."]] and not report.saved
    assert not Achievement.objects.exists()
