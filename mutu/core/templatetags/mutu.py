"""Template filters shared by every app: `{% load mutu %}`."""

from django import template

from mutu.core import dates

register = template.Library()


@register.filter
def month_names(months):
    """{{ activity.months|month_names }}: Januari–Maret, Juli."""
    return dates.month_list(months or [])


@register.filter
def short_month(month):
    """{{ 3|short_month }}: Mar."""
    return dates.short_month(int(month))
