"""A school's Rapor Pendidikan as a table: one row per indicator, beside last year's score."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mutu.core.exporters import ListExporter

from . import selectors
from .models import Capaian


class SchoolExporter(ListExporter):
    def __init__(self, school, year):
        self.school, self.year = school, year
        self.filename = f"rapor-pendidikan-{school.npsn}-{year}"
        self.title = f"Rapor Pendidikan {year} · {school.name} ({school.npsn})"

    def headers(self):
        return [
            "NPSN",
            _("Year"),
            _("Code"),
            _("Indicator"),
            "Capaian",
            pgettext("rapor pendidikan", "Score"),
            _("Last year's score"),
        ]

    def rows(self):
        for line in selectors.school_report(self.school, self.year):
            yield [
                self.school.npsn,
                self.year,
                line.indicator.code,
                line.indicator.name,
                line.achievement.get_capaian_display() if line.achievement.capaian else _("Not available"),
                line.achievement.score,
                line.previous,
            ]


class RegionExporter(ListExporter):
    def __init__(self, region, year, rows):
        self.region, self.year, self._rows = region, year, rows
        self.filename = f"rapor-pendidikan-{region.code}-{year}"
        self.title = f"Rapor Pendidikan {year} · {region.name} ({', '.join(region.levels)})"

    def headers(self):
        return [
            _("Code"),
            _("Indicator"),
            _("Schools"),
            "Baik",
            "Sedang",
            "Kurang",
            _("Not available"),
            _("Mean score"),
            _("Mean last year"),
            _("Baik last year"),
            _("Sedang last year"),
            _("Kurang last year"),
            _("The region's own capaian"),
        ]

    def rows(self):
        for row in self._rows:
            yield [
                row.indicator.code,
                row.indicator.name,
                row.schools,
                row.baik,
                row.sedang,
                row.kurang,
                row.unavailable,
                round(row.mean, 2) if row.mean is not None else None,
                round(row.before.mean, 2) if row.before and row.before.mean is not None else None,
                *(getattr(row.before, capaian) if row.before else None for capaian in Capaian.values),
                Capaian(row.own).label if row.own else "",
            ]


class PracticeExporter(ListExporter):
    filename = "praktik-baik"

    def __init__(self, practices):
        self.practices, self.title = practices, _("Good practices")

    def headers(self):
        return [
            _("Title"),
            _("School"),
            "NPSN",
            _("Jenjang"),
            _("Kab/kota"),
            _("Indicator"),
            _("Score before"),
            _("Score after"),
            _("Cost (Rp)"),
            _("Problem"),
            _("Root cause"),
            _("What was done"),
            _("Result"),
            _("Status"),
            _("Published to"),
            _("Reviewed at"),
            _("Reviewer's note"),
            _("Address"),
        ]

    def rows(self):
        for p in self.practices.iterator():
            yield [
                p.title,
                p.school.name,
                p.school.npsn,
                p.level,
                p.school.regency.name,
                f"{p.indicator.code} {p.indicator.name}",
                p.before,
                p.after,
                p.cost,
                p.problem_text,
                p.root_cause,
                p.action,
                p.result,
                p.get_state_display(),
                p.get_reach_display() if p.state == p.State.PUBLISHED else "",
                date_format(timezone.localtime(p.reviewed_at), "j F Y") if p.reviewed_at else "",
                p.review_note,
                f"{settings.MUTU_SITE_URL.rstrip('/')}{reverse('pbd:practice', args=[p.pk])}",
            ]
