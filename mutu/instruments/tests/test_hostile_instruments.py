"""Hostile instrument files: each upload ends as "not loaded" with the place and the reason, read by
the worker within the limits from settings; none gives a 500 (issue #13 §4)."""

import copy
import zipfile

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutu.instruments import services
from mutu.instruments.models import InstrumentUpload, InstrumentVersion
from mutu.mapping.tests.conftest import TINY

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


def upload(client, user, name, body):
    client.force_login(user)
    response = client.post(reverse("instruments:list"), {"file": SimpleUploadedFile(name, body)}, follow=True)
    assert response.status_code == 200
    return InstrumentUpload.objects.latest("pk"), response.content.decode()


def tiny_with(change):
    doc = copy.deepcopy(TINY)
    change(doc)
    return yaml.safe_dump(doc, allow_unicode=True).encode()


def test_yaml_alias_bomb_is_refused(client, personas):
    job, page = upload(client, personas["pusat"], "bom.yaml", ALIAS_BOMB.encode())
    assert job.state == "failed" and "lebih dari 1.000.000 elemen" in page


def test_deep_nesting_is_refused(client, personas):
    job, page = upload(client, personas["pusat"], "dalam.yaml", b"[" * 50_000 + b"]" * 50_000)
    assert job.state == "failed" and "YAML bersarang terlalu dalam" in page


@pytest.mark.parametrize(
    "change, place, reason",
    [
        (lambda d: d.update(nodes="standar"), "node", "Harus berupa daftar."),
        (lambda d: d.update(bands={"name": "x"}), "level", "Harus berupa daftar."),
        (lambda d: d["nodes"][0].update(code={"a": 1}), "node 1 › code", "Harus berupa teks."),
        (lambda d: d["nodes"][0].update(code="1" * 21), "node 1 › code", "Lebih panjang dari 20 karakter."),
        (lambda d: d["nodes"][0].update(children="x"), "node 1 › anak", "Harus berupa daftar."),
        (lambda d: d["bands"][0].pop("name"), "level 1 › name", "Wajib diisi."),
        (lambda d: d["bands"][0].update(upper="tinggi"), "level 1 › upper", "Harus berupa angka."),
        (lambda d: d["bands"][0].update(color="merah"), "level 1 › color", "Harus berupa warna yang ditulis #rrggbb."),
        (lambda d: d.update(name="n" * 151), "name", "Lebih panjang dari 150 karakter."),
        (lambda d: d.update(sample="mungkin"), "sample", "Harus ya atau tidak (true/false)."),
        (
            lambda d: d["questionnaires"][0].update(questions={"q": 1}),
            "kuesioner 1 › pertanyaan",
            "Harus berupa daftar.",
        ),
        (
            lambda d: d["questionnaires"][0]["questions"][0]["options"][0].update(weight=[1]),
            "kuesioner 1 › pertanyaan 1 › opsi 1 › weight",
            "Harus berupa angka.",
        ),
        (
            lambda d: d["questionnaires"][0]["questions"][0]["options"][0].update(code="k" * 11),
            "kuesioner 1 › pertanyaan 1 › opsi 1 › code",
            "Lebih panjang dari 10 karakter.",
        ),
        (
            lambda d: d["questionnaires"][0]["questions"][0].update(code="q" * 31),
            "kuesioner 1 › pertanyaan 1 › code",
            "Lebih panjang dari 30 karakter.",
        ),
        (
            lambda d: d["questionnaires"][0].update(title="t" * 201),
            "kuesioner 1 › title",
            "Lebih panjang dari 200 karakter.",
        ),
        (lambda d: d["nodes"][0]["children"][0].update(weights=[0.5]), "node 1 › anak 1 › bobot", "Harus berupa"),
    ],
)
def test_wrong_types_and_lengths_name_the_place(client, personas, change, place, reason):
    job, page = upload(client, personas["pusat"], "salah.yaml", tiny_with(change))
    assert job.state == "failed"
    assert any(p == place and reason in r for p, r in job.problems), job.problems
    assert not InstrumentVersion.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"- hanya\n- daftar\n", b"\xff\xfe\x00bukan teks", b"kode: [tidak ditutup", b"!!python/object:os.system {}"],
)
def test_files_that_are_not_instruments(client, personas, body):
    job, page = upload(client, personas["pusat"], "aneh.yaml", body)
    assert job.state == "failed" and job.problems[0][0] == "berkas"


def test_xlsx_cells_of_the_wrong_type_name_their_row(client, personas, tmp_path):
    path = tmp_path / "salah.xlsx"
    services.write_document(TINY, path)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook["pertanyaan"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=headers.index("weight") + 1, value="setengah")
    workbook["level"].cell(row=2, column=1).value = None  # a band without a name
    workbook.save(path)
    job, page = upload(client, personas["pusat"], "salah.xlsx", path.read_bytes())
    assert job.state == "failed"
    places = dict(job.problems)
    assert any(p.startswith("pertanyaan, baris 3") and r == "Harus berupa angka." for p, r in places.items())
    assert any(p.startswith("level, baris 2") and "name" in p for p in places), places


