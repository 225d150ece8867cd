"""The LPMP sekolah model programme: a cohort per province and year, its model schools (proposed,
designated, graduated or replaced) and their imbas schools, mentoring events with participants,
attendance and certificates, grants, regional support and the yearly evaluation.

Status lifecycles are django-fsm-2 machines; every move is recorded in `StatusChange` (who, when,
from, to, note) by the service that makes it, in the same transaction (as the cycle's documents)."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from mutu.core.models import UploadJob


class Cohort(models.Model):
    """One province's programme of one year, run by its LPMP."""

    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2015), MaxValueValidator(2100)])
    name = models.CharField(_("name"), max_length=150)
    imbas_target = models.PositiveSmallIntegerField(
        _("imbas schools per model school"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # The yearly evaluation's rules (see evaluation.DEFAULT_RULES); empty: the defaults.
    rules = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [models.UniqueConstraint(fields=["province", "year", "name"], name="one_cohort_name_per_year")]
        ordering = ["-year", "name"]

    def __str__(self):
        return f"{self.name} ({self.year})"


class StatusChange(models.Model):
    """One recorded move of a programme record (a model school, a yearly evaluation)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20)
    target = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.source} → {self.target}"


class ModelSchoolStatus(models.TextChoices):
    CANDIDATE = "calon", _("candidate")
    DESIGNATED = "ditetapkan", _("designated")
    REJECTED = "ditolak", _("rejected")
    GRADUATED = "mandiri", _("graduated (mandiri)")
    REPLACED = "diganti", _("replaced")


class ModelSchool(models.Model):
    """A school proposed for, and then designated to, a cohort (sekolah model / binaan LPMP)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="model_schools", verbose_name=_("cohort"))
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="model_school_records", verbose_name=_("school")
    )
    status = FSMField(default=ModelSchoolStatus.CANDIDATE, choices=ModelSchoolStatus.choices, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    # Criterion 1 is read from the rapor when shown; 2 is the uploaded signed statement; 3 is recorded.
    commitment = models.FileField(_("commitment statement"), upload_to="programme/commitment/%Y/", blank=True)
    commitment_name = models.CharField(max_length=255, blank=True)
    regional_support = models.BooleanField(_("regional government supports it"), default=False)
    regional_support_note = models.CharField(_("how the region supports it"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    decree_number = models.CharField(_("SK number"), max_length=100, blank=True)
    decree_date = models.DateField(_("SK date"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces", verbose_name=_("replaced by")
    )

    class Meta:
        verbose_name = _("model school")
        verbose_name_plural = _("model schools")
        constraints = [models.UniqueConstraint(fields=["cohort", "school"], name="one_model_school_per_cohort")]
        ordering = ["school__regency__code", "school__name"]

    def __str__(self):
        return f"{self.school} ({self.cohort})"

    @transition(field=status, source=ModelSchoolStatus.CANDIDATE, target=ModelSchoolStatus.DESIGNATED)
    def designate(self):
        pass

    @transition(field=status, source=ModelSchoolStatus.CANDIDATE, target=ModelSchoolStatus.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=ModelSchoolStatus.DESIGNATED, target=ModelSchoolStatus.GRADUATED)
    def graduate(self):
        pass

    @transition(field=status, source=ModelSchoolStatus.DESIGNATED, target=ModelSchoolStatus.REPLACED)
    def replace(self):
        pass


class ImbasSchool(models.Model):
    """A nearby school a model school spreads its practice to; one model school per cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="imbas_schools", verbose_name=_("cohort"))
    model_school = models.ForeignKey(
        ModelSchool, on_delete=models.CASCADE, related_name="imbas", verbose_name=_("model school")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="imbas_records", verbose_name=_("school")
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imbas school")
        verbose_name_plural = _("imbas schools")
        constraints = [models.UniqueConstraint(fields=["cohort", "school"], name="one_imbas_per_cohort")]
        ordering = ["school__name"]

    def __str__(self):
        return str(self.school)


class ImbasVisit(models.Model):
    """An on-site mentoring of an imbas school (about three days) by the model school's TPMPS."""

    imbas = models.ForeignKey(ImbasSchool, on_delete=models.CASCADE, related_name="visits")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    mentor = models.CharField(_("mentor (model school's TPMPS)"), max_length=150)
    participants = models.TextField(_("participants (imbas school's TPMPS)"), max_length=2000)
    report = models.TextField(_("report"), max_length=4000)
    evidence = models.FileField(_("evidence"), upload_to="programme/imbas/%Y/", blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="imbas_visit_dates",
                violation_error_message=_("The visit cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.imbas} {self.starts_on}"


class EventKind(models.TextChoices):
    SOCIALISATION = "sosialisasi", _("socialisation")
    BIMTEK = "bimtek", _("technical guidance (bimtek)")
    IN_SERVICE_1 = "in1", _("in-service 1")
    ON_THE_JOB = "on", _("on-the-job")
    IN_SERVICE_2 = "in2", _("in-service 2")
    MENTORING_1 = "pendampingan1", _("mentoring 1")
    MENTORING_2 = "pendampingan2", _("mentoring 2")
    MENTORING_3 = "pendampingan3", _("mentoring 3")
    IMBAS = "pengimbasan", _("imbas (spreading)")
    MONEV = "monev", _("monitoring and evaluation")
    DISSEMINATION = "diseminasi", _("dissemination")


class Mode(models.TextChoices):
    ONLINE = "daring", _("online (daring)")
    ONSITE = "luring", _("on site (luring)")


class Event(models.Model):
    """A mentoring event of a cohort. Its participants meet in sessions (a venue or a date cluster for
    some kab/kota), each over the event's `days` consecutive days."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="events", verbose_name=_("cohort"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=15, choices=EventKind.choices)
    stage = models.PositiveSmallIntegerField(
        _("stage (tahap)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices)
    days = models.PositiveSmallIntegerField(
        _("days per session"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    hours = models.PositiveSmallIntegerField(
        _("hours (JP)"), default=8, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    start_time = models.TimeField(_("starts at"), default=datetime.time(8, 0))
    # Present after start_time plus these minutes counts as late.
    grace_minutes = models.PositiveSmallIntegerField(_("late after (minutes)"), default=15)
    meeting_link = models.URLField(_("meeting link"), blank=True, max_length=500)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    letter_number = models.CharField(_("letter number"), max_length=100, blank=True)
    # A certificate needs this many days present; empty: every day of the session.
    min_days = models.PositiveSmallIntegerField(_("days present for a certificate"), null=True, blank=True)
    certificate_format = models.CharField(
        _("certificate number format"), max_length=100, default="{seq:04d}/SPMI/{event}/{year}"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_events", verbose_name=_("facilitators")
    )
    # Certificate generation in the worker: requested, then done (or failed with its reason).
    certificates_requested_at = models.DateTimeField(null=True, blank=True)
    certificates_done_at = models.DateTimeField(null=True, blank=True)
    certificates_failure = models.TextField(blank=True)
    certificates_zip = models.FileField(upload_to="programme/certificates/%Y/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mentoring event")
        verbose_name_plural = _("mentoring events")
        ordering = ["stage", "id"]

    def __str__(self):
        return self.name

    @property
    def required_days(self):
        return min(self.min_days or self.days, self.days)


class Session(models.Model):
    """Where and when a part of an event's participants meet: a venue (TPK) or a date cluster, for the
    kab/kota it covers. A session whose date is not known yet has none (never an invented one)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    name = models.CharField(_("name"), max_length=150)
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    venue = models.CharField(_("venue (TPK)"), max_length=200, blank=True)
    regencies = models.ManyToManyField("regions.Regency", related_name="+", verbose_name=_("kab/kota covered"))

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self):
        return self.name

    def date_of(self, day):
        """The date of day `day` (1, 2, …) of this session, or None while its date is not known."""
        return self.starts_on + datetime.timedelta(days=day - 1) if self.starts_on else None

    def dates(self):
        """[(day number, date or None)] of this session."""
        return [(day, self.date_of(day)) for day in range(1, self.event.days + 1)]


class EventMaterial(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to="programme/materials/%Y/")
    original_name = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.title


class ParticipantRole(models.TextChoices):
    TPMPD = "tpmpd", _("TPMPD member")
    PENGAWAS = "pengawas", _("supervising pengawas")
    PRINCIPAL_MODEL = "ks_binaan", _("principal of a model school")
    PRINCIPAL_IMBAS = "ks_imbas", _("principal of an imbas school")
    TEACHER = "guru", _("teacher")
    OTHER = "lainnya", _("other")


SCHOOL_ROLES = {ParticipantRole.PRINCIPAL_MODEL, ParticipantRole.PRINCIPAL_IMBAS, ParticipantRole.TEACHER}


class Participant(models.Model):
    """One person registered for an event, with their role; `key` says who they are (NIP, or name and
    school or kab/kota), unique per event. `code` is their personal attendance code."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants", verbose_name=_("event"))
    session = models.ForeignKey(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
        verbose_name=_("session"),
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices)
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="+", verbose_name=_("kab/kota")
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    contact = models.CharField(_("contact"), max_length=150, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    key = models.CharField(max_length=300)
    code = models.CharField(max_length=12, unique=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["event", "key"], name="one_participant_per_event"),
            # A school has one principal, whether a roster or a file registers them, and whatever role.
            models.UniqueConstraint(
                fields=["event", "school"],
                condition=models.Q(role__in=["ks_binaan", "ks_imbas"]),
                name="one_principal_per_school_per_event",
            ),
        ]
        ordering = ["regency__code", "role", "name"]

    def __str__(self):
        return self.name


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QR code at the venue")
    CODE = "kode", _("attendance code")
    CHECKLIST = "daftar", _("facilitator's checklist")
    OFFLINE = "luring", _("on the phone without signal, sent later")


class Attendance(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendances")
    day = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=6, choices=AttendanceMethod.choices)
    at = models.DateTimeField(auto_now_add=True)
    device_at = models.DateTimeField(null=True, blank=True)  # a check-in made offline: the phone's time
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "day"], name="one_attendance_per_day")]

    def __str__(self):
        return f"{self.participant} {self.day}"

    @property
    def checked_in_at(self):
        return self.device_at or self.at


class AttendanceCode(models.Model):
    """A time-limited code (or its link or QR) for one day of one session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="codes")
    day = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=12, unique=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.code


class Office(models.Model):
    """A province's LPMP/BPMP as its letters and certificates name it: the institute, the place of
    signing, the head who signs (name and NIP) and its logo."""

    province = models.OneToOneField("regions.Province", on_delete=models.CASCADE, related_name="office")
    name = models.CharField(_("name of the institute"), max_length=200)
    city = models.CharField(_("place of signing"), max_length=100)
    head_name = models.CharField(_("name of the head"), max_length=150)
    head_nip = models.CharField(
        _("NIP of the head"), max_length=18, validators=[RegexValidator(r"^\d{18}$", _("A NIP has 18 digits."))]
    )
    logo = models.FileField(_("logo"), upload_to="offices/", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LPMP/BPMP office")
        verbose_name_plural = _("LPMP/BPMP offices")

    def __str__(self):
        return self.name


class Certificate(models.Model):
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="certificate", verbose_name=_("participant")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("event"))
    seq = models.PositiveIntegerField()
    number = models.CharField(max_length=120, unique=True, verbose_name=_("number"))
    # Printed beside the number: verification needs both, so numbers in sequence reveal nobody.
    check_code = models.CharField(max_length=8, default="")
    issued_at = models.DateTimeField(auto_now_add=True, verbose_name=_("issued at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(max_length=300, blank=True)
    # Who signs, as the province's office named them when the certificate was issued: a later head
    # does not re-sign what was signed before.
    signer_name = models.CharField(max_length=150, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [models.UniqueConstraint(fields=["event", "seq"], name="one_certificate_seq_per_event")]
        ordering = ["seq"]

    def __str__(self):
        return self.number


class Grant(models.Model):
    """The government grant (bantuan pemerintah) to one model school."""

    model_school = models.OneToOneField(ModelSchool, on_delete=models.CASCADE, related_name="grant")
    amount = models.DecimalField(_("amount (Rp)"), max_digits=15, decimal_places=0, validators=[MinValueValidator(1)])
    agreement_number = models.CharField(_("agreement number"), max_length=100)
    agreement_date = models.DateField(_("agreement date"))
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    refund = models.DecimalField(
        _("refund of the unused part (Rp)"),
        max_digits=15,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0)],
    )
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)
    report_done_on = models.DateField(_("spending report done on"), null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0, refund__gte=0), name="grant_amounts")]

    def __str__(self):
        return f"{self.model_school}: {self.amount}"


class GrantSpending(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="spending")
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (Rp)"), max_digits=15, decimal_places=0, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="spending_positive")]

    def __str__(self):
        return self.description


class TpmpdMember(models.Model):
    """A member of a kab/kota's regional QA team (TPMPD), formed by an SK of the regional government."""

    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="tpmpd_members", verbose_name=_("kab/kota")
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150, blank=True)
    decree_number = models.CharField(_("SK number"), max_length=100)
    decree_date = models.DateField(_("SK date"), null=True, blank=True)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)

    class Meta:
        ordering = ["regency__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "name"],
                name="one_tpmpd_member_name",
                violation_error_message=_("This person is already a TPMPD member of this kab/kota."),
            )
        ]

    def __str__(self):
        return self.name


