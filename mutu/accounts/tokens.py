"""API tokens: created for a limited time, listed and revoked by their owner and by the admins whose
scope holds their user (pusat: everyone; an LPMP: users with a membership in its province)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mutu.core.services import record_audit

from .models import ApiToken, Membership
from .permissions import Perm
from .scopes import area_for


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, user, name, actor=None, days=None):
    """A new token for `user`, valid `days` (default MUTU_API_TOKEN_DAYS); the plain value is returned
    once and never stored."""
    token = secrets.token_urlsafe(32)
    days = days or settings.MUTU_API_TOKEN_DAYS
    record = ApiToken.objects.create(
        user=user,
        name=name,
        digest=digest(token),
        hint=token[:6],
        expires_at=timezone.now() + timedelta(days=days),
    )
    record_audit(
        actor=actor, action="api_token.create", obj=record, changes={"days": days}, province_id=_province_of(user)
    )
    return token


def _province_of(user):
    """The province of the user's memberships, when they all lie in one (for the audit log's scope)."""
    provinces = set()
    for m in Membership.objects.active().filter(user=user).select_related("regency", "school"):
        provinces.add(m.province_id or (m.regency and m.regency.province_id) or (m.school and m.school.province_id))
    return provinces.pop() if len(provinces) == 1 else None


def user_for_token(token):
    record = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), user__is_active=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if record is None:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user


def tokens_for(user):
    """The tokens `user` may list and revoke: their own, and those of the users in their admin scope."""
    area = area_for(user, Perm.TOKEN_MANAGE)
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    if area.national:
        return tokens
    return tokens.filter(Q(user=user) | Q(user_id__in=users_within(area.provinces)))


def users_within(provinces):
    """Users whose memberships valid today all lie in these provinces (a national admin, or someone
    with a role elsewhere too, is outside any one province's reach)."""
    active = Membership.objects.active()
    inside = (
        Q(province_id__in=provinces)
        | Q(regency__province_id__in=provinces)
        | Q(school__province_id__in=provinces)
        | Q(schools__province_id__in=provinces)
    )
    # Outside: a membership with no place in these provinces (national, another province, a school or
    # an assigned school elsewhere).
    outside = active.exclude(pk__in=active.filter(inside).values("pk")) | active.filter(schools__isnull=False).exclude(
        schools__province_id__in=provinces
    )
    return active.filter(inside).exclude(user_id__in=outside.values("user_id")).values("user_id")


@transaction.atomic
def revoke_token(*, actor, token):
    """End a token now; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        record_audit(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            changes={"user": token.user.username},
            province_id=_province_of(token.user),
        )
    return token
