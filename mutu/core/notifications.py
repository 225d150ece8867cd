"""In-app notifications, each also sent by e-mail (the console backend unless configured)."""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)
_EMAIL = contextvars.ContextVar("notification_email", default=True)


@contextlib.contextmanager
def in_app_only():
    """Notify in the app only (the demo's generated history mails nobody)."""
    token = _EMAIL.set(False)
    try:
        yield
    finally:
        _EMAIL.reset(token)


def notify(users, text, url=""):
    """Tell each user (once, however often they appear) in the app and, after the commit, by e-mail."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    Notification.objects.bulk_create(
        [Notification(user=user, text=text[:300], url=url) for user in recipients.values()]
    )
    addresses = [user.email for user in recipients.values() if user.email]
    if addresses and _EMAIL.get():
        transaction.on_commit(lambda: _mail(addresses, text, url))


def _mail(addresses, text, url):
    body = f"{text}\n\n{settings.MUTU_SITE_URL.rstrip('/')}{url}" if url else text
    try:
        send_mail(f"[Mutu] {text[:80]}", body, None, addresses)
    except OSError:  # a mail server that is down must not undo the change that was committed
        logger.exception("Notification e-mail to %s failed", len(addresses))
