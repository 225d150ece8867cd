from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    def __str__(self):
        return self.full_name or self.username


class Role(models.TextChoices):
    ADMIN_PUSAT = "admin_pusat", _("National admin (Ditjen)")
    ADMIN_LPMP = "admin_lpmp", _("LPMP/BPMP admin")
    FASILITATOR = "fasilitator", _("Facilitator")
    DINAS = "dinas", _("Education office / TPMPD")
    PENGAWAS = "pengawas", _("School supervisor (pengawas)")
    KEPALA_SEKOLAH = "kepala_sekolah", _("Principal (kepala sekolah)")
    TPMPS = "tpmps", _("School QA team member (TPMPS)")
    OPERATOR = "operator", _("School operator")


class Scope:
    """Which scope field a role's membership uses."""

    NATIONAL = "national"
    PROVINCE = "province"
    REGION = "region"  # a regency, or a whole province (Dinas provinsi)
    ASSIGNED = "assigned"  # an explicit set of schools
    SCHOOL = "school"


ROLE_SCOPE = {
    Role.ADMIN_PUSAT: Scope.NATIONAL,
    Role.ADMIN_LPMP: Scope.PROVINCE,
    Role.FASILITATOR: Scope.ASSIGNED,
    Role.DINAS: Scope.REGION,
    Role.PENGAWAS: Scope.ASSIGNED,
    Role.KEPALA_SEKOLAH: Scope.SCHOOL,
    Role.TPMPS: Scope.SCHOOL,
    Role.OPERATOR: Scope.SCHOOL,
}


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class Membership(models.Model):
    """A user's role in a scope for a period. A user may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        "regions.Province", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("province")
    )
    regency = models.ForeignKey(
        "regions.Regency", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("regency/city")
    )
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("school"),
    )
    schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="assigned_memberships", verbose_name=_("assigned schools")
    )
    decree_number = models.CharField(_("decree (SK) number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree (SK) date"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role="admin_pusat", province__isnull=True, regency__isnull=True, school__isnull=True)
                    | Q(role="admin_lpmp", province__isnull=False, regency__isnull=True, school__isnull=True)
                    | Q(role="dinas", school__isnull=True, province__isnull=False, regency__isnull=True)
                    | Q(role="dinas", school__isnull=True, province__isnull=True, regency__isnull=False)
                    | Q(role__in=["pengawas", "fasilitator"], regency__isnull=True, school__isnull=True)
                    | Q(
                        role__in=["kepala_sekolah", "tpmps", "operator"],
                        school__isnull=False,
                        province__isnull=True,
                        regency__isnull=True,
                    )
                ),
            ),
            models.CheckConstraint(
                name="membership_period_ordered",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
            # One membership per (user, role, scope, start): partial indexes because NULL scope
            # columns never collide in a plain unique index.
            models.UniqueConstraint(
                fields=["user", "role", "school", "valid_from"],
                condition=Q(school__isnull=False),
                name="membership_unique_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "regency", "valid_from"],
                condition=Q(regency__isnull=False),
                name="membership_unique_regency",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province", "valid_from"],
                condition=Q(province__isnull=False, regency__isnull=True, school__isnull=True),
                name="membership_unique_province",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "valid_from"],
                condition=Q(province__isnull=True, regency__isnull=True, school__isnull=True),
                name="membership_unique_unscoped",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} — {self.scope_label}"

    @property
    def scope_label(self):
        if self.school_id:
            return str(self.school)
        if self.regency_id:
            return str(self.regency)
        if self.province_id:
            return str(self.province)
        if ROLE_SCOPE[self.role] == Scope.ASSIGNED:
            return _("assigned schools")
        return _("national")


class ApiToken(models.Model):
    """A bearer token for integrations; it acts as its user, with the same scopes. Only its hash is kept.
    Every token expires; its owner and the admins whose scope holds its user list and revoke it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, blank=True)  # the first characters, to tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} — {self.name}"

    @property
    def active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
