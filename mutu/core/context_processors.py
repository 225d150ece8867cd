from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mutu.accounts.permissions import Perm, active_memberships, has_perm

# (label, url name, permission needed or None for every signed-in user)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Schools"), "schools:list", Perm.SCHOOL_VIEW),
    (_("Quality mapping"), "mapping:rounds", Perm.ROUND_VIEW),
    (_("Instruments"), "instruments:list", Perm.ROUND_MANAGE),
    (_("Import schools"), "schools:import", Perm.SCHOOL_IMPORT),
    (_("Audit log"), "audit_log", Perm.AUDIT_VIEW),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": [
            {"label": label, "url": reverse(name), "active": request.path == reverse(name)}
            for label, name, perm in NAVIGATION
            if perm is None or has_perm(user, perm)
        ],
        "nav_memberships": active_memberships(user),
    }
