"""Limits checked before a parser sees an uploaded file.

A 209 KB XLSX can inflate to gigabytes of shared strings, and a 2.6 KB YAML of nested aliases to a
document of billions of nodes. Every uploaded XLSX and YAML passes these checks first; the limits come
from settings (docs/configuration.md). XML inside XLSX is parsed by openpyxl through defusedxml, which
refuses entity declarations (the "billion laughs" bomb).
"""

import re
import zipfile
from pathlib import Path

import yaml
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _


class FileRefused(Exception):
    """The file breaks a limit or cannot be read; the message says which, for people."""


def unreadable_reason(exc, path):
    """Why a parser failed, for people: no server paths, no parser's advice in English."""
    cause = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return _("The file declares XML entities (a DTD), which are not accepted.")
        cause = cause.__cause__ or cause.__context__
    return str(exc).replace(str(path), Path(path).name).splitlines()[0] if str(exc) else type(exc).__name__


def _mb(size):
    return f"{size / 2**20:.0f}"


def check_zip(path):
    """Refuse an XLSX whose parts would inflate past the limits (checked on the zip directory, before
    any part is decompressed; Python's zip reader never yields more than a part's declared size)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(_("The file is not a readable XLSX workbook (%(reason)s).") % {"reason": exc}) from exc
    if len(parts) > settings.MUTU_XLSX_MAX_PARTS:
        raise FileRefused(
            _("The workbook has %(count)s parts; at most %(limit)s are accepted.")
            % {"count": len(parts), "limit": settings.MUTU_XLSX_MAX_PARTS}
        )
    total = 0
    for part in parts:
        total += part.file_size
        limit = settings.MUTU_XLSX_MAX_PART_BYTES
        if part.filename.endswith("sharedStrings.xml"):
            limit = settings.MUTU_XLSX_MAX_SHARED_STRINGS_BYTES  # held in memory whole, unlike sheets
        if part.file_size > limit:
            raise FileRefused(
                _("Part %(part)s of the workbook unpacks to %(size)s MB; at most %(limit)s MB are accepted.")
                % {"part": part.filename, "size": _mb(part.file_size), "limit": _mb(limit)}
            )
        if part.file_size > 1_000_000 and part.file_size > settings.MUTU_XLSX_MAX_RATIO * max(part.compress_size, 1):
            raise FileRefused(
                _(
                    "Part %(part)s of the workbook is compressed %(ratio)s times; at most %(limit)s times is "
                    "accepted. Save the workbook again from Excel or LibreOffice."
                )
                % {
                    "part": part.filename,
                    "ratio": part.file_size // max(part.compress_size, 1),
                    "limit": settings.MUTU_XLSX_MAX_RATIO,
                }
            )
        if part.filename.endswith("sharedStrings.xml"):
            _check_string_count(archive_path=path, part=part)
    if total > settings.MUTU_XLSX_MAX_TOTAL_BYTES:
        raise FileRefused(
            _("The workbook unpacks to %(size)s MB; at most %(limit)s MB are accepted.")
            % {"size": _mb(total), "limit": _mb(settings.MUTU_XLSX_MAX_TOTAL_BYTES)}
        )


SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


def _check_string_count(*, archive_path, part):
    """Count the shared strings in a streamed pass (1 MB at a time) before openpyxl holds them all."""
    limit, count, tail = settings.MUTU_XLSX_MAX_SHARED_STRINGS, 0, b""
    with zipfile.ZipFile(archive_path) as archive, archive.open(part) as stream:
        while True:
            chunk = stream.read(1 << 20)
            data = tail + chunk
            # A tag cut at the chunk's end is counted with the next chunk.
            cut = len(data) if not chunk else max(data.rfind(b"<"), len(data) - 16, 0)
            count += len(SHARED_STRING.findall(data, 0, cut))
            tail = data[cut:]
            if count > limit:
                raise FileRefused(
                    _("The workbook holds more than %(limit)s distinct texts; at most that many are accepted.")
                    % {"limit": number_format(limit, force_grouping=True)}
                )
            if not chunk:
                return


def open_workbook(path):
    """An uploaded XLSX, read-only (the sheets' XML is streamed), once its parts passed `check_zip`."""
    from openpyxl import load_workbook

    check_zip(path)
    return load_workbook(path, read_only=True, data_only=True)


def sheet_rows(sheet):
    """The values of the rows a sheet holds. A sheet may declare 1,048,576 × 16,384 cells, and
    openpyxl would pad every row to that width (minutes of work): only the cells in the file count."""
    sheet.reset_dimensions()
    return sheet.iter_rows(values_only=True)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document whose aliases expand past MUTU_YAML_MAX_NODES nodes.

    Aliases share the node they point to, so composing is cheap; walking the expanded document is not.
    The expanded size is counted on the composed graph, each shared node once (memoised)."""

    def compose_document(self):
        node = super().compose_document()
        limit = settings.MUTU_YAML_MAX_NODES
        sizes, open_ = {}, set()
        stack = [(node, False)]
        while stack:
            current, children_done = stack.pop()
            if id(current) in sizes:
                continue
            if not children_done and id(current) in open_:
                # Reached again below itself: an alias inside the node it names expands for ever.
                raise FileRefused(_("The YAML refers to itself through an alias (a loop without end)."))
            children = []
            if isinstance(current, yaml.SequenceNode):
                children = current.value
            elif isinstance(current, yaml.MappingNode):
                children = [part for pair in current.value for part in pair]
            if children_done:
                size = 1 + sum(sizes[id(child)] for child in children)
                if size > limit:
                    raise FileRefused(
                        _("The YAML document expands to more than %(limit)s elements (through aliases or size).")
                        % {"limit": number_format(limit, force_grouping=True)}
                    )
                sizes[id(current)] = size
                open_.discard(id(current))
            else:
                open_.add(id(current))
                stack.append((current, True))
                stack.extend((child, False) for child in children if id(child) not in sizes)
        return node


def load_yaml(handle):
    """One YAML document from an open text file, within the node limit; FileRefused otherwise."""
    try:
        return yaml.load(handle, Loader=_BoundedLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as exc:
        reason = str(exc).replace(f'"{getattr(handle, "name", "")}"', "").replace("  ", " ")
        raise FileRefused(_("The YAML cannot be read: %(reason)s") % {"reason": reason}) from exc
    except UnicodeDecodeError as exc:
        raise FileRefused(_("The YAML is not UTF-8 text: save it again as UTF-8.")) from exc
    except RecursionError as exc:
        raise FileRefused(_("The YAML is nested too deeply.")) from exc
