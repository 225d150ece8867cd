"""Benahi as the ministry's worksheets: the Lembar Kerja RKT and the Lembar Kerja Rancangan ARKAS of a
cycle's Rapor Pendidikan problems, written with the official columns (so a school carries them into
ARKAS) and read back into the plan with the same checks as every import: each problem named by its
Excel row, nothing saved when any. Writing, reading back and writing again gives the same workbook.

RKT: one row per chosen indicator and activity (an indicator without an activity yet has one row
with the activity empty). ARKAS: one row per budget line, "Ref RKT" naming the RKT row (its No).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from mutu.core import dates
from mutu.core.services import record_audit
from mutu.schools.importing import ImportFileError, iter_file_rows

from . import reading

RKT_SHEET, ARKAS_SHEET = "Lembar Kerja RKT", "Lembar Kerja Rancangan ARKAS"
RKT_COLUMNS = [
    "No",
    "Identifikasi",
    "Capaian",
    "Akar masalah",
    "Kegiatan benahi",
    "Penjelasan kegiatan",
    "Butuh biaya",
    "Pos kegiatan ARKAS",
    "Penanggung jawab",
]
ARKAS_COLUMNS = [
    "Ref RKT",
    "Kegiatan benahi",
    "Penjelasan",
    "Kode kegiatan",
    "Kegiatan ARKAS",
    "Uraian barang/jasa",
    "Bulan",
    "Jumlah",
    "Satuan",
    "Harga satuan",
    "Total",
]
YES, NO = "Ya", "Tidak"
CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")


def _problems(cycle):
    return list(
        cycle.problems.filter(indicator__isnull=False)
        .select_related("indicator", "root_indicator")
        .prefetch_related("programs__activities__budget_lines")
        .order_by("position", "id")
    )


def rows(cycle):
    """(RKT rows, ARKAS rows) as the worksheets hold them."""
    rkt, arkas = [], []
    for problem in _problems(cycle):
        activities = [a for program in problem.programs.all() for a in program.activities.all()]
        root = f"{problem.root_indicator.code} {problem.root_indicator.name}" if problem.root_indicator else ""
        head = [f"{problem.indicator.code} {problem.indicator.name}", reading.capaian_label(problem.capaian), root]
        for activity in sorted(activities, key=lambda a: (a.year, a.pk)) or [None]:
            number = len(rkt) + 1
            if activity is None:
                rkt.append([number, *head, "", "", "", "", ""])
                continue
            rkt.append(
                [
                    number,
                    *head,
                    activity.name,
                    activity.description,
                    YES if activity.needs_budget else NO,
                    activity.arkas_post,
                    activity.person_in_charge,
                ]
            )
            for line in activity.budget_lines.all():
                arkas.append(
                    [
                        number,
                        activity.name,
                        activity.description,
                        line.code,
                        line.arkas_activity,
                        line.item,
                        dates.month_list([line.month]),
                        line.quantity,
                        line.unit,
                        line.unit_cost,
                        line.total,
                    ]
                )
    return rkt, arkas


def write(cycle, path):
    """The two worksheets, always in Indonesian as the official workbook (month names included)."""
    with translation.override("id"):
        _write(cycle, path)


def _write(cycle, path):
    book = Workbook()
    book.active.title = RKT_SHEET
    for sheet, columns, found in zip(
        (book.active, book.create_sheet(ARKAS_SHEET)), (RKT_COLUMNS, ARKAS_COLUMNS), rows(cycle), strict=True
    ):
        sheet.append(columns)
        for row in found:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    book.save(path)


@dataclass
class Report:
    errors: list = field(default_factory=list)  # [sheet row, field, message]
    activities: int = 0
    lines: int = 0
    saved: bool = False

    def problem(self, row, place, message):
        self.errors.append([row, place, message])


@dataclass
class _Sheet:
    """A report's problems on one sheet: each names the sheet with its column, since both sheets
    number their rows from 1."""

    report: Report
    name: str

    def problem(self, row, place, message):
        self.report.problem(row, f"{self.name}: {place}", message)


def _header(rows_, columns, sheet, report):
    """The index of each official column in the sheet's first row holding them."""
    for index, row in enumerate(rows_[:10]):
        plain = [reading.plain(cell) for cell in row]
        if reading.plain(columns[1]) in plain:
            found = {name: plain.index(reading.plain(name)) for name in columns if reading.plain(name) in plain}
            missing = [name for name in columns if name not in found and name not in {"No", "Total"}]
            if missing:
                report.problem(index + 1, sheet, _("The column %(column)s is missing.") % {"column": missing[0]})
                return None, {}
            return index, found
    report.problem("—", sheet, _("The sheet has no header row with the official columns."))
    return None, {}


