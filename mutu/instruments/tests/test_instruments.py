import io
from datetime import date

import pytest
import yaml
from django.core.management import call_command

from mutu.instruments import services
from mutu.instruments.models import InstrumentVersion, Node, Option, Question, Questionnaire
from mutu.mapping.tests.conftest import TINY


def test_default_instrument_has_the_pmp_tree_and_a_sample_for_every_sub_indicator(db):
    version = services.load_instrument(services.build_default_document())
    assert version.is_sample and "contoh" in version.name
    standards = version.nodes.filter(kind="standard").order_by("position")
    assert [s.text for s in standards][:3] == ["Standar Kompetensi Lulusan", "Standar Isi", "Standar Proses"]
    assert [s.children.count() for s in standards] == [3, 3, 3, 5, 5, 3, 4, 3]
    assert version.nodes.filter(kind="sub", code__startswith="1.").count() == 17
    assert version.nodes.filter(kind="sub", code__startswith="2.").count() == 13
    assert version.nodes.filter(kind="sub", code__startswith="3.").count() == 25
    assert Node.objects.get(version=version, code="1.1.1").text.startswith(
        "Memiliki perilaku yang mencerminkan sikap beriman"
    )
    assert Node.objects.get(version=version, code="5.1.5").source == "external"
    questionnaire_subs = version.nodes.filter(kind="sub", source="questionnaire")
    assert Questionnaire.objects.filter(version=version).count() == 20  # 4 respondent types × 5 jenjang
    for questionnaire in Questionnaire.objects.filter(version=version):
        covered = set(
            Option.objects.filter(question__questionnaire=questionnaire).values_list("subindicator", flat=True)
        )
        assert covered == set(questionnaire_subs.values_list("id", flat=True))
    assert [b.name for b in version.bands.all()] == [
        "Menuju SNP 1",
        "Menuju SNP 2",
        "Menuju SNP 3",
        "Menuju SNP 4",
        "SNP",
    ]


def test_yaml_round_trip_is_identical(db, tmp_path):
    services.load_instrument(TINY)
    path = tmp_path / "tiny.yaml"
    call_command("export_instrument", "tiny", str(path), stdout=io.StringIO())
    first = path.read_text(encoding="utf-8")
    InstrumentVersion.objects.all().delete()
    call_command("load_instrument", str(path), stdout=io.StringIO())
    call_command("export_instrument", "tiny", str(path), stdout=io.StringIO())
    assert path.read_text(encoding="utf-8") == first
    assert yaml.safe_load(first)["nodes"][0]["children"][0]["children"][0]["weights"]["ks"] == 0.4


def broken():
    doc = yaml.safe_load(yaml.safe_dump(TINY))
    doc["nodes"][0]["children"][0]["children"][1]["weights"] = {"ks": 0.5, "guru": 0.4}
    guru = doc["questionnaires"][1]["questions"]
    guru[0]["options"][0]["sub"] = "9.9.9"
    del guru[1]["options"][1]["sub"]
    guru.append({"code": "Q4", "kind": "single", "text": "Tanpa konversi", "options": [{"code": "a", "text": "a"}]})
    doc["questionnaires"][0]["questions"].append(
        {
            "code": "Q9",
            "kind": "single",
            "text": "Ganda",
            "options": [{"code": "a", "text": "a", "sub": "1.1.1", "weight": 1}],
        }
    )
    return doc


def test_validation_report_names_every_problem(db):
    problems = services.validate(broken())
    messages = [f"{place}: {message}" for place, message in problems]
    assert "node 1.1.2: Bobot peran berjumlah 0.9, bukan 1." in messages
    assert "kuesioner guru/SD, pertanyaan Q1, opsi a: Kode sub-indikator 9.9.9 tidak dikenal." in messages
    assert "kuesioner guru/SD, pertanyaan Q2, opsi b: Opsi tidak memiliki konversi ke sub-indikator." in messages
    assert "kuesioner guru/SD, pertanyaan Q4: Pertanyaan tidak dikonversi ke sub-indikator mana pun." in messages
    assert "kuesioner ks/SD: Sub-indikator 1.1.1 dapat mencapai 2.0 dari kuesioner ini; paling banyak 1." in messages


