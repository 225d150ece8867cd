from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mutu.core.admin import AuditedAdminMixin
from mutu.core.services import record_audit

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["province", "regency", "school", "schools"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    """Accounts and their memberships are managed by superusers (Ditjen operators)."""

    inlines = [MembershipInline]
    fieldsets = BaseUserAdmin.fieldsets + (("Mutu", {"fields": ["full_name"]}),)
    list_display = ["username", "full_name", "email", "is_active"]
    search_fields = ["username", "full_name", "email"]

    def save_formset(self, request, form, formset, change):
        instances = formset.save()
        for membership in instances:
            record_audit(
                actor=request.user,
                action="membership.save",
                obj=membership,
                changes={"user": str(membership.user), "role": membership.role, "scope": str(membership.scope_label)},
                province_id=membership.province_id or getattr(membership.school, "province_id", None),
            )
        for membership in formset.deleted_objects:
            record_audit(actor=request.user, action="membership.delete", obj=membership)