class Agreement(models.Model):
    """The signed agreement (naskah kesepakatan) between the LPMP and one kab/kota's Dinas for a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="agreements")
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="+", verbose_name=_("kab/kota")
    )
    number = models.CharField(_("document number"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    commitments = models.TextField(_("commitments"), max_length=4000)
    budget = models.DecimalField(
        _("budget support (Rp)"), max_digits=15, decimal_places=0, default=0, validators=[MinValueValidator(0)]
    )
    file = models.FileField(upload_to="programme/agreements/%Y/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "regency"], name="one_agreement_per_regency")]
        ordering = ["regency__code"]

    def __str__(self):
        return self.number


class Recommendation(models.TextChoices):
    GRADUATE = "mandiri", _("graduate (mandiri)")
    CONTINUE = "lanjut", _("continue")
    REPLACE = "ganti", _("replace")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("computed")
    CONFIRMED = "dikonfirmasi", _("confirmed")


class YearlyEvaluation(models.Model):
    """A model school's scorecard of one year, its computed recommendation and LPMP's confirmation."""

    model_school = models.ForeignKey(ModelSchool, on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    scorecard = models.JSONField(default=dict)
    computed = models.CharField(_("computed recommendation"), max_length=8, choices=Recommendation.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Recommendation.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    status = FSMField(default=EvaluationStatus.DRAFT, choices=EvaluationStatus.choices, protected=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model_school", "year"], name="one_evaluation_per_year")]
        ordering = ["-year"]

    def __str__(self):
        return f"{self.model_school} {self.year}"

    @transition(field=status, source=EvaluationStatus.DRAFT, target=EvaluationStatus.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=status, source=EvaluationStatus.CONFIRMED, target=EvaluationStatus.DRAFT)
    def reopen(self):
        pass


class CohortEffect(models.Model):
    """The programme's effect in one kab/kota of the cohort's province, from the cohort's year to
    `year` (see `effect.compute`): what the evaluation page reads, one row per kab/kota, instead of
    every school score of the province. Refreshed by a task after scoring, publication, Rapor
    Pendidikan imports and changes of the cohort's schools; a little behind them, never edited."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="effects")
    year = models.PositiveSmallIntegerField()
    regency = models.ForeignKey("regions.Regency", on_delete=models.CASCADE, related_name="+")
    cells = models.JSONField()  # {group: {"mean", "n"}} of the rapor mutu and under "rp" the Rapor Pendidikan
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "year", "regency"], name="one_effect_per_regency")]

    def __str__(self):
        return f"{self.cohort_id} {self.year} {self.regency_id}"


class ParticipantImport(UploadJob):
    """An uploaded participant file, read and checked by the worker; saved whole or not at all."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        READING = "reading", _("reading")
        DONE = "done", _("read")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to="programme/imports/%Y/%m/")
    dry_run = models.BooleanField(default=False)
    state = FSMField(max_length=8, choices=State.choices, default=State.QUEUED, protected=True)
    encoding = models.CharField(max_length=20, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # the first problems as [row, field, message]
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    @property
    def busy(self):
        return self.state in {self.State.QUEUED, self.State.READING}

    @transition(field=state, source=State.QUEUED, target=State.READING)
    def start(self):
        pass

    @transition(field=state, source=State.READING, target=State.DONE)
    def finish(self, encoding, report, stored_errors):
        self.encoding, self.total_rows, self.created_count = encoding, report.total_rows, report.created
        self.errors, self.error_count = report.errors[:stored_errors], len(report.errors)

    @transition(field=state, source=[State.QUEUED, State.READING], target=State.FAILED)
    def fail(self, reason):
        self.failure = reason
