"""Budgets per real client address (django-ratelimit, keyed on `core.network.client_ip`): wrong
respondent codes and failed log-ins."""

import math

from django_ratelimit.core import get_usage


def address_usage(request, group, attempts, window_seconds, increment=False):
    """This address's count in the current fixed window of `attempts` per `window_seconds`."""
    return get_usage(request, group=group, key="ip", rate=f"{attempts}/{window_seconds}s", increment=increment)


def locked_minutes(usage):
    """Minutes until the window ends once the budget is spent (as the refusal says), else None."""
    if usage["count"] < usage["limit"]:
        return None
    return max(1, math.ceil(usage["time_left"] / 60))
