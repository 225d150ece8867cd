"""Reading and checking Dapodik school files (CSV or XLSX), streamed row by row.

`run_import` is the single pipeline behind the web import, the `import_schools` command and the
benchmark: it validates every row, reports problems with row number, field and reason, and (when
asked) upserts the good rows in batches inside one transaction. The file is parsed before that
transaction opens (the good rows wait in a spool file), so a slow or hostile file never holds the
database's write lock; the limits of mutu/core/files.py and the row, column and cell limits from
settings are checked while reading.
"""

import codecs
import csv
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.exceptions import InvalidFileException

from mutu.accounts.scopes import UNRESTRICTED
from mutu.core.files import FileRefused, open_workbook, sheet_rows, unreadable_reason
from mutu.regions.models import District

from .models import Accreditation, Level, School, Status

BATCH_SIZE = 2000
MAX_STORED_ERRORS = 1000


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translation
    synonyms: tuple
    required: bool = False


# Target fields in the order of a Dapodik "Data Sekolah" export, with the headers seen in the wild.
COLUMNS = [
    Column("npsn", "NPSN", ("npsn",), required=True),
    Column("name", gettext_lazy("School name"), ("nama sekolah", "nama", "nama satuan pendidikan", "sekolah"), True),
    Column("level", gettext_lazy("Level (jenjang)"), ("bentuk pendidikan", "jenjang", "bentuk"), True),
    Column("status", gettext_lazy("Status"), ("status sekolah", "status"), True),
    Column("address", gettext_lazy("Address"), ("alamat", "alamat jalan", "alamat sekolah")),
    Column("district_code", gettext_lazy("District code"), ("kode wilayah", "kode kecamatan", "kode kec")),
    Column("district", gettext_lazy("District (kecamatan)"), ("kecamatan", "kec")),
    Column(
        "regency", gettext_lazy("Regency/city"), ("kabupaten/kota", "kab/kota", "kabupaten kota", "kabupaten", "kota")
    ),
    Column("province", gettext_lazy("Province"), ("provinsi", "propinsi", "prov")),
    Column("accreditation", gettext_lazy("Accreditation"), ("akreditasi",)),
    Column("latitude", gettext_lazy("Latitude"), ("lintang", "latitude", "lat")),
    Column("longitude", gettext_lazy("Longitude"), ("bujur", "longitude", "lng", "lon")),
    Column("principal_name", gettext_lazy("Principal"), ("kepala sekolah", "nama kepala sekolah", "kepsek")),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
# Headers written by the exporter, so an exported list imports back unchanged.
EXPORT_HEADERS = [c.synonyms[0].title() if c.key != "npsn" else "NPSN" for c in COLUMNS]
# School fields a mapped column writes; unmapped optional columns leave existing values alone.
WRITES = {
    "address": ["address"],
    "accreditation": ["accreditation"],
    "latitude": ["latitude"],
    "longitude": ["longitude"],
    "principal_name": ["principal_name"],
}
ALWAYS_WRITTEN = ["name", "level", "status", "district", "regency", "province", "updated_at"]

LEVEL_ALIASES = {level.value: level.value for level in Level} | {"SDLB": "SLB", "SMPLB": "SLB", "SMALB": "SLB"}
STATUS_ALIASES = {"NEGERI": Status.NEGERI, "N": Status.NEGERI, "SWASTA": Status.SWASTA, "S": Status.SWASTA}
ACCREDITATION_ALIASES = {a.value: a.value for a in Accreditation} | {
    "": "",
    "TIDAK TERAKREDITASI": "TT",
    "BELUM TERAKREDITASI": "TT",
    "-": "",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, required columns not mapped)."""


def normalize_header(value):
    return re.sub(r"[\s_.]+", " ", str(value).strip().lower()).strip()


def guess_mapping(headers, columns=None):
    """{field key: header index} for the headers that match a known name of `columns` (the Dapodik
    columns of a school file unless told)."""
    normalized = [normalize_header(h) for h in headers]
    mapping = {}
    for column in COLUMNS if columns is None else columns:
        for synonym in column.synonyms:
            if synonym in normalized and normalized.index(synonym) not in mapping.values():
                mapping[column.key] = normalized.index(synonym)
                break
    return mapping


def missing_required(mapping):
    """Labels of required fields the mapping leaves out (a region needs a code or district + regency)."""
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in mapping]
    if "district_code" not in mapping and not {"district", "regency"} <= mapping.keys():
        missing.append(_("District code, or District and Regency/city"))
    return missing


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def iter_file_rows(path, sheet=None):
    """Yield each row of the first sheet (or of the sheet named) as a list of strings; CSV and XLSX
    are streamed. A row with more columns, or a cell longer, than the settings allow ends the
    reading with ImportFileError."""
    number = 0
    for number, row in enumerate(_raw_rows(Path(path), sheet), start=1):  # noqa: B007 — the number names the row
        if len(row) > settings.MUTU_IMPORT_MAX_COLUMNS:
            raise ImportFileError(
                _("Row %(row)s has %(count)s columns; at most %(limit)s are accepted.")
                % {"row": number, "count": len(row), "limit": settings.MUTU_IMPORT_MAX_COLUMNS}
            )
        if any(len(cell) > settings.MUTU_IMPORT_MAX_CELL_CHARS for cell in row):
            raise _cell_too_long(number)
        yield row


def _unreadable(exc, path):
    return ImportFileError(_("The spreadsheet cannot be read: %(reason)s") % {"reason": unreadable_reason(exc, path)})


def _cell_too_long(number):
    return ImportFileError(
        _("Row %(row)s has a cell longer than %(limit)s characters.")
        % {"row": number, "limit": number_format(settings.MUTU_IMPORT_MAX_CELL_CHARS, force_grouping=True)}
    )


def _raw_rows(path, sheet=None):
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        # openpyxl's read-only mode parses the sheet XML as a stream: memory stays flat on a
        # national file, where loading the whole sheet (python-calamine) peaks above 300 MB.
        try:
            workbook = open_workbook(path)
        except FileRefused as exc:
            raise ImportFileError(str(exc)) from exc
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise _unreadable(exc, path) from exc
        try:
            for row in sheet_rows(workbook[sheet] if sheet else workbook.worksheets[0]):
                yield [_cell(v) for v in row]
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile, ET.ParseError, DefusedXmlException) as exc:
            raise _unreadable(exc, path) from exc
        finally:
            workbook.close()
        return
    if suffix not in {".csv", ".txt"}:
        raise ImportFileError(_("Unsupported file type “%(suffix)s”: upload CSV or XLSX.") % {"suffix": suffix})
    # Undecodable bytes become U+FFFD instead of failing half-way through a streamed file.
    with path.open(newline="", encoding=detect_encoding(path), errors="replace") as handle:
        sample = handle.read(8192)
        handle.seek(0)
        delimiter = max(";,\t", key=sample.count)
        # The reader refuses a longer field itself, before holding it whole.
        csv.field_size_limit(settings.MUTU_IMPORT_MAX_CELL_CHARS)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _cell_too_long(reader.line_num) from exc
            raise ImportFileError(
                _("Line %(line)s cannot be read: %(reason)s") % {"line": reader.line_num, "reason": exc}
            ) from exc


# What each detected encoding is called for people.
ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
}


def detect_encoding(path):
    """A CSV file's text encoding: a byte-order mark says UTF-8 or UTF-16 (Excel's "Unicode text");
    otherwise UTF-8 if every byte decodes as UTF-8 (checked in chunks, memory stays flat), else
    Windows-1252, which Excel writes as "CSV" on Windows."""
    with Path(path).open("rb") as handle:
        head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        sample = handle.read(4096)
        # UTF-16 without its mark: ASCII letters with a zero byte beside each one.
        if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
            return "utf-16-le"
        if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
            return "utf-16-be"
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def encoding_name(path):
    """The encoding a file was read in, as people call it; empty for spreadsheets."""
    if Path(path).suffix.lower() not in {".csv", ".txt"}:
        return ""
    return ENCODING_NAMES[detect_encoding(path)]


def is_header(row):
    """The header is the first row with at least two filled cells: a title row above it (as in Mutu's
    own XLSX exports) is skipped."""
    return sum(1 for cell in row if cell.strip()) >= 2


def read_headers(path):
    for row in iter_file_rows(path):
        if is_header(row):
            return [cell.strip() for cell in row]
    raise ImportFileError(_("The file is empty: the first row must hold the column names."))


_REGION_PREFIX = re.compile(r"^(kabupaten|kab|kota administrasi|kota adm|kota|kecamatan|kec|provinsi|prov)\b\.?\s*")


def plain_name(value):
    value = re.sub(r"[^a-z0-9' ]+", " ", value.lower())
    return re.sub(r"\s+", " ", value).strip()


class RegionIndex:
    """All districts in memory (≈7,300), looked up by code or by regency + district name."""

    def __init__(self):
        self.by_code = {}
        self.by_name = {}
        rows = District.objects.values_list(
            "id", "code", "name", "regency_id", "regency__name", "regency__kind", "regency__province_id"
        )
        for district_id, code, name, regency_id, regency_name, kind, province_id in rows.iterator(chunk_size=5000):
            target = (district_id, regency_id, province_id)
            self.by_code[code.replace(".", "")] = target
            bare_regency = _REGION_PREFIX.sub("", plain_name(regency_name))
            self.by_name[(f"{kind} {bare_regency}", plain_name(name))] = target
            # Without "Kab."/"Kota" a name is only usable when no kota shares it.
            self.by_name.setdefault((bare_regency, plain_name(name)), target)

    def resolve(self, code, regency, district):
        if code:
            return self.by_code.get(re.sub(r"\D", "", code)[:6])
        regency = plain_name(regency)
        prefix = _REGION_PREFIX.match(regency)
        bare = _REGION_PREFIX.sub("", regency)
        kind = ""
        if prefix:
            kind = "kota" if prefix.group(1).startswith("kota") else "kabupaten"
        district_name = _REGION_PREFIX.sub("", plain_name(district))
        return self.by_name.get((f"{kind} {bare}".strip(), district_name))


@dataclass
class ImportReport:
    total_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    updated: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)  # [row, field label, message], capped
    committed: bool = False
    province_ids: set = field(default_factory=set)

    @property
    def rejected_rows(self):
        return self.total_rows - self.valid_rows

    def add_error(self, row, label, message):
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append([row, str(label), str(message)])


def _decimal(raw, low, high):
    value = Decimal(raw.replace(",", "."))
    if not (low <= value <= high):
        raise InvalidOperation
    return value.quantize(Decimal("0.000001"))


class RowChecker:
    def __init__(self, mapping, regions, scope):
        self.mapping = mapping
        self.regions = regions
        self.scope = scope
        self.seen = {}  # npsn → first row number

    def get(self, row, key):
        index = self.mapping.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def check(self, number, row):
        """(values, errors) for one data row; errors are (field label, message)."""
        errors = []
        values = {}
        # PostgreSQL cannot store NUL in text; such a cell is refused by name, not by a failed save.
        for key in self.mapping:
            if "\x00" in self.get(row, key):
                errors.append((COLUMN_BY_KEY[key].label, _("The cell holds a NUL character (byte 0).")))
        npsn = self.get(row, "npsn")
        if not re.fullmatch(r"\d{8}", npsn):
            errors.append(("NPSN", _("NPSN must be exactly 8 digits (got “%(value)s”).") % {"value": npsn}))
        elif npsn in self.seen:
            errors.append(
                (
                    "NPSN",
                    _("NPSN %(npsn)s appears more than once in the file (first on row %(row)s).")
                    % {"npsn": npsn, "row": self.seen[npsn]},
                )
            )
        else:
            self.seen[npsn] = number
        values["npsn"] = npsn
        values["name"] = self.get(row, "name")
        if not values["name"]:
            errors.append((COLUMN_BY_KEY["name"].label, _("The school name is empty.")))
        elif len(values["name"]) > 200:
            errors.append((COLUMN_BY_KEY["name"].label, _("The school name is longer than 200 characters.")))
        raw_level = self.get(row, "level")
        values["level"] = LEVEL_ALIASES.get(raw_level.upper().replace(" ", ""))
        if not values["level"]:
            errors.append(
                (
                    COLUMN_BY_KEY["level"].label,
                    _("Unknown level “%(value)s”: use SD, SMP, SMA, SMK or SLB.") % {"value": raw_level},
                )
            )
        raw_status = self.get(row, "status")
        values["status"] = STATUS_ALIASES.get(raw_status.upper())
        if not values["status"]:
            errors.append(
                (
                    COLUMN_BY_KEY["status"].label,
                    _("Unknown status “%(value)s”: use Negeri or Swasta.") % {"value": raw_status},
                )
            )
        code, regency, district = self.get(row, "district_code"), self.get(row, "regency"), self.get(row, "district")
        region = self.regions.resolve(code, regency, district)
        if region is None:
            if code:
                message = _("Unknown region: no district has the code “%(code)s”.") % {"code": code}
            else:
                message = _("Unknown region: district “%(district)s” in “%(regency)s” was not found.") % {
                    "district": district,
                    "regency": regency,
                }
            errors.append((COLUMN_BY_KEY["district"].label, message))
        else:
            values["district_id"], values["regency_id"], values["province_id"] = region
            if values["level"] and not self.scope.allows(region[2], region[1], values["level"]):
                errors.append((COLUMN_BY_KEY["district"].label, _("The school lies outside your area.")))
        if "address" in self.mapping:
            values["address"] = self.get(row, "address")[:300]
        if "principal_name" in self.mapping:
            values["principal_name"] = self.get(row, "principal_name")[:150]
        if "accreditation" in self.mapping:
            raw = self.get(row, "accreditation")
            values["accreditation"] = ACCREDITATION_ALIASES.get(raw.upper())
            if values["accreditation"] is None:
                errors.append(
                    (
                        COLUMN_BY_KEY["accreditation"].label,
                        _("Unknown accreditation “%(value)s”: use A, B, C or TT.") % {"value": raw},
                    )
                )
        for key, low, high in (("latitude", -11, 6), ("longitude", 94, 142)):
            if key in self.mapping:
                raw = self.get(row, key)
                values[key] = None
                if raw:
                    try:
                        values[key] = _decimal(raw, low, high)
                    except (InvalidOperation, ValueError):
                        errors.append(
                            (
                                COLUMN_BY_KEY[key].label,
                                _("“%(value)s” is not a coordinate inside Indonesia (%(low)s to %(high)s).")
                                % {"value": raw, "low": low, "high": high},
                            )
                        )
        return values, errors


def _data_rows(path):
    """(spreadsheet row number, cells) for every non-blank row after the header."""
    rows = iter_file_rows(path)
    number = 0
    for row in rows:
        number += 1
        if is_header(row):
            break
    count = 0
    for row in rows:
        number += 1
        if any(cell.strip() for cell in row):
            count += 1
            if count > settings.MUTU_IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(limit)s data rows: split it into several files.")
                    % {"limit": number_format(settings.MUTU_IMPORT_MAX_ROWS, force_grouping=True)}
                )
            yield number, row


def _batches(path, checker, report, on_error):
    batch = []
    for number, row in _data_rows(path):
        report.total_rows += 1
        values, errors = checker.check(number, row)
        if errors:
            for label, message in errors:
                report.add_error(number, label, message)
                if on_error:
                    on_error(number, label, message)
            continue
        report.valid_rows += 1
        batch.append(values)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(npsns):
    return {
        npsn: (province_id, regency_id, level)
        for npsn, province_id, regency_id, level in School.objects.filter(npsn__in=npsns).values_list(
            "npsn", "province_id", "regency_id", "level"
        )
    }


def _write(batch, mapping, report, now):
    existing = _existing([v["npsn"] for v in batch])
    update_fields = ALWAYS_WRITTEN + [f for key, fields in WRITES.items() if key in mapping for f in fields]
    School.objects.bulk_create(
        [School(**values, updated_at=now) for values in batch],
        update_conflicts=True,
        unique_fields=["npsn"],
        update_fields=update_fields,
    )
    report.updated += len(existing)
    report.created += len(batch) - len(existing)
    report.province_ids.update(v["province_id"] for v in batch)


def _check_existing_in_scope(batch, scope, report, on_error, rows_of):
    """Drop rows that would move a school the user cannot see; returns the rows that stay."""
    if scope.unrestricted:
        return batch
    existing = _existing([v["npsn"] for v in batch])
    kept = []
    for values in batch:
        old = existing.get(values["npsn"])
        if old and not scope.allows(*old):
            number = rows_of[values["npsn"]]
            message = _("NPSN %(npsn)s belongs to a school outside your area.") % {"npsn": values["npsn"]}
            report.add_error(number, "NPSN", message)
            report.valid_rows -= 1
            if on_error:
                on_error(number, "NPSN", message)
        else:
            kept.append(values)
    return kept


def _spooled_batches(spool):
    spool.seek(0)
    batch = []
    for line in spool:
        batch.append(json.loads(line))
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def run_import(
    path, mapping, *, scope=UNRESTRICTED, commit=False, all_or_nothing=False, on_error=None, in_transaction=None
):
    """Check every row of `path`; with `commit`, upsert the good rows (or, all-or-nothing, none if any is
    bad) in one transaction, inside which `in_transaction(report)` runs last (the audit entry)."""
    missing = missing_required(mapping)
    if missing:
        raise ImportFileError(_("These columns are not mapped: %(fields)s.") % {"fields": ", ".join(missing)})
    report = ImportReport()
    checker = RowChecker(mapping, RegionIndex(), scope)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for batch in _batches(path, checker, report, on_error):
            batch = _check_existing_in_scope(batch, scope, report, on_error, checker.seen)
            if commit:
                spool.writelines(json.dumps(values, cls=DjangoJSONEncoder) + "\n" for values in batch)
        if not commit or (all_or_nothing and report.error_count):
            return report
        now = datetime.now(UTC)
        with transaction.atomic():
            for batch in _spooled_batches(spool):
                # Checked again under the write lock: a school may have moved since it was read.
                _write(_check_existing_in_scope(batch, scope, report, on_error, checker.seen), mapping, report, now)
            report.committed = True
            if in_transaction:
                in_transaction(report)
    return report
