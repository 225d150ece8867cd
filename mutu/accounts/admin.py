from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["province", "regency", "school", "schools"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts and their memberships are managed by superusers (Ditjen operators)."""

    inlines = [MembershipInline]
    fieldsets = BaseUserAdmin.fieldsets + (("Mutu", {"fields": ["full_name"]}),)
    list_display = ["username", "full_name", "email", "is_active"]
    search_fields = ["username", "full_name", "email"]
