"""Background steps of uploaded files (school imports, instrument uploads) always end.

A job records the worker task of its current step. When that task has ended while the job still
says it is busy (the worker was killed, the task raised before reaching the job), or the job has been
busy longer than MUTU_IMPORT_TIMEOUT_MINUTES, the step is lost and the job is ended as failed.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

LOST = gettext_noop("The work on this file stopped without a result. Upload the file again.")


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


def settle(job, fail):
    """`job` as it stands, after `fail(job, reason)` ended it if its step was lost."""
    if not job.busy or not _step_lost(job):
        return job
    with transaction.atomic():
        job = type(job).objects.select_for_update().get(pk=job.pk)
        if job.busy:  # the worker may have finished meanwhile
            fail(job, _(LOST))
    return job
