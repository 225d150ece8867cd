"""Which instrument versions a user sees, owns and may open a round with."""

from django.db.models import Q

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for

from .models import InstrumentUpload, InstrumentVersion


def ownership(user):
    """(national, province ids): the scopes whose instruments the user changes — pusat the national
    ones, an LPMP its province's."""
    area = area_for(user, Perm.ROUND_MANAGE)
    return area.national, set(area.provinces)


def _owned_q(user):
    national, provinces = ownership(user)
    q = Q(province_id__in=provinces)
    if national:
        q |= Q(province__isnull=True)
    return q


def owned_versions(user):
    return InstrumentVersion.objects.filter(_owned_q(user))


def visible_versions(user):
    """Published versions, and the drafts of the user's own scopes."""
    return InstrumentVersion.objects.filter(Q(published=True) | _owned_q(user)).select_related("province")


def usable_versions(user):
    """Published versions a round of the user's may use: national ones and those of the user's provinces
    (pusat, who opens rounds for any province, every one)."""
    national, provinces = ownership(user)
    versions = InstrumentVersion.objects.filter(published=True)
    if not national:
        versions = versions.filter(Q(province__isnull=True) | Q(province_id__in=provinces))
    return versions.order_by("name", "code")


def uploads_for(user):
    return InstrumentUpload.objects.filter(uploaded_by=user)
