"""Template filters shared by every app: `{% load mutu %}`."""

from django import template

from mutu.core import dates

register = template.Library()


@register.filter
def month_names(months):
    """{{ activity.months|month_names }}: Januari–Maret, Juli."""
    return dates.month_list(months or [])


@register.filter
def month_name(month):
    """{{ line.month|month_name }}: Maret."""
    return dates.month_list([month]) if month else ""


@register.filter
def kept_query(request):
    """The page's query string but its pickers' searches and its page number: what a picker's
    search keeps (the list's filters)."""
    if not hasattr(request, "GET"):  # a page drawn without a request
        return []
    return [
        (name, value)
        for name, values in request.GET.lists()
        if not name.endswith("_q") and name != "page"
        for value in values
    ]


@register.filter
def short_month(month):
    """{{ 3|short_month }}: Mar."""
    return dates.short_month(int(month))
