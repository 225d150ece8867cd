from django.contrib import admin

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core.admin import MutuPermissionAdmin
from mutu.regions.models import District

from .forms import REGION_FIELDS, SCHOOL_STAFF_FIELDS, check_area
from .models import School
from .selectors import schools_for_user


@admin.register(School)
class SchoolAdmin(MutuPermissionAdmin):
    view_perm = Perm.SCHOOL_VIEW
    change_perm = Perm.SCHOOL_EDIT
    list_display = ["npsn", "name", "level", "status", "district", "regency"]
    list_filter = ["level", "status", "accreditation"]
    search_fields = ["npsn", "name"]
    list_select_related = ["district", "regency"]
    autocomplete_fields = ["district"]
    fields = ["npsn", *REGION_FIELDS, *SCHOOL_STAFF_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        """As in the web form: the NPSN comes from Dapodik, and name, level, status and place are changed
        only by those whose write scope holds the school's region (Dinas, LPMP, pusat), not its staff."""
        if request.user.is_superuser:
            return []
        scope = area_for(request.user, Perm.SCHOOL_EDIT)
        if obj is not None and not scope.allows(obj.province_id, obj.regency_id, obj.level):
            return ["npsn", *REGION_FIELDS]
        return ["npsn"]

    def scoped_queryset(self, request, queryset):
        return queryset.filter(pk__in=schools_for_user(request.user, Perm.SCHOOL_VIEW).values("pk"))

    def has_change_permission(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return schools_for_user(request.user, Perm.SCHOOL_EDIT).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def get_form(self, request, obj=None, **kwargs):
        """The admin form applies the same area rule as the web form and the services."""
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_superuser:
            return form
        scope = area_for(request.user, Perm.SCHOOL_EDIT)

        class ScopedSchoolForm(form):
            def clean(self):
                return check_area(scope, super().clean())

        return ScopedSchoolForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = area_for(request.user, Perm.SCHOOL_EDIT)
        if db_field.name == "district" and not (request.user.is_superuser or scope.unrestricted):
            provinces = scope.provinces | scope.province_levels
            kwargs["queryset"] = District.objects.filter(regency__province_id__in=provinces) | District.objects.filter(
                regency_id__in=scope.regencies
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
