from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class AuditEntry(models.Model):
    """Who changed what and when. Written by services in the same transaction as the change."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # Where the change happened, so admins see only the entries of their own province.
    province = models.ForeignKey("regions.Province", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class UploadJob(ConcurrentTransitionMixin, models.Model):
    """An uploaded file worked on by the worker in steps (mutu/core/jobs.py keeps every job ending).
    Its `state` is a django-fsm-2 machine like every other; a step is saved only from the state it
    was read in, so two workers never both take one (`jobs.advance`)."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=255)
    task_id = models.CharField(max_length=64, blank=True)  # the worker task of the current step
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name


class Notification(models.Model):
    """An in-app message to one user (also sent by e-mail): something was submitted, returned or
    accepted, or a deadline is near."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text


class DocumentJob(ConcurrentTransitionMixin, models.Model):
    """A document too large to draw inside a web request (the letters of a whole event), drawn by the
    worker (mutu/core/documents.py); its file is downloaded by whoever asked for it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("removed")

    ACTIVE = (State.QUEUED, State.RUNNING)
    EXPORT = "core.export"  # the kind of a large export (a CSV or XLSX list) made by the worker

    kind = models.CharField(max_length=60)  # a builder registered in mutu/core/documents.py
    params = models.JSONField(default=dict)
    key = models.CharField(max_length=200)  # kind and params, so the same request is one job
    title = models.CharField(max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = FSMField(max_length=10, choices=State.choices, default=State.QUEUED, protected=True)
    pages = models.PositiveIntegerField(default=0)  # what it holds (pages, an export's rows), once known
    file = models.FileField(upload_to="documents/%Y/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # workers that took it (one died: two)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "key"],
                condition=models.Q(state__in=["queued", "running"]),
                name="document_job_one_active",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def busy(self):
        return self.state in self.ACTIVE

    @property
    def is_export(self):
        return self.kind == self.EXPORT

    @transition(field=state, source=State.QUEUED, target=State.RUNNING)
    def start(self):
        self.attempts += 1

    @transition(field=state, source=State.RUNNING, target=State.QUEUED)
    def retry(self, reason):
        self.failure = reason[:300]

    @transition(field=state, source=State.RUNNING, target=State.DONE)
    def finish(self, filename, content, pages):
        self.failure = ""
        self.file.save(filename, content, save=False)
        self.filename, self.pages, self.finished_at = filename, pages, timezone.now()

    @transition(field=state, source=ACTIVE, target=State.FAILED)
    def fail(self, reason):
        self.failure, self.finished_at = reason[:300], timezone.now()

    @transition(field=state, source=State.DONE, target=State.EXPIRED)
    def expire(self):
        self.file.delete(save=False)

    @property
    def kept_until(self):
        """When a finished document's file is removed (`documents.prune`)."""
        return self.finished_at + timedelta(days=settings.MUTU_DOCUMENT_DAYS) if self.finished_at else None
