"""Reading the ministry's Rapor Pendidikan downloads into plain rows, before any check against Mutu.

Three kinds, told apart by their landmarks (the file's name is never trusted):

- a school's **PBD workbook**: a sheet "Laporan Rapor Pendidikan" (beside Rekomendasi, Lembar
  Kerja RKT, …) whose table has the columns Indikator and Capaian, the NPSN and year in the title
  rows (or in the file name RAPOR-PBD-<SCHOOL>-<NPSN>-DATA-<YEAR>.xlsx);
- a **school list**: a header row holding NPSN and one column per indicator (its code leads the
  header: "A.1 Kemampuan literasi"), or a pair of columns under a merged indicator header
  (Capaian, Skor);
- the **regional report**: header rows with merged cells above a row holding "Label Capaian",
  the columns Provinsi, Kabupaten/Kota, Jenis Satuan Pendidikan, Status, then per indicator its
  label and its change; slice sections ("Berdasarkan Kelompok Gender") below the main rows, whose
  rows name their group in the Status column.

Cells are tolerated as the ministry writes them: title rows, merged cells (empty but for the first),
decimal commas, the score inside the capaian sentence ("Kurang (36,67% peserta didik …)"), and
"Tidak Tersedia" (no value, never 0). Every problem names its Excel row.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

from mutu.core.files import FileRefused, open_workbook
from mutu.schools.importing import ImportFileError, iter_file_rows

from .models import Capaian, Change, RaporImport

Kind = RaporImport.Kind
# A leading indicator code: "A.1", "D.10", "A.1.2", "PAUD.D.1"; "Z.9" reads as a code too, to be named
# as unknown rather than skipped.
CODE = re.compile(r"^\s*((?:PAUD\.)?[A-Z]\.\d{1,3}(?:\.\d{1,3})?)(?=$|[\s:–\-)])")
NOT_AVAILABLE = {"tidak tersedia", "tidak ada data", "n/a", "-", "–", "—"}
CAPAIAN = re.compile(r"^\s*(baik|sedang|kurang)\b\s*(?:\((?P<inside>.*)\))?", re.IGNORECASE | re.DOTALL)
NUMBER = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%?")
YEAR = re.compile(r"\b(20[2-9]\d)\b")
NPSN = re.compile(r"NPSN\s*[:=]?\s*(\d{8})\b", re.IGNORECASE)
FILE_NAME = re.compile(r"RAPOR-PBD-.*?(\d{8})-DATA-(20\d\d)", re.IGNORECASE)
SCAN_ROWS = 15  # title and header rows are looked for this far down
CHANGES = {"naik": Change.UP, "turun": Change.DOWN, "tetap": Change.SAME, "tidak berubah": Change.SAME}
SCHOOL_SHEET = "laporan rapor pendidikan"
PBD_SHEETS = ("rekomendasi", "lembar kerja rkt", "lembar kerja rancangan arkas", "panduan pbd")


class ReadError(Exception):
    """The file cannot be read as a Rapor Pendidikan download; the message says why, for people."""


@dataclass(slots=True)
class Value:
    """One indicator of one row, as the file states it."""

    capaian: str = ""
    score: Decimal | None = None
    previous: Decimal | None = None
    change: str = ""
    rank_regency: int | None = None
    rank_national: int | None = None
    description: str = ""
    data_source: str = ""


@dataclass(slots=True)
class Row:
    number: int  # the Excel row
    npsn: str = ""
    region: dict = field(default_factory=dict)  # province, regency, level, status, slice (regional report)
    values: dict = field(default_factory=dict)  # indicator code → Value


@dataclass
class Parsed:
    kind: str
    year: int | None = None
    npsn: str = ""  # a school's workbook: whose it is
    rows: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # indicator code → (header row, header text)
    problems: list = field(default_factory=list)  # [row, field, message]

    def problem(self, row, place, message):
        self.problems.append([row, place, message])


def plain(text):
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def number(text):
    """The number a cell holds (decimal comma or point), None when it holds no number; ValueError for
    text that is neither a number nor "Tidak Tersedia"."""
    text = str(text or "").strip().rstrip("%").strip()
    if not text or plain(text) in NOT_AVAILABLE:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():  # NaN, Infinity: no figure of the ministry's
        raise ValueError(text)
    return value


def capaian(text):
    """(label, number in the sentence or None, the sentence) of "Kurang (36,67% peserta didik …)"."""
    text = re.sub(r"\s+", " ", str(text or "")).strip()
    if not text or plain(text) in NOT_AVAILABLE:
        return "", None, ""
    match = CAPAIAN.match(text)
    if match is None:
        raise ValueError(text)
    inside = match.group("inside") or ""
    found = NUMBER.search(inside)
    value = Decimal(found.group(1).replace(",", ".")) if found else None
    return match.group(1).lower(), value, text[:500]


def change(text):
    key = plain(text)
    if not key or key in NOT_AVAILABLE:
        return ""
    for word, value in CHANGES.items():
        if key.startswith(word):
            return value
    raise ValueError(text)


def rank(text):
    """A quintile bucket 1 (top 20 %) … 5 from "Atas", "Menengah atas", "21–40%", "2"."""
    key = plain(text)
    if not key or key in NOT_AVAILABLE:
        return None
    for words, bucket in (("menengah atas", 2), ("menengah bawah", 4), ("menengah", 3), ("atas", 1), ("bawah", 5)):
        if key.startswith(words):
            return bucket
    found = re.match(r"(\d{1,3})", key)
    if found:
        value = int(found.group(1))
        if 1 <= value <= 5 and not key.rstrip().endswith("%"):
            return value
        if 1 <= value <= 100:
            return (value - 1) // 20 + 1
    raise ValueError(text)


def leading_code(text):
    match = CODE.match(str(text or ""))
    return match.group(1) if match else None


def _rows(path, sheet=None):
    try:
        return list(iter_file_rows(path, sheet))
    except ImportFileError as exc:
        raise ReadError(str(exc)) from exc


def _sheet_names(path):
    if Path(path).suffix.lower() not in {".xlsx", ".xlsm"}:
        return []
    try:
        book = open_workbook(path)
    except FileRefused as exc:
        raise ReadError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 — any unreadable workbook gets the reader's message
        raise ReadError(_("The spreadsheet cannot be read: %(reason)s") % {"reason": type(exc).__name__}) from exc
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read(path, original_name=""):
    """The parsed file, its kind detected from its content; ReadError when it is no known download."""
    names = _sheet_names(path)
    by_plain = {plain(name): name for name in names}
    if SCHOOL_SHEET in by_plain:
        return _school_report(_rows(path, by_plain[SCHOOL_SHEET]), original_name)
    pbd = [name for name in names if plain(name).startswith(PBD_SHEETS)]
    if pbd:
        raise ReadError(
            _('This looks like a PBD workbook (sheet "%(sheet)s") but its sheet "Laporan Rapor Pendidikan" is missing.')
            % {"sheet": pbd[0]}
        )
    rows = _rows(path)
    head = [[plain(cell) for cell in row] for row in rows[:SCAN_ROWS]]
    for index, cells in enumerate(head):
        if "label capaian" in cells:
            return _region_report(rows, index)
    for index, cells in enumerate(head):
        if "npsn" in cells:
            return _school_list(rows, index)
    if any({"provinsi", "kabupaten/kota"} <= set(cells) for cells in head):
        raise ReadError(_('This looks like a regional report but has no row holding "Label Capaian".'))
    raise ReadError(
        _(
            "This is not a Rapor Pendidikan download Mutu knows: it has no sheet “Laporan Rapor Pendidikan”, "
            "no column “NPSN” and no row “Label Capaian” in its first %(rows)s rows."
        )
        % {"rows": SCAN_ROWS}
    )


def _title_year(rows, upto):
    for row in rows[:upto]:
        for cell in row:
            if "tahun" in plain(cell) or "rapor pendidikan" in plain(cell):
                found = YEAR.search(str(cell))
                if found:
                    return int(found.group(1))
    return None


def _filled(row, width):
    """A header row with each merged cell's text carried over the empty cells of its span."""
    out, last = [], ""
    for cell in list(row) + [""] * (width - len(row)):
        last = cell.strip() or last
        out.append(last)
    return out


