"""The cycle's documents as tables: the analysis, the RKS (four years), the RKT (one year) and the
monev report. One shape for all of them, a `Report` of titled tables, so that the page, the PDF (with
its signature block) and the XLSX (a sheet per table) are drawn by one template and one exporter.
The RKAS, grouped by standard with its totals, keeps its own page (`planning.rkas`).

Each builder reads a fixed number of queries whatever the plan's size."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.core import dates
from mutu.core.exporters import ListExporter

from .implementation import realisation
from .models import Activity, Dimension, Evaluation, VisitSchool
from .planning import plan_years

KINDS = {
    "analysis": gettext_lazy("Analysis of the rapor mutu"),
    "rks": gettext_lazy("School work plan (RKS)"),
    "rkt": gettext_lazy("Annual work plan (RKT)"),
    "monev": gettext_lazy("Monitoring and evaluation report"),
}


@dataclass
class Table:
    title: str
    headers: list
    rows: list = field(default_factory=list)
    total: list | None = None  # a closing row of totals, aligned with `headers`
    numeric: set = field(default_factory=set)  # column positions shown right-aligned


@dataclass
class Report:
    kind: str
    title: str
    tables: list
    years: list = field(default_factory=list)  # the years a reader may choose (RKT)
    year: int | None = None


def _codes(activity):
    return ", ".join(sorted(node.code for node in activity.nodes.all())) or "–"


def _money(value):
    return int(value) if value is not None else None


def _volume(value):
    """2 or 2.5, never 2.0: volumes are mostly whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def _percent(share):
    return None if share is None else round(share * 100)


def analysis_report(cycle):
    problems = list(cycle.problems.select_related("node", "indicator"))
    table = Table(
        _("Problems chosen from the rapor"),
        [
            _("Code"),
            _("Sub-indicator"),
            _("Score"),
            _("Strengths"),
            _("Weaknesses"),
            _("Problem"),
            _("Root cause"),
            _("Recommendation"),
        ],
        numeric={2},
    )
    for p in problems:
        table.rows.append(
            [
                p.code,
                p.title,
                None if p.score is None else round(p.score, 2),
                p.strengths,
                p.weaknesses,
                p.problem,
                p.root_cause,
                p.recommendation,
            ]
        )
    return Report("analysis", str(KINDS["analysis"]), [table])


def _activities(cycle, **filters):
    return (
        Activity.objects.filter(program__cycle=cycle, **filters)
        .select_related("program")
        .prefetch_related("nodes")
        .order_by("program__position", "program_id", "year", "id")
    )


def rks_report(cycle):
    """Programs and activities over the plan's four years, with each year's budget."""
    years = plan_years(cycle)
    table = Table(
        _("Programs and activities %(first)s–%(last)s") % {"first": years[0], "last": years[-1]},
        [_("Program"), _("Activity"), _("Performance indicator"), _("Target"), _("Sub-indicators")]
        + [str(y) for y in years],
        numeric=set(range(5, 5 + len(years))),
    )
    sums = dict.fromkeys(years, Decimal(0))
    for a in _activities(cycle):
        budget = [_money(a.total) if a.year == y else None for y in years]
        sums[a.year] = sums.get(a.year, Decimal(0)) + a.total
        table.rows.append([a.program.name, a.name, a.indicator, a.target, _codes(a)] + budget)
    table.total = [_("Total"), "", "", "", ""] + [_money(sums[y]) for y in years]
    return Report("rks", str(KINDS["rks"]), [table], years=years)


