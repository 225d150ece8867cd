"""Instruments are data: a version holds its tree of standards → indicators → sub-indicators,
its questionnaires (respondent type × jenjang) with questions and options, each option's
conversion to a sub-indicator, role weights per sub-indicator, and its level bands.

A version used by a mapping round is frozen; changes then go into a new version. A version belongs
to its scope: national (pusat) or one province (its LPMP). Only its owners change or publish it; a
draft is seen by its owners only, and rounds are opened with published versions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from mutu.core.models import UploadJob
from mutu.schools.models import Level


class RespondentType(models.TextChoices):
    KEPALA_SEKOLAH = "ks", _("principal")
    GURU = "guru", _("teacher")
    SISWA = "siswa", _("student")
    KOMITE = "komite", _("school committee")
    PENGAWAS = "pengawas", _("supervisor")


class InstrumentVersion(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # The shipped default is a sample written for each sub-indicator, not the official bank.
    is_sample = models.BooleanField(_("sample instrument"), default=False)
    frozen = models.BooleanField(_("frozen"), default=False)
    # The owner: a province's LPMP, or pusat when empty.
    province = models.ForeignKey(
        "regions.Province", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("province")
    )
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("instrument version")

    def __str__(self):
        return self.name


class Node(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("standard")
        INDICATOR = "indicator", _("indicator")
        SUBINDICATOR = "sub", _("sub-indicator")

    class Source(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", _("questionnaire")
        EXTERNAL = "external", _("external data")

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("text"))
    description = models.TextField(_("description"), blank=True)
    risk = models.TextField(_("risk if unmet"), blank=True)
    causes = models.TextField(_("usual causes"), blank=True)
    evidence = models.TextField(_("expected evidence"), blank=True)
    target = models.CharField(_("target"), max_length=255, blank=True)
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.QUESTIONNAIRE)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="node_code_unique")]

    def __str__(self):
        return f"{self.code} {self.text}"


class RoleWeight(models.Model):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="role_weights")
    respondent_type = models.CharField(max_length=10, choices=RespondentType.choices)
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "respondent_type"], name="role_weight_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=1), name="role_weight_range"),
        ]

    def __str__(self):
        return f"{self.node.code} {self.respondent_type}={self.weight}"


class Questionnaire(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="questionnaires")
    respondent_type = models.CharField(max_length=10, choices=RespondentType.choices)
    level = models.CharField(max_length=3, choices=Level.choices)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["version", "level", "respondent_type"]
        constraints = [
            models.UniqueConstraint(fields=["version", "respondent_type", "level"], name="questionnaire_unique")
        ]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        NUMBER = "number", _("number")
        TEXT = "text", _("text")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=30)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField()

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")]

    def __str__(self):
        return f"{self.code} {self.text}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=10)
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=500)
    # Each option converts to (at most) one sub-indicator with a weight in [0, 1].
    subindicator = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="options")
    weight = models.FloatField(default=0)
    # A number question's options are value ranges: an answer with min_value ≤ value < max_value
    # converts like choosing the option (max_value empty: no upper end).
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=1), name="option_weight_range"),
        ]

    def __str__(self):
        return f"{self.code}. {self.text}"


class LevelBand(models.Model):
    """An ordered score band: scores up to `upper` (inclusive) get `name`; the last band has no upper."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=60)
    upper = models.FloatField(null=True, blank=True)
    color = models.CharField(max_length=7, default="#888888")

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="band_position_unique")]

    def __str__(self):
        return self.name


class InstrumentUpload(UploadJob):
    """An uploaded instrument file, read, checked and loaded by the worker (never in the web request)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        LOADED = "loaded", _("loaded")
        FAILED = "failed", _("not loaded")

    province = models.ForeignKey("regions.Province", null=True, blank=True, on_delete=models.PROTECT)  # the owner
    file = models.FileField(upload_to="instruments/%Y/%m/")
    state = FSMField(max_length=10, choices=State.choices, default=State.QUEUED, protected=True)
    problems = models.JSONField(default=list)  # [[place, reason]] when not loaded
    warnings = models.JSONField(default=list)  # [[place, reason]] worth a look after loading
    version_code = models.CharField(max_length=40, blank=True)

    @property
    def busy(self):
        return self.state == self.State.QUEUED

    @transition(field=state, source=State.QUEUED, target=State.LOADED)
    def finish(self, version):
        self.version_code = version.code
        self.warnings = [list(warning) for warning in version.warnings]

    @transition(field=state, source=State.QUEUED, target=State.FAILED)
    def fail(self, reason, problems=None):
        self.problems = problems or [["berkas", reason]]