# The school's report ---------------------------------------------------------------------------

REPORT_COLUMNS = {
    "indicator": lambda h: h.startswith("indikator"),
    "code": lambda h: h in {"kode", "kode indikator"},
    "capaian": lambda h: h.startswith("capaian") or h == "label capaian",
    "description": lambda h: h.startswith("definisi capaian"),
    "change": lambda h: h.startswith("perubahan"),
    "rank_regency": lambda h: h.startswith("peringkat") and ("kab" in h or "kota" in h or "provinsi" in h),
    "rank_national": lambda h: h.startswith("peringkat") and "nasional" in h,
    "data_source": lambda h: h.startswith("sumber"),
}


def _school_report(rows, original_name):
    parsed = Parsed(kind=Kind.SCHOOL_REPORT)
    header_at = next(
        (
            i
            for i, row in enumerate(rows[: SCAN_ROWS * 2])
            if any(plain(c).startswith("indikator") for c in row) and any(plain(c).startswith("capaian") for c in row)
        ),
        None,
    )
    if header_at is None:
        raise ReadError(_('The sheet "Laporan Rapor Pendidikan" has no header row with Indikator and Capaian.'))
    for row in rows[:header_at]:
        for cell in row:
            found = NPSN.search(str(cell))
            if found and not parsed.npsn:
                parsed.npsn = found.group(1)
    parsed.year = _title_year(rows, header_at)
    from_name = FILE_NAME.search(original_name or "")
    if from_name:
        parsed.npsn = parsed.npsn or from_name.group(1)
        parsed.year = parsed.year or int(from_name.group(2))
    header = [plain(c) for c in rows[header_at]]
    columns = {}
    scores = []  # (year or None, column): "Skor 2025", "Skor 2024", "Skor tahun ini", "Skor tahun lalu"
    for index, name in enumerate(header):
        for key, test in REPORT_COLUMNS.items():
            if key not in columns and test(name):
                columns[key] = index
        if name.startswith(("skor", "nilai")):
            year = YEAR.search(name)
            scores.append((int(year.group(1)) if year else (0 if "lalu" in name else 9999), index))
    scores.sort(reverse=True)
    if scores:
        columns["score"] = scores[0][1]
        parsed.year = parsed.year or (scores[0][0] if 2000 < scores[0][0] < 9999 else None)
    if len(scores) > 1:
        columns["previous"] = scores[1][1]
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = list(row) + [""] * (len(header) - len(row))
        code = leading_code(cells[columns["code"]]) if "code" in columns else None
        code = code or leading_code(cells[columns["indicator"]])
        if code is None:
            continue  # a blank row, a dimension's heading or a note under the table
        line = Row(number=offset)
        if code in parsed.columns:
            parsed.problem(offset, code, _("Indicator %(code)s is listed twice.") % {"code": code})
            continue
        parsed.columns[code] = (offset, cells[columns["indicator"]])
        line.values[code] = _report_value(parsed, offset, cells, columns)
        parsed.rows.append(line)
    return parsed