def rkt_report(cycle, year):
    """One year of the plan: what is done when, by whom, at what cost."""
    table = Table(
        _("Activities of %(year)s") % {"year": year},
        [
            _("Program"),
            _("Activity"),
            _("Performance indicator"),
            _("Target"),
            _("Volume"),
            _("Unit"),
            _("Total (Rp)"),
            _("Fund source"),
            _("Months"),
            _("Person in charge"),
            _("Sub-indicators"),
        ],
        numeric={4, 6},
    )
    total = Decimal(0)
    for a in _activities(cycle, year=year):
        total += a.total
        table.rows.append(
            [
                a.program.name,
                a.name,
                a.indicator,
                a.target,
                _volume(a.volume),
                a.unit,
                _money(a.total),
                a.get_fund_source_display(),
                dates.month_list(a.months),
                a.person_in_charge,
                _codes(a),
            ]
        )
    table.total = [_("Total"), "", "", "", None, "", _money(total), "", "", "", ""]
    return Report("rkt", str(KINDS["rkt"]), [table], years=plan_years(cycle), year=year)


def monev_report(cycle):
    """Per program its progress and its evaluation on each dimension, then the pengawas's visits."""
    programs = list(
        cycle.programs.prefetch_related(
            Prefetch("activities", queryset=Activity.objects.filter(year=cycle.year)), "evaluations"
        )
    )
    done_table = Table(
        _("Implementation in %(year)s") % {"year": cycle.year},
        [
            _("Program"),
            _("Activities"),
            _("Done"),
            _("Cancelled"),
            _("Activities done (%)"),
            _("Budget (Rp)"),
            _("Realised (Rp)"),
            _("Budget realised (%)"),
        ],
        numeric={1, 2, 3, 4, 5, 6, 7},
    )
    evaluation_table = Table(
        _("Evaluation per program"),
        [_("Program"), _("Dimension"), _("Target"), _("Achieved"), _("Target met"), _("Note")],
    )
    labels = dict(Dimension.choices)
    for program in programs:
        made = realisation(program.activities.all(), cycle.year)
        done_table.rows.append(
            [
                program.name,
                made.activities,
                made.done_count,
                made.cancelled,
                _percent(made.done),
                _money(made.planned),
                _money(made.spent),
                _percent(made.realised),
            ]
        )
        evaluations = {e.dimension: e for e in program.evaluations.all()}
        for dimension in Dimension.values:
            e = evaluations.get(dimension) or Evaluation(dimension=dimension)
            met = (_("yes") if e.met else _("no")) if e.pk else _("not evaluated")
            evaluation_table.rows.append([program.name, labels[dimension], e.target, e.achieved, met, e.note])
    visit_table = Table(
        _("Monitoring visits"),
        [_("Visit date"), _("Pengawas"), _("Findings"), _("Recommendations"), _("Follow-up due"), _("Follow-up")],
    )
    reports = VisitSchool.objects.filter(school=cycle.school, visit__visited_on__year=cycle.year)
    for report in reports.select_related("visit__pengawas").order_by("visit__visited_on", "pk"):
        visit_table.rows.append(
            [
                dates.shown(report.visit.visited_on),
                str(report.visit.pengawas),
                report.findings,  # this school's own findings, also after a joint visit
                report.recommendations,
                dates.shown(report.follow_up_due) if report.follow_up_due else "–",
                report.get_follow_up_display() + (f": {report.follow_up_note}" if report.follow_up_note else ""),
            ]
        )
    return Report("monev", str(KINDS["monev"]), [done_table, evaluation_table, visit_table])


def build(kind, cycle, year=None):
    if kind == "analysis":
        return analysis_report(cycle)
    if kind == "rks":
        return rks_report(cycle)
    if kind == "rkt":
        return rkt_report(cycle, year if year in plan_years(cycle) else cycle.year)
    if kind == "monev":
        return monev_report(cycle)
    raise KeyError(kind)


class ReportExporter(ListExporter):
    """A report as a workbook: one sheet per table, its total as the last row."""

    def __init__(self, report, filename, heading):
        self.report, self.filename, self.title, self.heading = report, filename, report.title, heading

    def sheets(self):
        for table in self.report.tables:
            rows = table.rows + ([table.total] if table.total else [])
            yield table.title, f"{self.heading}: {table.title}", table.headers, rows
