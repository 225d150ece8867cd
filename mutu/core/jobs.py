"""Background work (uploaded files, scoring runs, documents) moves through its states one way and
always ends.

Every job's `state` is a django-fsm-2 machine (as the cycle's documents and the programme's
records): `advance` takes one of its transitions and saves what the transition changed, and only
if the row still holds the state it was read in (django-fsm's ConcurrentTransitionMixin). A worker
that finds the job already moved by another, or ended as lost, leaves it alone.

A job records the worker task of its current step. When that task has ended while the job still
says it is busy (the worker was killed, the task raised before reaching the job), or the job has been
busy longer than MUTU_IMPORT_TIMEOUT_MINUTES, the step is lost and the job is ended as failed.

Where several machines share PostgreSQL, a job that can simply be done again (a document) holds a
lease while a worker does it (`lease`): a lock on its row, which PostgreSQL drops with the
connection of a worker that died. `recover` finds running jobs whose lock is free and queues them
again for any worker.
"""

import contextlib
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, can_proceed

LOST = gettext_noop("The work on this file stopped without a result. Upload the file again.")
UNEXPECTED = gettext_noop("The file could not be processed because of an unexpected error; the team has been told.")


def advance(job, move, *args):
    """Take `job`'s transition `move` (with its arguments) and save the fields it changed. False, and
    nothing saved, when the job is not in a state the move starts from, here or in the database."""
    method = getattr(job, move)
    if not can_proceed(method):
        return False
    fields = [field for field in job._meta.concrete_fields if not field.primary_key]
    before = {field.attname: field.value_to_string(job) for field in fields}
    method(*args)
    changed = [field.attname for field in fields if field.value_to_string(job) != before[field.attname]]
    changed += [field.attname for field in fields if getattr(field, "auto_now", False)]
    try:
        with transaction.atomic():
            job.save(update_fields=changed)
    except ConcurrentTransition:
        job.refresh_from_db()
        return False
    return True


def queue(job, task):
    """Enqueue a step (after its state change is committed) and remember its task."""
    result = task.enqueue(job.pk)
    type(job).objects.filter(pk=job.pk).update(task_id=str(result.id))


def _step_lost(job):
    from django_tasks import TaskResultStatus, default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if timezone.now() - job.updated_at > timedelta(minutes=settings.MUTU_IMPORT_TIMEOUT_MINUTES):
        return True
    if not job.task_id or not default_task_backend.supports_get_result:
        return False
    try:
        status = default_task_backend.get_result(job.task_id).status
    except TaskResultDoesNotExist:
        return True
    return status in {TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL}


def settle(job):
    """`job` as it stands, after it was failed if its step was lost."""
    if job.busy and _step_lost(job):
        advance(job, "fail", _(LOST))  # refused when the worker finished meanwhile
    return job


@contextlib.contextmanager
def lease(model, pk):
    """The running job `pk` of `model`, its row locked for as long as the block runs (the work and its
    end commit together); None when it is no longer running (taken up again meanwhile). Only where
    the database can skip locked rows (PostgreSQL): on SQLite, one machine, a write transaction held
    through the work would stop every other writer, so the job is read without a lock."""
    running = model.objects.filter(pk=pk, state="running")
    if not connection.features.has_select_for_update_skip_locked:
        yield running.first()
        return
    with transaction.atomic():
        yield running.select_for_update().first()


LEASE_GRACE = timedelta(minutes=1)  # a job started this long ago holds its lease, unless its worker died
STOPPED = gettext_noop("Its worker stopped while making it; it was queued again.")
STOPPED_AGAIN = gettext_noop("Its worker stopped while making it, twice. Ask for it again.")


def recover(model, task, attempts=2):
    """Running jobs whose lease is free a while after they started: nobody is doing them, since a
    live worker holds the lock (`lease`). Queued again for any worker, or failed after `attempts`
    tries. Returns how many were found (always 0 where there are no leases, on SQLite)."""
    if not connection.features.has_select_for_update_skip_locked:
        return 0
    with transaction.atomic():
        lost = list(
            model.objects.select_for_update(skip_locked=True).filter(
                state="running", updated_at__lt=timezone.now() - LEASE_GRACE
            )
        )
        for job in lost:
            if job.attempts < attempts and advance(job, "retry", _(STOPPED)):
                transaction.on_commit(lambda job=job: queue(job, task))
            else:
                advance(job, "fail", _(STOPPED_AGAIN))
    return len(lost)
