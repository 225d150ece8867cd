from django.contrib import admin

from mutu.core.admin import MutuPermissionAdmin

from .models import District, Province, Regency


class RegionAdmin(MutuPermissionAdmin):
    """Regions come from the data package: everyone with school access may look, only superusers change."""

    view_perm = "school.view"
    search_fields = ["code", "name"]
    list_display = ["code", "name"]


@admin.register(Province)
class ProvinceAdmin(RegionAdmin):
    pass


@admin.register(Regency)
class RegencyAdmin(RegionAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]


@admin.register(District)
class DistrictAdmin(RegionAdmin):
    list_display = ["code", "name", "regency"]
    list_select_related = ["regency"]
