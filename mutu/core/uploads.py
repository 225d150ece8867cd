"""One policy for every file a user uploads.

- The type is read from the content (the `filetype` library's magic numbers; text by decoding), never
  from the name: a renamed executable is refused whatever it is called.
- Size: at most MUTU_MAX_UPLOAD_BYTES.
- Files go through Django's storage API (FileField; `var/media` by default, S3-compatible storage
  through django-storages as docs/production.md describes) and are never served from a public media
  URL: `download()` answers from a view that has checked the scope, always as an attachment with
  `nosniff`, so an uploaded HTML or SVG file could never be rendered in the browser.
"""

import codecs
from pathlib import Path

import filetype
from django.conf import settings
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# What each kind accepts: detected MIME types, and whether plain text counts.
KINDS = {
    "csv": {"mimes": set(), "text": True, "label": "CSV"},
    "yaml": {"mimes": set(), "text": True, "label": "YAML"},
    "xlsx": {
        "mimes": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
        "label": "XLSX",
    },
    "pdf": {"mimes": {"application/pdf"}, "label": "PDF"},
    "image": {"mimes": {"image/jpeg", "image/png", "image/webp"}, "label": "JPG/PNG/WebP"},
    "logo": {"mimes": {"image/jpeg", "image/png"}, "label": "PNG/JPG"},
    "office": {
        "mimes": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
        },
        "label": "DOCX/XLSX/PPTX/ODT/ODS",
    },
}
SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".txt": "csv", ".yaml": "yaml", ".yml": "yaml"}


class UploadRefused(Exception):
    """The upload is not accepted; the message says why, for people."""


def _is_text(head):
    """Plain text: UTF-16 with its mark, UTF-8 (a stray NUL byte included: the reader reports its row),
    or Windows-1252 without control bytes."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end waits
        return True
    except UnicodeDecodeError:
        return all(byte >= 0x20 or byte in b"\t\r\n\x0c" for byte in head)


def _labels(kinds):
    labels = [KINDS[name]["label"] for name in KINDS if name in kinds]
    if len(labels) == 1:
        return labels[0]
    return _("%(some)s or %(last)s") % {"some": ", ".join(labels[:-1]), "last": labels[-1]}


def sniff(upload):
    """(MIME type or "text/plain" or None, head) of an uploaded file, from its first 8 KB."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    head = upload.read(8192)
    upload.seek(position)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    return "text/plain" if head and _is_text(head) else None


def check(upload, kinds):
    """Refuse an upload over the size limit or whose content is none of `kinds` (keys of KINDS)."""
    if upload.size > settings.MUTU_MAX_UPLOAD_BYTES:
        raise UploadRefused(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(settings.MUTU_MAX_UPLOAD_BYTES)}
        )
    if upload.size == 0:
        raise UploadRefused(_("The file is empty."))
    mime = sniff(upload)
    for name in kinds:
        kind = KINDS[name]
        if mime in kind["mimes"] or (mime == "text/plain" and kind.get("text")):
            return mime
    raise UploadRefused(
        _("The content of this file is %(found)s, not %(allowed)s; its name does not change what it is.")
        % {"found": _("text") if mime == "text/plain" else mime or _("unknown"), "allowed": _labels(kinds)}
    )


def check_named(upload, kinds):
    """As `check`, and the file's name must say one of `kinds` too (the parsers go by the suffix)."""
    suffix = Path(upload.name).suffix.lower()
    if SUFFIXES.get(suffix) not in kinds:
        raise UploadRefused(_("Upload a %(allowed)s file.") % {"allowed": _labels(kinds)})
    return check(upload, kinds)


def download(field_file, filename, content_type="application/octet-stream"):
    """A stored file as an attachment, never shown inline; the caller has checked the scope. An
    uploaded file goes out as octet-stream whatever it claims; a file Mutu made says what it is."""
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
