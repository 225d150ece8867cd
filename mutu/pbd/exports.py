"""A school's Rapor Pendidikan as a table: one row per indicator, beside last year's score."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mutu.core.exporters import ListExporter

from . import selectors


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
