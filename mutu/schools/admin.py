from django.contrib import admin

from mutu.accounts.permissions import Perm
from mutu.core.admin import MutuPermissionAdmin

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

    def scoped_queryset(self, request, queryset):
        return queryset.filter(pk__in=schools_for_user(request.user, Perm.SCHOOL_VIEW).values("pk"))

    def has_change_permission(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return schools_for_user(request.user, Perm.SCHOOL_EDIT).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return request.user.is_superuser
