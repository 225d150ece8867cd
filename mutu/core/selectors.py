from django.db.models import Q

from mutu.accounts.models import Role
from mutu.accounts.permissions import Perm, memberships_with

from .models import AuditEntry


def audit_for_user(user):
    """National admins see every entry; LPMP admins those recorded in their province."""
    memberships = memberships_with(user, Perm.AUDIT_VIEW)
    if any(m.role == Role.ADMIN_PUSAT for m in memberships):
        return AuditEntry.objects.select_related("actor")
    provinces = [m.province_id for m in memberships if m.province_id]
    return AuditEntry.objects.filter(Q(province_id__in=provinces)).select_related("actor")


def filter_audit(entries, *, who="", action="", since=None, until=None, school=""):
    """The entries matching the audit page's filters (each optional)."""
    if who:
        entries = entries.filter(Q(actor__username__icontains=who) | Q(actor__full_name__icontains=who))
    if action:
        entries = entries.filter(action=action)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    if school:
        entries = entries.filter(object_type="schools.school", object_repr__icontains=school)
    return entries