def _report_value(parsed, row, cells, columns):
    value = Value()
    readers = [
        ("capaian", "Capaian", capaian),
        ("score", "Skor", number),
        ("previous", _("Last year's score"), number),
        ("change", "Perubahan", change),
        ("rank_regency", _("Rank in kab/kota"), rank),
        ("rank_national", _("National rank"), rank),
    ]
    for key, label, reader in readers:
        if key not in columns:
            continue
        try:
            result = reader(cells[columns[key]])
        except ValueError as exc:
            parsed.problem(row, label, _("“%(value)s” cannot be read.") % {"value": exc})
            continue
        if key == "capaian":
            value.capaian, in_sentence, value.description = result
            value.score = value.score if value.score is not None else in_sentence
        else:
            setattr(value, key, result)
    for key in ("description", "data_source"):
        if key in columns and cells[columns[key]].strip():
            setattr(value, key, cells[columns[key]].strip()[: 500 if key == "description" else 200])
    return value


# A school list ----------------------------------------------------------------------------------

SUBHEADERS = {"capaian", "label capaian", "skor", "nilai", "perubahan", "skor tahun lalu"}


def _school_list(rows, header_at):
    parsed = Parsed(kind=Kind.SCHOOL_LIST, year=_title_year(rows, header_at))
    width = max(len(row) for row in rows[header_at : header_at + 2])
    top = _filled(rows[header_at], width)
    below = list(rows[header_at + 1]) + [""] * width if header_at + 1 < len(rows) else [""] * width
    paired = any(plain(cell) in SUBHEADERS for cell in below)
    npsn_at = [plain(c) for c in rows[header_at]].index("npsn")
    indicator_columns = []  # (column, code, part)
    for index in range(width):
        raw = rows[header_at][index] if index < len(rows[header_at]) else ""
        code = leading_code(top[index] if paired else raw)
        if code is None:
            continue
        part = plain(below[index]) if paired else ""
        if part and part not in SUBHEADERS:
            continue
        parsed.columns.setdefault(code, (header_at + 1, top[index] if paired else raw))
        indicator_columns.append((index, code, part))
    if not indicator_columns:
        raise ReadError(_("The row holding NPSN has no indicator column (a header starting with a code like A.1)."))
    first = header_at + (2 if paired else 1)
    seen = {}
    for offset, row in enumerate(rows[first:], start=first + 1):
        cells = list(row) + [""] * (width - len(row))
        if not any(cell.strip() for cell in cells):
            continue
        npsn = cells[npsn_at].strip()
        if not re.fullmatch(r"\d{8}", npsn):
            parsed.problem(offset, "NPSN", _("“%(value)s” is not an 8-digit NPSN.") % {"value": npsn or "—"})
            continue
        if npsn in seen:
            message = _("NPSN %(npsn)s is already in row %(row)s.") % {"npsn": npsn, "row": seen[npsn]}
            parsed.problem(offset, "NPSN", message)
            continue
        seen[npsn] = offset
        line = Row(number=offset, npsn=npsn)
        for index, code, part in indicator_columns:
            value = line.values.setdefault(code, Value())
            _list_cell(parsed, offset, code, part, cells[index], value)
        parsed.rows.append(line)
    return parsed


