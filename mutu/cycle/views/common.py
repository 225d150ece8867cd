"""What every cycle page shares: the year asked for, and the school and cycle it opens, scoped by the user.
Views parse, authorise, call one service and render; refused writes say why and save nothing (core.saving)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for

from .. import selectors
from ..models import (
    SchoolCycle,
)

YEARS = range(2020, 2101)


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in YEARS else timezone.localdate().year


def _configurable(user):
    """The provinces whose cycle settings the user may change."""
    return area_for(user, Perm.CYCLE_CONFIGURE).whole_provinces()


def _school(request, npsn):
    school = selectors.cycle_school(request.user, npsn)
    if school is None:
        raise Http404
    return school


def _school_url(npsn, year):
    return reverse("cycle:school", args=[npsn, year])


def _cycle(request, npsn, year):
    return get_object_or_404(SchoolCycle, school=_school(request, npsn), year=year)
