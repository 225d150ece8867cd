"""Dates as Indonesian readers write them: day first, months by name (31 Maret, Januari–Maret)."""

import re

from django.utils.dateparse import parse_datetime
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.formats import date_format

# 31-03, 31/03, 31.03, 31 03, 31 Maret, 31 Mar, 31 march: a day, then a month by number or by name.
DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*[-/. ]\s*([0-9]{1,2}|[^\W\d_]+)\s*$")


def month_number(text):
    """1–12 from a month's number or its name in the active language: whole, or its first letters (Mar, Agus)."""
    if text.isdigit():
        return int(text)
    text = text.lower()
    for number in range(1, 13):
        name = str(MONTHS[number]).lower()
        if len(text) >= 3 and name.startswith(text) or text == str(MONTHS_3[number]).lower():
            return number
    raise ValueError(text)


class NoSuchDate(ValueError):
    """Written day first, but the month has no such day (31-02)."""


def parse_day_month(text):
    """(month, day) of a day-month typed as 31-03 or 31 Maret; ValueError when it is not written so,
    NoSuchDate when it is but the month has no such day."""
    found = DAY_MONTH.match(text or "")
    if not found:
        raise ValueError(text)
    day, month = int(found[1]), month_number(found[2])
    if not 1 <= month <= 12:
        raise ValueError(text)
    if not 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
        raise NoSuchDate(text)
    return month, day


def day_month(month, day):
    return f"{day} {MONTHS[month]}"


def month_list(months):
    """Months by name, runs joined: [1, 2, 3, 7] → "Januari–Maret, Juli"."""
    runs, months = [], sorted(set(months))
    for month in months:
        if runs and month == runs[-1][1] + 1:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return ", ".join(str(MONTHS[first]) if first == last else f"{MONTHS[first]}–{MONTHS[last]}" for first, last in runs)


def short_month(month):
    return str(MONTHS_3[month]).capitalize()


def shown(value):
    """A date as every page writes it: 31 Mar 2026."""
    return date_format(value, "j M Y")


def device_time(value):
    """The time a device sent (ISO 8601 with its zone), or None when it is missing, malformed, names
    no real day or hour, has no zone (which hour would it be?) or lies outside the years a phone's
    clock can show (year 1 or 9999 cannot even be converted to another zone)."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day or hour
        return None
    if not moment or not moment.tzinfo or not 2000 <= moment.year <= 2100:
        return None
    return moment
