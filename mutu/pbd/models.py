"""Rapor Pendidikan: the ministry's indicator framework per year, each school's achievement per
indicator as imported from its official downloads, the regions' own achievement, and the shares
of Baik / Sedang / Kurang per region stored after each import (refreshed, never edited)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from mutu.core.models import UploadJob


class Capaian(models.TextChoices):
    BAIK = "baik", "Baik"
    SEDANG = "sedang", "Sedang"
    KURANG = "kurang", "Kurang"


class Change(models.TextChoices):
    UP = "naik", _("up")
    DOWN = "turun", _("down")
    SAME = "tetap", _("unchanged")


SCORE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}
MAX_STORED_ERRORS = 200
RANKS = {
    1: _("Top (1–20%)"),
    2: _("Upper middle (21–40%)"),
    3: _("Middle (41–60%)"),
    4: _("Lower middle (61–80%)"),
    5: _("Bottom (81–100%)"),
}
RANK = {"validators": [MinValueValidator(1), MaxValueValidator(5)]}  # quintile bucket: 1 = top 20%


class Framework(models.Model):
    """One year's indicator framework (loaded from YAML/XLSX; the shipped years on migrate)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=300, blank=True)
    labels = models.JSONField(default=list)  # [{code, name, color}] in order Baik, Sedang, Kurang
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("indicator framework")
        verbose_name_plural = _("indicator frameworks")

    def __str__(self):
        return self.name


class Indicator(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=12)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    dimension = models.CharField(_("dimension"), max_length=1)
    name = models.CharField(_("name"), max_length=200)
    levels = models.JSONField(default=list)  # the jenjang it applies to
    main = models.BooleanField(_("main indicator"), default=False)
    thresholds = models.JSONField(default=dict, blank=True)  # {"baik": 70, "sedang": 40} where known
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="pbd_indicator_code_unique")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return f"{self.code} {self.name}"


class RaporImport(UploadJob):
    """An uploaded Rapor Pendidikan download, read and checked by the worker; saved whole or not at all."""

    class Kind(models.TextChoices):
        SCHOOL_REPORT = "school", _("school's PBD workbook")
        SCHOOL_LIST = "list", _("school list")
        REGION_REPORT = "region", _("regional report")

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        READING = "reading", _("reading")
        SAVED = "saved", _("saved")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    file = models.FileField(upload_to="rapor-pendidikan/%Y/%m/")
    year_given = models.PositiveSmallIntegerField(null=True, blank=True)  # asked when the file has none
    npsn_given = models.CharField(max_length=8, blank=True)  # a workbook's school, when it does not say
    dry_run = models.BooleanField(default=False)
    state = FSMField(max_length=8, choices=State.choices, default=State.QUEUED, protected=True)
    kind = models.CharField(max_length=6, choices=Kind.choices, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # the first problems as [row, field, message]
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    class Meta(UploadJob.Meta):
        verbose_name = _("Rapor Pendidikan import")
        verbose_name_plural = _("Rapor Pendidikan imports")

    @property
    def busy(self):
        return self.state in {self.State.QUEUED, self.State.READING}

    @property
    def state_label(self):
        """A dry run that found every row good was checked, not saved."""
        return _("checked") if self.dry_run and self.state == self.State.SAVED else self.get_state_display()

    @transition(field=state, source=State.QUEUED, target=State.READING)
    def start(self):
        pass

    def _take(self, report):
        self.kind, self.year, self.total_rows = report.kind, report.year, report.total_rows
        self.created_count, self.changed_count = report.created, report.changed
        self.unchanged_count = report.unchanged
        self.errors, self.error_count = report.errors[:MAX_STORED_ERRORS], len(report.errors)

    @transition(field=state, source=State.READING, target=State.SAVED)
    def finish(self, report):
        self._take(report)

    @transition(field=state, source=State.READING, target=State.REFUSED)
    def refuse(self, report):
        self._take(report)

    @transition(field=state, source=[State.QUEUED, State.READING], target=State.FAILED)
    def fail(self, reason):
        self.failure = reason


class Achievement(models.Model):
    """A school's capaian on one indicator in one year, as its Rapor Pendidikan states it. A score of
    None is "Tidak Tersedia" (no data), never 0."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="rapor_pendidikan")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="achievements")
    year = models.PositiveSmallIntegerField(_("year"))  # the indicator's framework year, for grouping
    capaian = models.CharField(_("capaian"), max_length=6, choices=Capaian.choices, blank=True)
    score = models.DecimalField(_("score"), null=True, **SCORE)
    previous_score = models.DecimalField(_("last year's score"), null=True, **SCORE)  # as the file states it
    change = models.CharField(_("change"), max_length=5, choices=Change.choices, blank=True)
    rank_regency = models.PositiveSmallIntegerField(_("rank in kab/kota"), null=True, **RANK)
    rank_national = models.PositiveSmallIntegerField(_("national rank"), null=True, **RANK)
    description = models.CharField(_("definition of capaian"), max_length=500, blank=True)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    source = models.ForeignKey(RaporImport, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["school", "indicator"], name="pbd_achievement_unique")]
        indexes = [models.Index(fields=["year", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.indicator_id} {self.capaian or '-'}"

    @property
    def rank_regency_label(self):
        return RANKS.get(self.rank_regency, "–")

    @property
    def rank_national_label(self):
        return RANKS.get(self.rank_national, "–")


class RegionAchievement(models.Model):
    """A region's own capaian on an indicator as the ministry's regional report states it, per jenjang
    and status (negeri/swasta; blank for all) and slice ("Berdasarkan Kelompok Gender: Perempuan")."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="region_achievements")
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey("regions.Province", on_delete=models.CASCADE, related_name="+")
    regency = models.ForeignKey("regions.Regency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    area_code = models.CharField(max_length=5)  # the regency's code, else the province's: the unique key
    level = models.CharField(_("jenjang"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=6, blank=True)
    slice = models.CharField(_("slice"), max_length=150, blank=True)
    capaian = models.CharField(_("capaian"), max_length=6, choices=Capaian.choices, blank=True)
    change = models.CharField(_("change"), max_length=5, choices=Change.choices, blank=True)
    source = models.ForeignKey(RaporImport, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "level", "status", "slice"], name="pbd_region_achievement_unique"
            )
        ]

    def __str__(self):
        return f"{self.area_code} {self.indicator_id} {self.capaian or '-'}"


class RegionShare(models.Model):
    """Stored aggregate: per indicator, year and region (kecamatan, kab/kota, province, nation), how
    many of its schools are Baik / Sedang / Kurang / without data, and their mean score. Rewritten
    for the regions an import touched; never edited by hand."""

    class Area(models.TextChoices):
        NATION = "nation", _("nation")
        PROVINCE = "province", _("province")
        REGENCY = "regency", _("kab/kota")
        DISTRICT = "district", _("kecamatan")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=8, choices=Area.choices)
    area_id = models.PositiveIntegerField(default=0)  # the province, regency or district; 0 for the nation
    level = models.CharField(max_length=3, blank=True)  # a jenjang, or blank for all
    schools = models.PositiveIntegerField(default=0)
    baik = models.PositiveIntegerField(default=0)
    sedang = models.PositiveIntegerField(default=0)
    kurang = models.PositiveIntegerField(default=0)
    unavailable = models.PositiveIntegerField(default=0)  # no capaian stated ("Tidak Tersedia")
    scored = models.PositiveIntegerField(default=0)
    score_sum = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "area_id", "level"], name="pbd_region_share_unique")
        ]
        indexes = [models.Index(fields=["year", "area", "area_id"])]

    def __str__(self):
        return f"{self.area} {self.area_id} {self.indicator_id}"

    @property
    def mean(self):
        return self.score_sum / self.scored if self.scored else None