def test_command_prints_problems_and_loads_nothing(db, tmp_path):
    path = tmp_path / "rusak.yaml"
    path.write_text(yaml.safe_dump(broken(), allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(Exception, match="masalah; instrumen tidak dimuat"):
        call_command("load_instrument", str(path), stdout=out)
    assert "Bobot peran berjumlah 0.9" in out.getvalue()
    assert not InstrumentVersion.objects.exists() and not Question.objects.exists()


def test_a_version_used_by_a_round_is_frozen(personas, schools):
    from mutu.mapping import services as mapping

    version = services.load_instrument(TINY)
    mapping.create_round(
        actor=personas["lpmp"],
        name="R",
        year=2026,
        instrument=version,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 2, 1),
        quotas={},
    )
    version.refresh_from_db()
    assert version.frozen
    with pytest.raises(services.InstrumentError, match="dibekukan"):
        services.load_instrument(TINY)
    services.load_instrument({**TINY, "code": "tiny-2"})  # changes go into a new version
    assert InstrumentVersion.objects.count() == 2


def test_xlsx_round_trip_gives_the_same_document(db, tmp_path):
    version = services.load_instrument(TINY)
    doc = services.export_instrument(version)
    path = tmp_path / "tiny.xlsx"
    services.write_document(doc, path)
    again = services.read_document(path)
    assert services.check(again) == services.check(doc) and services.check(doc)[1] == []


def test_default_instrument_survives_xlsx(db, tmp_path):
    doc = services.build_default_document()
    path = tmp_path / "snp.xlsx"
    services.write_document(doc, path)
    assert services.validate(services.read_document(path)) == []


def test_unreadable_files_get_a_clear_message(db, tmp_path):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"bukan xlsx")
    with pytest.raises(services.InstrumentError, match="bukan buku kerja XLSX"):
        services.read_document(path)
    other = tmp_path / "x.txt"
    other.write_text("x")
    with pytest.raises(services.InstrumentError, match="Gunakan berkas .yaml atau .xlsx"):
        services.read_document(other)


def test_admin_uploads_an_instrument_and_sees_the_problems(client, personas, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(personas["lpmp"])
    bad = SimpleUploadedFile("rusak.yaml", yaml.safe_dump(broken(), allow_unicode=True).encode())
    page = client.post(reverse("instruments:list"), {"file": bad}, follow=True).content.decode()
    assert "tidak ada yang dimuat" in page and "Bobot peran berjumlah 0.9, bukan 1." in page
    assert not InstrumentVersion.objects.exists()
    services.write_document(TINY, tmp_path / "tiny.xlsx")
    good = SimpleUploadedFile("tiny.xlsx", (tmp_path / "tiny.xlsx").read_bytes())
    page = client.post(reverse("instruments:list"), {"file": good}, follow=True).content.decode()
    assert "Instrumen tiny dimuat sebagai draf" in page
    download = client.get(reverse("instruments:download", args=["tiny", "yaml"]))
    assert yaml.safe_load(b"".join(download.streaming_content))["code"] == "tiny"


@pytest.mark.parametrize("code", ["bad code/x", ["daftar"], {"peta": 1}, "Huruf-Besar", "x" * 41])
def test_an_instrument_code_that_is_not_a_slug_is_refused(db, code):
    from mutu.instruments.services import InstrumentError, load_instrument, validate
    from mutu.mapping.tests.conftest import TINY

    doc = {**TINY, "code": code}
    problems = validate(doc)
    if isinstance(code, str):
        assert any("huruf kecil" in message for _place, message in problems)
    else:
        assert problems == [("code", "Harus berupa teks.")]
    with pytest.raises(InstrumentError):
        load_instrument(doc)