def _list_cell(parsed, row, code, part, text, value):
    """One cell of a school list: a score, a capaian sentence (with the score inside) or a change."""
    try:
        if part == "perubahan":
            value.change = change(text)
        elif part == "skor tahun lalu":
            value.previous = number(text)
        elif part in {"skor", "nilai"}:
            value.score = number(text)
        elif text.strip() and CAPAIAN.match(text):
            value.capaian, in_sentence, value.description = capaian(text)
            value.score = value.score if value.score is not None else in_sentence
        else:
            value.score = number(text)
    except ValueError:
        message = _("“%(value)s” is neither a score, a capaian nor “Tidak Tersedia”.") % {"value": text}
        parsed.problem(row, code, message)


# The regional report ----------------------------------------------------------------------------

DIMENSIONS = {
    "province": lambda h: h == "provinsi",
    "regency": lambda h: h in {"kabupaten/kota", "kab/kota", "kabupaten / kota"},
    "level": lambda h: h.startswith("jenis satuan") or h == "jenjang",
    "status": lambda h: h.startswith("status"),
}
LEVEL_WORDS = {"semua", "semua jenjang", "semua satuan", "total", ""}


def _region_report(rows, label_at):
    parsed = Parsed(kind=Kind.REGION_REPORT, year=_title_year(rows, label_at))
    start = max(0, label_at - 3)
    width = max(len(row) for row in rows[start : label_at + 1])
    headers = [_filled(rows[i], width) for i in range(start, label_at + 1)]
    labels = list(rows[label_at]) + [""] * width
    dims, pairs = {}, {}
    for index in range(width):
        raw = [plain(rows[i][index]) if index < len(rows[i]) else "" for i in range(start, label_at + 1)]
        key = next((key for key, test in DIMENSIONS.items() if key not in dims and any(map(test, raw))), None)
        if key:  # read unfilled: a merged dimension header never spreads to the columns beside it
            dims[key] = index
            continue
        header = next((header[index] for header in headers if leading_code(header[index])), None)
        part = plain(labels[index])
        kind = "change" if part.startswith("perubahan") else "capaian" if "capaian" in part or not part else None
        if header and kind:
            code = leading_code(header)
            pairs.setdefault(code, {})[kind] = index
            parsed.columns.setdefault(code, (label_at + 1, header))
    missing = [name for key, name in (("province", "Provinsi"), ("regency", "Kabupaten/Kota")) if key not in dims]
    if missing:
        raise ReadError(_("The regional report has no column %(column)s.") % {"column": missing[0]})
    if not pairs:
        raise ReadError(_("The regional report has no indicator column (a header starting with a code like A.1)."))
    section = ""
    for offset, row in enumerate(rows[label_at + 1 :], start=label_at + 2):
        cells = list(row) + [""] * (width - len(row))
        filled = [cell.strip() for cell in cells if cell.strip()]
        if not filled:
            continue
        if plain(filled[0]).startswith("berdasarkan") and len(filled) == 1:
            section = filled[0]
            continue
        status = cells[dims["status"]].strip() if "status" in dims else ""
        region = {
            "province": cells[dims["province"]].strip(),
            "regency": cells[dims["regency"]].strip(),
            "level": cells[dims["level"]].strip() if "level" in dims else "",
            "status": "" if section else status,
            "slice": f"{section}: {status}" if section else "",
        }
        line = Row(number=offset, region=region)
        for code, columns in pairs.items():
            value = line.values.setdefault(code, Value())
            for kind, index in columns.items():
                try:
                    if kind == "capaian":
                        value.capaian = capaian(cells[index])[0]
                    else:
                        value.change = change(cells[index])
                except ValueError:
                    parsed.problem(offset, code, _("“%(value)s” cannot be read.") % {"value": cells[index]})
        parsed.rows.append(line)
    return parsed


def level_of(text):
    """The jenjang a regional report's "Jenis Satuan Pendidikan" names ("" for all)."""
    key = plain(text)
    if key in LEVEL_WORDS:
        return ""
    for level in ("PAUD", "SD", "SMP", "SMA", "SMK", "SLB"):
        if re.search(rf"\b{level.lower()}\b", key):
            return level
    return None


def status_of(text):
    key = plain(text)
    if key in {"", "semua", "negeri dan swasta", "total"}:
        return ""
    return key if key in {"negeri", "swasta"} else None


def capaian_label(code):
    return Capaian(code).label if code else _("Not available")
