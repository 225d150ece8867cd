"""The Indonesian catalogue is complete and its compiled .mo matches the .po."""

import gettext
from pathlib import Path

import polib
import pytest

PO = Path(__file__).resolve().parents[3] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_compiled_catalogue_is_current():
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    for entry in polib.pofile(str(PO)).translated_entries():
        if entry.msgid_plural:
            continue
        found = compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
        assert found == entry.msgstr, entry.msgid


@pytest.mark.parametrize(
    "path,indonesian,english",
    [
        ("/hadir/", "Kehadiran", "Attendance"),
        ("/hadir/ABCDEF/", "Kehadiran", "Attendance"),
        ("/sertifikat/", "Verifikasi sertifikat", "Certificate verification"),
        ("/r/", "Isi kuesioner", "Fill in the questionnaire"),
    ],
)
def test_the_pages_without_an_account_follow_the_language_switch(client, db, path, indonesian, english):
    assert f"<h1>{indonesian}</h1>" in client.get(path).content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": path})
    assert switched["Location"] == path
    page = client.get(path).content.decode()
    assert f"<h1>{english}</h1>" in page and '<html lang="en">' in page
