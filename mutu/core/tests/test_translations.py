"""The Indonesian catalogue is complete and its compiled .mo matches the .po."""

import gettext
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[3] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_compiled_catalogue_is_current():
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    for entry in polib.pofile(str(PO)).translated_entries():
        if not entry.msgid_plural:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid
