"""Pemetaan mutu: rounds, respondents with their packed answers, and stored scores."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mutu.core.codes import CODE_LENGTH, new_code  # noqa: F401  (migrations name new_code here)
from mutu.instruments.models import InstrumentVersion, Node, RespondentType


class Round(models.Model):
    name = models.CharField(_("name"), max_length=150)
    year = models.PositiveIntegerField(_("year"))
    province = models.ForeignKey(
        "regions.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("province"),
        help_text=_("Empty for a national round."),
    )
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="rounds")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    # {"SD": {"ks": 1, "guru": 15, "siswa": 30, "komite": 3}, ...}
    quotas = models.JSONField(_("respondent quotas"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name

    def quota(self, level, respondent_type):
        return int(self.quotas.get(level, {}).get(respondent_type, 0))

    def quota_total(self, level):
        """Responses a school of this jenjang owes, all respondent types together."""
        return sum(int(n) for n in self.quotas.get(level, {}).values())


class Respondent(models.Model):
    """One respondent slot with its personal code; its answers live in this row, packed."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="respondents")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="respondents")
    respondent_type = models.CharField(max_length=10, choices=RespondentType.choices)
    number = models.PositiveIntegerField()
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code)
    # While answering: {question_id: option_id | [option_ids] | value}; autosaved one answer at a time.
    draft = models.JSONField(default=dict, blank=True)
    # Per answered question: [when it was given, ms since the epoch (a device's own time for an answer
    # queued offline), the device's idempotency key ("" online)]: the later answer wins per question.
    draft_times = models.JSONField(default=dict, blank=True)
    # On submit: the chosen option ids as little-endian int32, what the scoring engine reads.
    packed = models.BinaryField(default=b"", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "school", "respondent_type", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "school", "respondent_type", "number"], name="respondent_slot_unique"
            )
        ]
        indexes = [models.Index(fields=["round", "submitted_at"])]

    def __str__(self):
        return f"{self.get_respondent_type_display()} {self.number}"


class SchoolProgress(models.Model):
    """A school's live counters in a round, kept by the respondent services in the same transaction
    as the slot or answer they count; the deadline view reads these instead of the respondent rows."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="progress")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="round_progress")
    slots = models.JSONField(default=dict)  # {respondent_type: slots created}
    sent = models.JSONField(default=dict)  # {respondent_type: submitted}
    quota = models.PositiveIntegerField(default=0)  # Σ quota over the types of the school's jenjang
    sent_in_quota = models.PositiveIntegerField(default=0)  # Σ min(sent, quota): extra responses do not count
    share = models.FloatField(default=0)  # sent_in_quota / quota, what lagging schools are ordered by
    complete = models.BooleanField(default=False)  # every type's quota met
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="school_progress_unique")]

    def __str__(self):
        return f"{self.school_id}: {self.sent_in_quota}/{self.quota}"


class RegionProgress(models.Model):
    """A round's schools and those that met every quota, per kab/kota and jenjang: what the deadline
    view of a whole region reads (one row per group) instead of counting its schools. Refreshed by a
    task (`services.refresh_region_progress`) when a school meets or loses its quota, when the round
    starts and after a school import; a little behind the school rows, never wrong for long."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="region_progress")
    province = models.ForeignKey("regions.Province", on_delete=models.CASCADE, related_name="+")
    regency = models.ForeignKey("regions.Regency", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=3)
    schools = models.PositiveIntegerField(default=0)
    complete = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "regency", "level"], name="region_progress_unique")]

    def __str__(self):
        return f"{self.round_id} {self.regency_id} {self.level}: {self.complete}/{self.schools}"


