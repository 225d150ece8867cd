"""No export ever carries a live formula (issue #13 §1): each hostile prefix written into a school and
an instrument goes through every export, CSV cells come out neutralised, XLSX cells stay strings."""

import copy
import csv
import io
import zipfile

import pytest
from django.urls import reverse

from mutu.instruments.models import InstrumentVersion
from mutu.instruments.services import export_instrument, load_instrument, read_document, write_document
from mutu.mapping.tests.conftest import TINY
from mutu.schools.models import School

HOSTILE = [
    '=HYPERLINK("https://x","Lihat data lengkap")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "=cmd|' /C calc'!A0",
]


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_no_formula(xlsx):
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in book.read(name) or b"<f " in book.read(name) for name in sheets)


def assert_neutral_csv(data, delimiter):
    text = data.decode("utf-8").removeprefix("\ufeff")
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            if cell and cell[0] in "=+@\t\r" or (cell.startswith("-") and not cell[1:2].isdigit()):
                pytest.fail(f"live formula in CSV: {cell!r}")
            # A number may be negative; text that starts with "-" arrives as "'-…".
            assert not cell.startswith("-2+3")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_export_neutralises_a_hostile_value(client, personas, scored_round, schools, hostile):
    School.objects.filter(pk=schools["a"].pk).update(name=hostile, address=hostile, principal_name=hostile)
    client.force_login(personas["lpmp"])
    csv_exports = [
        reverse("schools:export", args=["csv"]),
        reverse("mapping:export", args=[scored_round.pk, "scores"]),
        reverse("mapping:export", args=[scored_round.pk, "responses"]),
    ]
    for url in csv_exports:
        for query, delimiter in (("", ";"), ("?csv=standard", ",")):
            response = client.get(url + query)
            assert response.status_code == 200, url
            data = _body(response)
            assert_neutral_csv(data, delimiter)
            if "schools" in url or "scores" in url:
                assert ("'" + hostile).replace('"', '""').encode() in data or ("'" + hostile).encode() in data
    xlsx_exports = [
        reverse("schools:export", args=["xlsx"]),
        reverse("mapping:rapor", args=[scored_round.pk, schools["a"].npsn]) + "?format=xlsx",
        reverse("mapping:region", args=[scored_round.pk, "regency", "14.01"]) + "?format=xlsx",
    ]
    for url in xlsx_exports:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_formula(_body(response))


@pytest.mark.parametrize("suffix", ["xlsx", "yaml"])
def test_instrument_texts_survive_a_round_trip_unchanged(db, personas, tmp_path, client, suffix):
    doc = copy.deepcopy(TINY)
    doc["code"] = "berbahaya"
    doc["nodes"][0]["text"] = HOSTILE[0]
    doc["nodes"][0]["children"][0]["description"] = HOSTILE[6]
    doc["questionnaires"][0]["questions"][0]["text"] = "+" + HOSTILE[3]
    version = load_instrument(doc)
    client.force_login(personas["pusat"])
    response = client.get(reverse("instruments:download", args=[version.code, suffix]))
    data = _body(response)
    if suffix == "xlsx":
        assert_no_formula(data)
    path = tmp_path / f"again.{suffix}"
    path.write_bytes(data)
    again = read_document(path)
    assert again["nodes"][0]["text"] == HOSTILE[0]
    assert again["nodes"][0]["children"][0]["description"] == HOSTILE[6]
    (ks,) = [q for q in again["questionnaires"] if q["respondent_type"] == "ks"]
    assert ks["questions"][0]["text"] == "+" + HOSTILE[3]
    # And what the file writer writes directly, too.
    direct = tmp_path / f"direct.{suffix}"
    write_document(export_instrument(InstrumentVersion.objects.get(code="berbahaya")), direct)
    assert read_document(direct)["nodes"][0]["text"] == HOSTILE[0]
