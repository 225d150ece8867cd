"""What every programme page shares: the records it opens, scoped by the user (selectors), and small
readers of the query string. Views parse, authorise, call one service and render; refused writes say
why and save nothing (core.saving)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import selectors, services

Error = services.ProgrammeError


def _labelled(changes, states):
    """Status changes with their states' names, as people read them."""
    names = dict(states.choices)
    changes = list(changes)
    for change in changes:
        change.source_label, change.target_label = names.get(change.source, ""), names.get(change.target, "")
    return changes


def _number(value):
    """A positive id or number from the query string, or None (never an error for a bad one)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _without(data, *names):
    return {key: value for key, value in data.items() if key not in names}


def _cohort(request, pk):
    return get_object_or_404(selectors.cohorts_for(request.user), pk=pk)


def _managed_cohort(request, pk):
    cohort = _cohort(request, pk)
    if not selectors.manages(request.user, cohort):
        raise Http404
    return cohort


def _event(request, pk):
    return get_object_or_404(selectors.events_for(request.user).select_related("cohort__province"), pk=pk)


def _run_event(request, pk):
    event = _event(request, pk)
    if not selectors.runs(request.user, event):
        raise Http404
    return event


def _model_school(request, cohort, pk):
    return get_object_or_404(selectors.model_schools_for(request.user, cohort), pk=pk)
