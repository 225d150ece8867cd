from django.contrib import admin

from mutu.accounts.permissions import has_perm

from .models import AuditEntry
from .selectors import audit_for_user


class MutuPermissionAdmin(admin.ModelAdmin):
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
