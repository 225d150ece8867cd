"""Dates typed and shown day first, months by name (issue 22: no month-first numbers)."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from mutu.core import dates


@pytest.mark.parametrize(
    "typed,expected",
    [("31-03", (3, 31)), ("31/3", (3, 31)), ("31 Maret", (3, 31)), ("31 mar", (3, 31)), ("29-02", (2, 29)),
     ("1 Agus", (8, 1)), ("30 Juni", (6, 30)), (" 5 . 7 ", (7, 5))],
)  # fmt: skip
def test_a_day_month_is_read_as_people_write_it(typed, expected):
    with translation.override("id"):
        assert dates.parse_day_month(typed) == expected


@pytest.mark.parametrize("typed", ["03-31", "31-02", "31 Juni", "31 Maretan", "31", "", "31-03-2026", "ju 5"])
def test_what_is_no_day_month_is_refused(typed):
    with translation.override("id"):
        with pytest.raises(ValueError):
            dates.parse_day_month(typed)


def test_months_are_named_and_runs_joined():
    with translation.override("id"):
        assert dates.month_list([7, 1, 2, 3]) == "Januari–Maret, Juli"
        assert dates.month_list([12]) == "Desember"
        assert dates.shown(date(2026, 3, 31)) == "31 Mar 2026"
        html = Template("{% load mutu %}{{ months|month_names }} {{ 8|short_month }}").render(
            Context({"months": [4, 5]})
        )
        assert html == "April–Mei Agu"
    with translation.override("en"):
        assert dates.month_list([1, 2]) == "January–February"