class ExternalValue(models.Model):
    """A sub-indicator score (0–7) from outside data such as Dapodik or UKG; absent means missing."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="external_values")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "school", "node"], name="external_value_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0, value__lte=7), name="external_value_range"),
        ]

    def __str__(self):
        return f"{self.node.code}={self.value}"


class SchoolScore(models.Model):
    """A school's rapor for a round and engine version: every node's score packed in node order."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="school_scores")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="scores")
    engine = models.CharField(max_length=30)
    # float64 per node of the instrument, in Node.position order; NaN = missing.
    values = models.BinaryField()
    total = models.FloatField(null=True)  # full precision, for analysts and regional means
    total_published = models.FloatField(null=True)  # rounded half up to 2 decimals, as the rapor shows it
    level = models.PositiveSmallIntegerField(null=True)  # band of total_published (index into the bands)
    # The engine's own values and total where a pengawas corrected a sub-indicator (verval): `values`
    # and `total` then hold the corrected ones, which the rapor publishes and regions average.
    original_values = models.BinaryField(null=True)
    original_total = models.FloatField(null=True)
    respondents = models.JSONField(default=dict)  # {respondent_type: submitted count}
    # Data-quality notes found while scoring: [{"kind": "quota"|"straight"|"disagree"|"external", ...}]
    flags = models.JSONField(default=list)
    flag_count = models.PositiveSmallIntegerField(default=0)  # len(flags), so lists sort by it in SQL
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "school", "engine"], name="school_score_unique")]
        indexes = [models.Index(fields=["round", "engine", "total"])]
        ordering = ["round", "school"]

    def __str__(self):
        return f"{self.school_id}: {self.total}"


class RegionScore(models.Model):
    """Mean over the region's schools that have a rapor; schools without one are counted, not averaged."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        REGENCY = "regency", _("regency/city")
        PROVINCE = "province", _("province")
        NATION = "nation", _("national")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="region_scores")
    engine = models.CharField(max_length=30)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=8)  # Kemendagri code; "" for the nation
    values = models.BinaryField()
    total = models.FloatField(null=True)
    schools = models.PositiveIntegerField(default=0)
    with_rapor = models.PositiveIntegerField(default=0)
    level_counts = models.JSONField(default=list)  # schools per level band, in band order
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "engine", "kind", "code"], name="region_score_unique")]

    def __str__(self):
        return f"{self.kind} {self.code}: {self.total}"

    @property
    def not_sent(self):
        return self.schools - self.with_rapor


class Verification(models.Model):
    """A pengawas's verval of one sub-indicator: agree, or a corrected score with a note.

    The engine's score stays in SchoolScore; the correction sits beside it.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="verifications")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed = models.BooleanField()
    original = models.FloatField(null=True)
    corrected = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "school", "node"], name="verification_unique"),
            models.CheckConstraint(
                condition=models.Q(agreed=True, corrected__isnull=True)
                | models.Q(agreed=False, corrected__gte=0, corrected__lte=7),
                name="verification_agree_or_correct",
            ),
        ]

    def __str__(self):
        return f"{self.node_id}: {'setuju' if self.agreed else self.corrected}"


class Milestone(models.Model):
    """The status timeline of a school in a round; each step is reached once."""

    class Step(models.TextChoices):
        RESPONSES_COMPLETE = "complete", _("responses complete")
        SCORED = "scored", _("scored")
        VERIFIED = "verified", _("verified")
        PUBLISHED = "published", _("published")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="milestones")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=10, choices=Step.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["round", "school", "step"], name="milestone_unique")]

    def __str__(self):
        return f"{self.school_id} {self.step}"


