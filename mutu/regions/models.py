from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """Provinsi, identified by its two-digit Kemendagri code ("14" = Riau)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name

    @property
    def label(self):
        """The name with its code, as a failed scoring part names its province."""
        return f"{self.name} ({self.code})"


class Regency(models.Model):
    """Kabupaten or kota, code "14.71"."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")

    def __str__(self):
        return self.name


class District(models.Model):
    """Kecamatan, code "14.71.01"."""

    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name
