from mutu.accounts.permissions import active_memberships

from .dashboard import menu_for
from .models import Notification


def typed(request):
    """What a refused form posted, once, for the page it came back to (see KeepTypedMiddleware)."""
    session = getattr(request, "session", None)
    if session is None or request.method != "GET" or request.headers.get("HX-Request") or "typed" not in session:
        return {}
    return {"typed_input": session.pop("typed")}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(user, request.path),
        "nav_memberships": active_memberships(user),
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
