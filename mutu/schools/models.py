from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from mutu.core.models import UploadJob
from mutu.regions.models import District

npsn_validator = RegexValidator(r"^\d{8}$", _("NPSN must be exactly 8 digits."))


class Level(models.TextChoices):
    """Jenjang pendidikan."""

    SD = "SD", "SD"
    SMP = "SMP", "SMP"
    SMA = "SMA", "SMA"
    SMK = "SMK", "SMK"
    SLB = "SLB", "SLB"


class Status(models.TextChoices):
    NEGERI = "negeri", _("public (negeri)")
    SWASTA = "swasta", _("private (swasta)")


class Accreditation(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    NOT_ACCREDITED = "TT", _("not accredited")


class School(models.Model):
    npsn = models.CharField("NPSN", max_length=8, unique=True, validators=[npsn_validator])
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level (jenjang)"), max_length=3, choices=Level.choices, db_index=True)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district"))
    # Denormalised from district so scoped lists filter without joins; kept in sync by services.
    regency = models.ForeignKey("regions.Regency", on_delete=models.PROTECT, related_name="schools", editable=False)
    province = models.ForeignKey("regions.Province", on_delete=models.PROTECT, related_name="schools", editable=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    accreditation = models.CharField(_("accreditation"), max_length=2, choices=Accreditation.choices, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-11), MaxValueValidator(6)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(94), MaxValueValidator(142)],
    )
    principal_name = models.CharField(_("principal"), max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "npsn"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [models.Index(fields=["province", "level"]), models.Index(fields=["regency", "level"])]

    def __str__(self):
        return f"{self.name} ({self.npsn})"

    def save(self, *args, **kwargs):
        self.regency_id = self.district.regency_id
        self.province_id = self.district.regency.province_id
        super().save(*args, **kwargs)


class SchoolImport(UploadJob):
    """One uploaded Dapodik file going through mapping → validation → commit."""

    class State(models.TextChoices):
        READING = "reading", _("reading")
        UPLOADED = "uploaded", _("uploaded")
        VALIDATING = "validating", _("validating")
        VALIDATED = "validated", _("checked")
        COMMITTING = "committing", _("saving")
        COMMITTED = "committed", _("saved")
        FAILED = "failed", _("failed")

    file = models.FileField(upload_to="imports/%Y/%m/")
    headers = models.JSONField(default=list)
    encoding = models.CharField(max_length=20, blank=True)  # how a CSV file was read, e.g. Windows-1252
    mapping = models.JSONField(default=dict)
    all_or_nothing = models.BooleanField(default=False)
    state = FSMField(max_length=12, choices=State.choices, default=State.UPLOADED, protected=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # The first MAX_STORED_ERRORS problems as [row, field, message]; error_count has them all.
    errors = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    @property
    def busy(self):
        return self.state in {self.State.READING, self.State.VALIDATING, self.State.COMMITTING}

    @property
    def can_commit(self):
        return (
            self.state == self.State.VALIDATED
            and self.valid_rows > 0
            and not (self.all_or_nothing and self.error_count)
        )

    def _take(self, report):
        self.total_rows, self.valid_rows = report.total_rows, report.valid_rows
        self.error_count, self.errors = report.error_count, report.errors
        self.created_count, self.updated_count = report.created, report.updated

    @transition(field=state, source=State.READING, target=State.UPLOADED)
    def read(self, headers, encoding, mapping):
        self.headers, self.encoding, self.mapping = headers, encoding, mapping

    @transition(field=state, source=[State.UPLOADED, State.VALIDATED], target=State.VALIDATING)
    def validate(self, mapping, all_or_nothing):
        self.mapping, self.all_or_nothing = mapping, all_or_nothing
        self.task_id = ""  # the previous step's task has ended; the next one is recorded when queued

    # A commit that saved nothing (all or nothing, with bad rows) returns to checked.
    @transition(field=state, source=[State.VALIDATING, State.COMMITTING], target=State.VALIDATED)
    def checked(self, report):
        self._take(report)

    @transition(field=state, source=State.VALIDATED, target=State.COMMITTING, conditions=[lambda job: job.can_commit])
    def commit(self):
        self.task_id = ""

    @transition(field=state, source=State.COMMITTING, target=State.COMMITTED)
    def committed(self, report):
        self._take(report)

    @transition(field=state, source=[State.READING, State.VALIDATING, State.COMMITTING], target=State.FAILED)
    def fail(self, reason):
        self.failure = reason
