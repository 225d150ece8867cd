from django.contrib import admin

from mutu.accounts.permissions import has_perm

from .audit import SECRET_FIELD
from .models import AuditEntry
from .selectors import audit_for_user
from .services import record_audit


class AuditedAdminMixin:
    """Changes made in the Django admin land in Mutu's audit log like any other change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A password (or any secret) is never written, only that it changed.
        changes = {
            name: ["***", "***"]
            if SECRET_FIELD.search(name)
            else [str(form.initial.get(name, "")), str(form.cleaned_data.get(name, ""))]
            for name in form.changed_data
        }
        record_audit(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            changes=changes,
            province_id=getattr(obj, "province_id", None),
        )

    def delete_model(self, request, obj):
        record_audit(actor=request.user, action="admin.delete", obj=obj, province_id=getattr(obj, "province_id", None))
        super().delete_model(request, obj)


class MutuPermissionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Admin pages answer to Mutu's permission vocabulary and selectors, not Django model perms.

    `view_perm`/`change_perm` name Mutu permissions; `scoped_queryset` narrows rows to the user.
    Superusers keep Django's full access.
    """

    view_perm = None
    change_perm = None

    def scoped_queryset(self, request, queryset):
        return queryset

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else self.scoped_queryset(request, queryset)

    def _allowed(self, request, perm):
        return request.user.is_superuser or (perm is not None and has_perm(request.user, perm))

    def has_module_permission(self, request):
        return self._allowed(request, self.view_perm)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, self.view_perm)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, self.change_perm)

    def has_add_permission(self, request):
        return self._allowed(request, self.change_perm)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AuditEntry)
class AuditEntryAdmin(MutuPermissionAdmin):
    view_perm = "audit.view"
    list_display = ["at", "actor", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor__username"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def scoped_queryset(self, request, queryset):
        return audit_for_user(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