def test_xlsx_entity_bomb_and_shared_strings_bomb(client, personas, tmp_path):
    path = tmp_path / "ok.xlsx"
    services.write_document(TINY, path)
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    sheet = f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "ha">{laughs}]><worksheet>&l9;</worksheet>'
    sst = b"<sst>" + b"<si><t>x</t></si>" * 500_000 + b"</sst>"
    for part, content, reason in [
        ("xl/worksheets/sheet1.xml", sheet.encode(), "entitas XML (DTD)"),
        ("xl/sharedStrings.xml", sst, "dikompresi"),
    ]:
        bomb = tmp_path / "bom.xlsx"
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
            names = source.namelist()
            for name in names:
                target.writestr(name, content if name == part else source.read(name))
            if part not in names:
                target.writestr(part, content)
        job, page = upload(client, personas["pusat"], "bom.xlsx", bomb.read_bytes())
        assert job.state == "failed" and reason in job.problems[0][1], job.problems


def test_an_unexpected_error_ends_the_upload(client, personas, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "load_instrument", broken)
    job, page = upload(client, personas["pusat"], "ok.yaml", tiny_with(lambda d: None))
    assert job.state == "failed" and "kesalahan yang tidak terduga" in page


def test_uploads_are_private_to_their_uploader(client, personas):
    job, _page = upload(client, personas["lpmp"], "ok.yaml", tiny_with(lambda d: None))
    assert job.state == "loaded"
    for name in ("lpmp_jambi", "pusat"):
        client.force_login(personas[name])
        assert client.get(reverse("instruments:upload", args=[job.pk])).status_code == 404


def test_a_renamed_program_is_refused_at_upload(client, personas):
    client.force_login(personas["pusat"])
    program = SimpleUploadedFile("instrumen.yaml", b"MZ\x90\x00\x03" + b"\x00" * 300)
    page = client.post(reverse("instruments:list"), {"file": program}).content.decode()
    assert "Isi berkas ini" in page and "bukan YAML atau XLSX" in page
    assert not InstrumentUpload.objects.exists()


def test_a_yaml_alias_inside_itself_is_refused_at_once(client, personas):
    body = b'code: cyc-1\nname: cyc\nnodes: &n [{code: "1", text: t, children: *n}]\n'
    job, page = upload(client, personas["pusat"], "putar.yaml", body)
    assert job.state == "failed" and "putaran tanpa akhir" in page


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            lambda d: d["nodes"][0]["children"][0]["children"][0].update(weights={"ks": 3, "guru": -2}),
            "di antara 0 dan 1",
        ),
        (
            lambda d: d["nodes"][0]["children"][0]["children"][0].update(source="peretas"),
            "Sumber “peretas” tidak dikenal",
        ),
        (lambda d: d["questionnaires"][0]["questions"][0]["options"][1].update(code="a"), "kode yang sama"),
        (lambda d: d["bands"][0].update(upper=True), "Harus berupa angka"),
    ],
    ids=["negative-role-weight", "unknown-source", "duplicate-option-code", "boolean-as-number"],
)
def test_values_the_database_would_refuse_are_reported_first(client, personas, change, reason):
    job, page = upload(client, personas["pusat"], "salah.yaml", tiny_with(change))
    assert job.state == "failed" and any(reason in r for _p, r in job.problems), job.problems


def test_workbook_structure_problems_are_named(client, personas, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "tiny.xlsx"
    services.write_document(TINY, path)
    workbook = load_workbook(path)
    del workbook["level"]
    workbook.save(path)
    job, _page = upload(client, personas["pusat"], "tanpa-level.xlsx", path.read_bytes())
    assert "tidak memiliki lembar “level”" in job.problems[0][1]
    services.write_document(TINY, path)
    workbook = load_workbook(path)
    sheet = workbook["node"]
    sheet.cell(row=2, column=2).value = sheet.cell(row=2, column=1).value  # its own parent
    workbook.save(path)
    job, _page = upload(client, personas["pusat"], "induk.xlsx", path.read_bytes())
    assert "menjadi induk dirinya sendiri" in job.problems[0][1]


def test_sheets_declaring_a_million_rows_are_read_by_their_cells(client, personas, tmp_path):
    path = tmp_path / "tiny.xlsx"
    services.write_document(TINY, path)
    wide = tmp_path / "lebar.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name.startswith("xl/worksheets/"):  # every sheet, the instrument's own metadata included
                content = content.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
            target.writestr(name, content)
    job, _page = upload(client, personas["pusat"], "lebar.xlsx", wide.read_bytes())
    assert job.state == "loaded", job.problems
