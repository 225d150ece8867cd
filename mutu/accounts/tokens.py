import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from mutu.core.services import record_audit

from .models import ApiToken


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, user, name, actor=None):
    """A new token for `user`; the plain value is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, digest=digest(token))
    record_audit(actor=actor, action="api_token.create", obj=record)
    return token


def user_for_token(token):
    record = ApiToken.objects.select_related("user").filter(digest=digest(token), user__is_active=True).first()
    if record is None:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user