class ScoringRun(ConcurrentTransitionMixin, models.Model):
    """One request to compute a round's rapor, as the round page shows it: queued → running (its
    provinces, one task each, on any worker) → summing (the national means, one final task) → done,
    or failed (a django-fsm-2 machine moved by `core.jobs.advance`). At most one is active per round,
    in the database, so a double click or a second machine queues nothing more."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUMMING = "summing", _("summing up")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    ACTIVE = (State.QUEUED, State.RUNNING, State.SUMMING)

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scoring_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = FSMField(max_length=10, choices=State.choices, default=State.QUEUED, protected=True)
    rapor = models.PositiveIntegerField(null=True)  # school rapor computed, once done
    failure = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(state__in=["queued", "running", "summing"]),
                name="scoring_run_one_active",
            )
        ]

    def __str__(self):
        return f"{self.round_id} {self.state}"

    @property
    def busy(self):
        return self.state in self.ACTIVE

    @transition(field=state, source=State.QUEUED, target=State.RUNNING)
    def start(self):
        pass

    @transition(field=state, source=State.RUNNING, target=State.SUMMING)
    def sum_up(self):
        pass

    @transition(field=state, source=State.SUMMING, target=State.DONE)
    def finish(self, rapor):
        self.rapor, self.finished_at = rapor, timezone.now()

    @transition(field=state, source=ACTIVE, target=State.FAILED)
    def fail(self, reason):
        self.failure, self.finished_at = reason[:500], timezone.now()


class ScoringPart(ConcurrentTransitionMixin, models.Model):
    """One province of a scoring run: a task of its own that any worker takes; a failure is tried
    again alone (up to PART_ATTEMPTS) before the run fails with the province's name. Keeps its share
    of the national sums for the run's final task."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="parts")
    province = models.ForeignKey("regions.Province", on_delete=models.CASCADE, related_name="+")
    state = FSMField(max_length=10, choices=State.choices, default=State.QUEUED, protected=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    rapor = models.PositiveIntegerField(null=True)
    nation = models.JSONField(null=True)  # its share of the national sums (scoring.Accumulator's part)
    failure = models.CharField(max_length=500, blank=True)
    worker = models.CharField(max_length=64, blank=True)  # the task that took it last
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["run", "province__code"]
        constraints = [models.UniqueConstraint(fields=["run", "province"], name="scoring_part_unique")]

    def __str__(self):
        return f"{self.run_id} {self.province_id} {self.state}"

    @transition(field=state, source=State.QUEUED, target=State.RUNNING)
    def start(self, task_id):
        self.attempts, self.started_at, self.worker = self.attempts + 1, timezone.now(), task_id[:64]

    @transition(field=state, source=State.RUNNING, target=State.DONE)
    def finish(self, rapor, nation):
        self.rapor, self.nation, self.finished_at, self.failure = rapor, nation, timezone.now(), ""

    @transition(field=state, source=State.RUNNING, target=State.QUEUED)
    def retry(self, reason):
        self.failure = reason[:500]

    @transition(field=state, source=[State.QUEUED, State.RUNNING], target=State.FAILED)
    def fail(self, reason):
        self.failure, self.finished_at = reason[:500], timezone.now()


class RaporVersion(models.Model):
    """A rapor as the pengawas published it: never changed afterwards. Publishing a newer provisional
    version adds the next number; the school's SchoolScore always holds the latest version's figures."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="rapor_versions")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    values = models.BinaryField()
    total = models.FloatField(null=True)
    total_published = models.FloatField(null=True)
    level = models.PositiveSmallIntegerField(null=True)
    original_total = models.FloatField(null=True)
    respondents = models.JSONField(default=dict)
    # The verval as published: {node id: [agreed, corrected, note]}; later re-verification leaves it.
    verifications = models.JSONField(default=dict)
    reason = models.TextField(blank=True)  # why this version replaced the one before (empty for the first)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["round", "school", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "school", "number"], name="rapor_version_unique")]

    def __str__(self):
        return f"{self.school_id} v{self.number}: {self.total_published}"


class PendingScore(models.Model):
    """A re-score of a published rapor that differs from it (late answers, a correction in a reopened
    verval), or a reopening by the pengawas or LPMP: provisional, shown beside the published rapor,
    which stays in force until the pengawas publishes this one as the next version or sets it aside
    (the late answers then wait for the next round)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pending_scores")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    engine = models.CharField(max_length=30)
    values = models.BinaryField()
    total = models.FloatField(null=True)
    total_published = models.FloatField(null=True)
    level = models.PositiveSmallIntegerField(null=True)
    original_values = models.BinaryField(null=True)
    original_total = models.FloatField(null=True)
    respondents = models.JSONField(default=dict)
    flags = models.JSONField(default=list)
    flag_count = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reopen_reason = models.TextField(blank=True)
    set_aside_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_aside_reason = models.TextField(blank=True)
    set_aside_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "school", "engine"], name="pending_score_unique")]

    def __str__(self):
        return f"{self.school_id} pending: {self.total_published}"

    @property
    def open(self):
        return self.set_aside_at is None