class Practice(models.Model):
    """A praktik baik: an activity of an accepted cycle whose Rapor Pendidikan indicator improved the
    next year, proposed by its school and published by an LPMP to its province (or the nation). The
    story is copied when proposed, so later edits of the plan never change what was reviewed."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("waiting for review")
        RETURNED = "returned", _("returned to the school")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Reach(models.TextChoices):
        PROVINCE = "province", _("its province")
        NATION = "nation", _("the whole nation")

    activity = models.OneToOneField("cycle.Activity", on_delete=models.PROTECT, related_name="practice")
    problem = models.ForeignKey("cycle.Problem", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="practices")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="practices")
    level = models.CharField(_("jenjang"), max_length=10)  # the school's when proposed, for the search
    title = models.CharField(_("title"), max_length=200)
    problem_text = models.TextField(_("problem"), max_length=4000)
    root_cause = models.TextField(_("root cause"), max_length=4000)
    action = models.TextField(_("what was done"), max_length=4000)
    cost = models.DecimalField(_("cost (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True)
    result = models.TextField(_("result"), max_length=4000)
    before = models.DecimalField(_("score before"), **SCORE)
    after = models.DecimalField(_("score after"), **SCORE)
    evidence = models.ManyToManyField("cycle.Evidence", blank=True, related_name="+", verbose_name=_("evidence"))
    state = FSMField(max_length=9, choices=State.choices, default=State.PROPOSED, protected=True)
    reach = models.CharField(_("published to"), max_length=8, choices=Reach.choices, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("reviewer's note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-proposed_at"]
        indexes = [models.Index(fields=["state", "indicator"])]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self):
        return self.title

    @property
    def change(self):
        return self.after - self.before

    @transition(field=state, source=[State.PROPOSED, State.RETURNED], target=State.PROPOSED)
    def propose(self, by, at):
        self.proposed_by, self.proposed_at, self.review_note = by, at, ""

    @transition(field=state, source=State.PROPOSED, target=State.PUBLISHED)
    def publish(self, by, at, reach, note):
        self.reviewed_by, self.reviewed_at, self.reach, self.review_note = by, at, reach, note

    @transition(field=state, source=State.PROPOSED, target=State.RETURNED)
    def send_back(self, by, at, note):
        self.reviewed_by, self.reviewed_at, self.review_note = by, at, note

    @transition(field=state, source=State.PUBLISHED, target=State.WITHDRAWN)
    def withdraw(self, by, at, note):
        self.reviewed_by, self.reviewed_at, self.review_note = by, at, note