def _money(text):
    text = str(text or "").replace("Rp", "").replace(" ", "").strip()
    if not text:
        raise ValueError(text)
    if "," in text:
        text = text.split(",")[0]
    value = Decimal(text.replace(".", "")) if "." in text and len(text.rsplit(".", 1)[1]) == 3 else Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


# The budget line's fields: Jumlah 12 digits with 2 decimals, Harga satuan 15 digits (cycle.BudgetLine).
MAX_QUANTITY, MAX_UNIT_COST = Decimal(10) ** 10, Decimal(10) ** 15


def read(path, cycle, report):
    """The worksheets' rows, checked against the cycle's Rapor Pendidikan problems."""
    try:
        rkt_rows = list(iter_file_rows(path, RKT_SHEET))
        arkas_rows = list(iter_file_rows(path, ARKAS_SHEET))
    except (ImportFileError, KeyError):
        report.problem("—", _("file"), _("The workbook needs the sheets “%(rkt)s” and “%(arkas)s”.") % {
            "rkt": RKT_SHEET, "arkas": ARKAS_SHEET
        })  # fmt: skip
        return [], []
    rkt, arkas = _Sheet(report, RKT_SHEET), _Sheet(report, ARKAS_SHEET)
    problems = {p.indicator.code: p for p in _problems(cycle)}
    start, columns = _header(rkt_rows, RKT_COLUMNS, RKT_SHEET, report)
    plan = []
    for number, row in enumerate(rkt_rows[start + 1 :] if start is not None else [], start=(start or 0) + 2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not any(cell.values()):
            continue
        code = reading.leading_code(cell["Identifikasi"])
        problem = problems.get(code)
        if problem is None:
            rkt.problem(number, "Identifikasi", _("%(value)s is not an indicator chosen in Identifikasi.") % {
                "value": cell["Identifikasi"] or "—"
            })  # fmt: skip
            continue
        root_code = reading.leading_code(cell["Akar masalah"])
        root = next((c for c in problem.indicator.children.all() if c.code == root_code), None)
        if cell["Akar masalah"] and root is None:
            rkt.problem(number, "Akar masalah", _("%(value)s is not a sub-indicator of %(code)s.") % {
                "value": cell["Akar masalah"], "code": code
            })  # fmt: skip
        needs = reading.plain(cell["Butuh biaya"])
        if cell["Kegiatan benahi"] and needs not in {"ya", "tidak"}:
            rkt.problem(number, "Butuh biaya", _("Write Ya or Tidak."))
        plan.append(
            {"row": number, "ref": cell.get("No") or str(number - start - 1), "problem": problem, "root": root,
             "name": cell["Kegiatan benahi"][:200], "description": cell["Penjelasan kegiatan"][:500],
             "needs_budget": needs == "ya", "arkas_post": cell["Pos kegiatan ARKAS"][:200],
             "person_in_charge": cell["Penanggung jawab"][:150]}
        )  # fmt: skip
    by_ref = {entry["ref"]: entry for entry in plan if entry["name"]}
    start, columns = _header(arkas_rows, ARKAS_COLUMNS, ARKAS_SHEET, report)
    lines = []
    for number, row in enumerate(arkas_rows[start + 1 :] if start is not None else [], start=(start or 0) + 2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not any(cell.values()):
            continue
        entry = by_ref.get(cell["Ref RKT"])
        if entry is None:
            arkas.problem(number, "Ref RKT", _("%(value)s is not the No of an RKT row with an activity.") % {
                "value": cell["Ref RKT"] or "—"
            })  # fmt: skip
            continue
        if not entry["needs_budget"]:
            arkas.problem(number, "Ref RKT", _("RKT row %(ref)s says it needs no budget.") % {"ref": cell["Ref RKT"]})
            continue
        line = _line(number, cell, arkas)
        if line:
            lines.append((entry, line))
    return plan, lines


def _line(number, cell, sheet):
    if not CODE.fullmatch(cell["Kode kegiatan"]):
        sheet.problem(number, "Kode kegiatan", _("%(value)s is not a kode kegiatan like 02.04.01.") % {
            "value": cell["Kode kegiatan"] or "—"
        })  # fmt: skip
        return None
    try:
        month = dates.month_number(cell["Bulan"])
    except ValueError:
        month = None
    if month is None or not 1 <= month <= 12:
        sheet.problem(number, "Bulan", _("%(value)s is not a month.") % {"value": cell["Bulan"] or "—"})
        return None
    try:
        quantity = reading.number(cell["Jumlah"])
        unit_cost = _money(cell["Harga satuan"])
    except (ValueError, InvalidOperation):
        sheet.problem(number, "Jumlah", _("Jumlah and Harga satuan must be numbers."))
        return None
    if quantity is None or quantity < 0 or unit_cost < 0:
        sheet.problem(number, "Jumlah", _("Jumlah and Harga satuan must be numbers of 0 or more."))
        return None
    if quantity >= MAX_QUANTITY or unit_cost >= MAX_UNIT_COST or quantity * unit_cost >= MAX_UNIT_COST:
        sheet.problem(number, "Jumlah", _("Jumlah or Harga satuan is too large for a budget line."))
        return None
    if cell.get("Total"):
        try:
            total = _money(cell["Total"])
        except (ValueError, InvalidOperation):
            total = None
        if total is None or total != (quantity * unit_cost).quantize(Decimal(1)):
            sheet.problem(
                number, "Total", _("Total %(total)s is not Jumlah × Harga satuan.") % {"total": cell["Total"]}
            )
            return None
    if not cell["Satuan"] or not cell["Uraian barang/jasa"] or not cell["Kegiatan ARKAS"]:
        sheet.problem(number, "Uraian barang/jasa", _("Kegiatan ARKAS, Uraian barang/jasa and Satuan are needed."))
        return None
    return {
        "code": cell["Kode kegiatan"],
        "arkas_activity": cell["Kegiatan ARKAS"][:200],
        "item": cell["Uraian barang/jasa"][:300],
        "month": month,
        "quantity": quantity.quantize(Decimal("0.01")),
        "unit": cell["Satuan"][:40],
        "unit_cost": unit_cost.quantize(Decimal(1)),
    }


def apply(*, actor, cycle, path):
    """Read a filled worksheet back into the plan: root sub-indicators, activities and their budget
    lines (an activity's lines become exactly the sheet's). Whole or not at all."""
    from mutu.cycle import planning
    from mutu.cycle.models import Activity, BudgetLine, FundSource, Problem, Program

    report = Report()
    if not planning.editable(actor, cycle):
        report.problem("—", _("plan"), _("The plan cannot be changed now."))
        return report
    with translation.override("id"):  # month names as the official workbook writes them
        plan, lines = read(path, cycle, report)
    if report.errors:
        return report
    with transaction.atomic():
        for entry in plan:
            problem = entry["problem"]
            # An empty "Akar masalah" (on a problem's second activity, say) keeps the root chosen.
            if entry["root"] is not None and problem.root_indicator_id != entry["root"].pk:
                Problem.objects.filter(pk=problem.pk).update(root_indicator=entry["root"])
                problem.root_indicator = entry["root"]
            if not entry["name"]:
                continue
            own = [line for e, line in lines if e is entry]
            lines_total = sum((line["quantity"] * line["unit_cost"] for line in own), Decimal(0)).quantize(Decimal(1))
            activity = Activity.objects.filter(
                program__cycle=cycle, program__problems=problem, name=entry["name"]
            ).first()
            if activity is None:
                program = Program.objects.filter(cycle=cycle, problems=problem).first() or Program.objects.create(
                    cycle=cycle,
                    name=f"Benahi {problem.code} {problem.title}"[:200],
                    position=cycle.programs.count() + 1,
                )
                program.problems.add(problem)
                activity = Activity(
                    program=program,
                    year=cycle.year,
                    name=entry["name"],
                    indicator=f"{problem.code} {problem.title}"[:300],
                    target=_("capaian up"),
                    volume=1,
                    unit=_("package"),
                    unit_cost=lines_total,
                    fund_source=FundSource.BOS,
                    months=sorted({line["month"] for line in own}) or [1],
                )  # fmt: skip
            for name in ("description", "needs_budget", "arkas_post", "person_in_charge"):
                setattr(activity, name, entry[name])
            if own and activity.pk and activity.total != lines_total:  # the RKAS reads the lines' sum
                activity.volume, activity.unit, activity.unit_cost = 1, _("package"), lines_total
            activity.save()
            activity.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                [BudgetLine(activity=activity, position=i, **line) for i, line in enumerate(own, start=1)]
            )
            report.activities += 1
            report.lines += len(own)
        record_audit(
            actor=actor,
            action="cycle.plan.worksheet",
            obj=cycle,
            changes={"activities": report.activities, "lines": report.lines},
            province_id=cycle.school.province_id,
        )
    report.saved = True
    return report
