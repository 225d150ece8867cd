"""The SPMI cycle of one school in one year: five steps, each with a document that moves
draft → diajukan → diproses → diterima, or back to perlu revisi, by the roles allowed for each move.

The states and moves are a django-fsm-2 state machine (`CycleDocument`); every move is recorded in
`Transition` (who, when, from, to, comment) by `services.move`, in the same transaction.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Step(models.TextChoices):
    MAPPING = "pemetaan", _("quality mapping")
    PLANNING = "perencanaan", _("planning")
    IMPLEMENTATION = "pelaksanaan", _("implementation")
    MONEV = "monev", _("monitoring and evaluation")
    STANDARDS = "standar", _("new standards")


STEPS = list(Step)


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "diajukan", _("submitted")
    IN_REVIEW = "diproses", _("in review")
    ACCEPTED = "diterima", _("accepted")
    REVISION = "perlu_revisi", _("needs revision")


class CycleSetting(models.Model):
    """A province's cycle: the step its schools start at, and each step's due date (month and day)."""

    province = models.OneToOneField("regions.Province", on_delete=models.CASCADE, related_name="cycle_setting")
    entry_step = models.CharField(_("entry step"), max_length=12, choices=Step.choices, default=Step.MAPPING)
    # {step: "MM-DD"}; a step without a date has no deadline.
    due_dates = models.JSONField(default=dict, blank=True)
    # A sub-indicator is proposed as a problem when its score lies below this level band (its
    # position in the instrument's bands); empty: below the top band.
    problem_band = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self):
        return str(self.province)


class SchoolCycle(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="cycles")
    year = models.PositiveSmallIntegerField(_("year"))
    entry_step = models.CharField(max_length=12, choices=Step.choices, default=Step.MAPPING)
    # The school's own program that sets it apart (program kekhasan), decided with its new standards.
    distinctive_program = models.TextField(_("distinctive program (kekhasan)"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="one_cycle_per_school_year")]
        ordering = ["-year"]

    def __str__(self):
        return f"{self.school} {self.year}"

    @property
    def steps(self):
        """The steps this cycle goes through, from its entry step on."""
        return STEPS[STEPS.index(self.entry_step) :]


class CycleDocument(models.Model):
    cycle = models.ForeignKey(SchoolCycle, on_delete=models.CASCADE, related_name="documents")
    step = models.CharField(max_length=12, choices=Step.choices)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)  # the last deadline reminder, at most one a day
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "step"], name="one_document_per_step")]

    def __str__(self):
        return f"{self.cycle} — {self.get_step_display()}"

    # The moves. Who may make each one is checked by services.move (scope and role); the machine
    # decides only which state each leaves from.
    @transition(field=state, source=[State.DRAFT, State.REVISION], target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.IN_REVIEW)
    def take(self):
        pass

    @transition(field=state, source=[State.SUBMITTED, State.IN_REVIEW], target=State.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=[State.SUBMITTED, State.IN_REVIEW], target=State.REVISION)
    def send_back(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.DRAFT)
    def withdraw(self):
        """The team takes a submission back before its review starts."""


class Transition(models.Model):
    """One recorded move of a document."""

    document = models.ForeignKey(CycleDocument, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=12, choices=State.choices)
    target = models.CharField(max_length=12, choices=State.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.document}: {self.source} → {self.target}"


class Comment(models.Model):
    """The conversation on a document between the school and its reviewers."""

    document = models.ForeignKey(CycleDocument, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("comment"), max_length=4000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:60]


class Problem(models.Model):
    """A weak point the school team chose, with its analysis: a sub-indicator of its rapor mutu, or
    an indicator of its Rapor Pendidikan (PBD: identified by the PBD rule, reflected on by the
    sub-indicator at its root)."""

    cycle = models.ForeignKey(SchoolCycle, on_delete=models.CASCADE, related_name="problems")
    node = models.ForeignKey("instruments.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(  # the rapor mutu it came from
        "mapping.Round", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(  # or the Rapor Pendidikan indicator (its framework says the year)
        "pbd.Indicator", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    capaian = models.CharField(max_length=6, blank=True)  # the indicator's capaian when chosen
    root_indicator = models.ForeignKey(  # Refleksi: the sub-indicator where the cause lies
        "pbd.Indicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sub-indicator of the root cause"),
    )
    order_reason = models.CharField(_("why it was moved"), max_length=300, blank=True)
    score = models.FloatField(null=True)
    priority = models.FloatField(default=0)  # as computed when chosen; `position` is the team's order
    position = models.PositiveIntegerField(default=0)
    strengths = models.TextField(_("strengths (kekuatan)"), blank=True, max_length=4000)
    weaknesses = models.TextField(_("weaknesses (kelemahan)"), blank=True, max_length=4000)
    problem = models.TextField(_("problem (masalah)"), blank=True, max_length=4000)
    root_cause = models.TextField(_("root cause (akar masalah)"), blank=True, max_length=4000)
    recommendation = models.TextField(_("recommendation (rekomendasi)"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "node"], name="one_problem_per_node"),
            models.UniqueConstraint(fields=["cycle", "indicator"], name="one_problem_per_indicator"),
            models.CheckConstraint(
                condition=models.Q(node__isnull=False, indicator__isnull=True)
                | models.Q(node__isnull=True, indicator__isnull=False),
                name="problem_has_one_source",
            ),
        ]
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.cycle}: {self.code}"

    @property
    def code(self):
        return self.node.code if self.node_id else self.indicator.code

    @property
    def title(self):
        return self.node.text if self.node_id else self.indicator.name

    @property
    def from_rapor_pendidikan(self):
        return self.indicator_id is not None

    @property
    def complete(self):
        return bool(self.problem.strip() and self.root_cause.strip() and self.recommendation.strip())


class FundSource(models.TextChoices):
    BOS = "bos", "BOS"
    BOP = "bop", "BOP"
    APBD = "apbd", "APBD"
    COMMITTEE = "komite", _("school committee")
    OTHER = "lainnya", _("other")


class ActivityStatus(models.TextChoices):
    PLANNED = "belum", _("not started")
    RUNNING = "berjalan", _("running")
    DONE = "selesai", _("done")
    CANCELLED = "batal", _("cancelled")


class Program(models.Model):
    """A program of the school's plan (RKS: four years from the cycle's year), answering problems."""

    cycle = models.ForeignKey(SchoolCycle, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(_("program"), max_length=200)
    goal = models.TextField(_("goal"), blank=True, max_length=2000)
    problems = models.ManyToManyField(Problem, blank=True, related_name="programs", verbose_name=_("problems"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    """One activity of a program in one year of the RKS, with its budget line."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="activities")
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("activity"), max_length=200)
    indicator = models.CharField(_("performance indicator"), max_length=300)
    target = models.CharField(_("target"), max_length=100)
    volume = models.DecimalField(_("volume"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=40)
    unit_cost = models.DecimalField(
        _("unit cost (Rp)"), max_digits=15, decimal_places=0, validators=[MinValueValidator(0)]
    )
    fund_source = models.CharField(_("fund source"), max_length=10, choices=FundSource.choices)
    months = models.JSONField(_("months"), default=list)  # 1–12 of `year`
    person_in_charge = models.CharField(_("person in charge"), max_length=150)
    # PBD's Benahi: what the activity is, whether it costs money, and under which ARKAS post.
    description = models.CharField(_("explanation of the activity"), max_length=500, blank=True)
    needs_budget = models.BooleanField(_("needs a budget"), default=True)
    arkas_post = models.CharField(_("ARKAS post (pos kegiatan)"), max_length=200, blank=True)
    # The instrument's sub-indicators the activity improves: every activity names at least one.
    nodes = models.ManyToManyField(
        "instruments.Node", blank=True, related_name="+", verbose_name=_("sub-indicators improved")
    )
    # Implementation (pelaksanaan).
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    actual_cost = models.DecimalField(
        _("actual cost (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    people = models.CharField(_("people involved"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)

    class Meta:
        ordering = ["year", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0, volume__gte=0), name="activity_not_negative")
        ]

    def __str__(self):
        return self.name

    @property
    def total(self):
        return self.volume * self.unit_cost


BOSP_CODE = RegexValidator(r"^\d{2}\.\d{2}\.\d{2}$", _("A kode kegiatan is like 02.04.01."))


class BudgetLine(models.Model):
    """One line of the ARKAS design (Lembar Kerja Rancangan ARKAS) of an activity that needs a budget:
    the BOSP komponen code, the ARKAS activity, the goods or service, the month and the cost."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="budget_lines")
    code = models.CharField(_("kode kegiatan"), max_length=8, validators=[BOSP_CODE])
    arkas_activity = models.CharField(_("ARKAS activity"), max_length=200)
    item = models.CharField(_("goods or service"), max_length=300)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=40)
    unit_cost = models.DecimalField(
        _("unit cost (Rp)"), max_digits=15, decimal_places=0, validators=[MinValueValidator(0)]
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0, unit_cost__gte=0, month__gte=1, month__lte=12),
                name="budget_line_valid",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.item}"

    @property
    def total(self):
        return self.quantity * self.unit_cost


class Evidence(models.Model):
    """A file or a link showing what an activity did. Removing one keeps its record (who, when)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    mime = models.CharField(max_length=100, blank=True)  # as read from the content when uploaded
    size = models.PositiveIntegerField(default=0)
    link = models.URLField(_("link"), blank=True, max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name or self.link


class Dimension(models.TextChoices):
    INPUT = "input", _("input")
    PROCESS = "proses", _("process")
    OUTPUT = "output", _("output")
    OUTCOME = "outcome", _("outcome")


class Evaluation(models.Model):
    """Monitoring and evaluation of a program on one dimension: what was targeted, what was achieved."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="evaluations")
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    target = models.CharField(_("target"), max_length=300)
    achieved = models.CharField(_("achieved"), max_length=300)
    met = models.BooleanField(_("target met"), default=False)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "dimension"], name="one_evaluation_per_dimension")]
        ordering = ["program", "dimension"]

    def __str__(self):
        return f"{self.program}: {self.dimension}"


class Decision(models.TextChoices):
    KEEP = "pertahankan", _("keep")
    REVISE = "revisi", _("revise")
    RAISE = "tingkatkan", _("raise")


class StandardDecision(models.Model):
    """The school's decision on one standard for its next cycle, with its own target (0–7) when it
    sets one above the national level."""

    cycle = models.ForeignKey(SchoolCycle, on_delete=models.CASCADE, related_name="decisions")
    node = models.ForeignKey("instruments.Node", on_delete=models.PROTECT, related_name="+")  # a standard
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    own_target = models.FloatField(
        _("own target (0–7)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(7)]
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "node"], name="one_decision_per_standard")]

    def __str__(self):
        return f"{self.cycle}: {self.node.code} {self.decision}"


class DocumentKind(models.TextChoices):
    POLICY = "kebijakan", _("SPMI policy")
    STANDARD = "standar", _("SPMI standard")
    FORM = "formulir", _("SPMI form")
    OTHER = "lainnya", _("other")


class SchoolDocument(models.Model):
    """One version of one of the school's SPMI documents; a new upload under the same title is the next
    version, and the earlier ones stay."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="spmi_documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(default=1)
    file = models.FileField(upload_to="spmi/%Y/%m/")
    original_name = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "title", "version"], name="one_document_version")
        ]
        ordering = ["kind", "title", "-version"]

    def __str__(self):
        return f"{self.title} v{self.version}"


class Visit(models.Model):
    """A pengawas's monitoring visit to one or more schools (a joint visit): each school visited has its
    own findings, recommendations and follow-up (VisitSchool), as each school's monev report shows them."""

    pengawas = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visit date"))
    schools = models.ManyToManyField(
        "schools.School", through="VisitSchool", related_name="visits", verbose_name=_("schools")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.visited_on} {self.pengawas}"


class VisitSchool(models.Model):
    """One school of a visit: what was found there, what is recommended, and the follow-up it owes."""

    class FollowUp(models.TextChoices):
        OPEN = "terbuka", _("open")
        DONE = "selesai", _("done")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reports")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="visit_reports")
    findings = models.TextField(_("findings"), max_length=4000)
    recommendations = models.TextField(_("recommendations"), max_length=4000)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=8, choices=FollowUp.choices, default=FollowUp.OPEN)
    follow_up_note = models.TextField(_("follow-up done, with its evidence"), blank=True, max_length=4000)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "school__name"]
        constraints = [models.UniqueConstraint(fields=["visit", "school"], name="one_report_per_school_visit")]

    def __str__(self):
        return f"{self.visit} — {self.school_id}"
