from django.db.models import Q

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for

from .models import AuditEntry


def audit_for_user(user):
    """National admins see every entry; LPMP admins those recorded in their province."""
    return AuditEntry.objects.filter(area_for(user, Perm.AUDIT_VIEW).province_q()).select_related("actor")


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
