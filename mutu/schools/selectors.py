"""Every read of schools goes through here, scoped by the user's active memberships."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from mutu.accounts.models import ROLE_SCOPE, Membership, Scope
from mutu.accounts.permissions import Perm, memberships_with

from .models import PROVINCE_LEVELS, REGENCY_LEVELS, School

INCOMPLETE = (
    Q(principal_name="") | Q(accreditation="") | Q(address="") | Q(latitude__isnull=True) | Q(longitude__isnull=True)
)


def membership_school_q(membership):
    """The schools one membership covers, as a filter on School."""
    scope = ROLE_SCOPE[membership.role]
    if scope == Scope.NATIONAL:
        return Q()
    if scope == Scope.PROVINCE:
        return Q(province_id=membership.province_id)
    if scope == Scope.REGION:
        if membership.regency_id:
            return Q(regency_id=membership.regency_id, level__in=REGENCY_LEVELS)
        return Q(province_id=membership.province_id, level__in=PROVINCE_LEVELS)
    if scope == Scope.ASSIGNED:
        return Q(id__in=Membership.schools.through.objects.filter(membership_id=membership.id).values("school_id"))
    return Q(id=membership.school_id)


def schools_for_user(user, perm=Perm.SCHOOL_VIEW):
    memberships = memberships_with(user, perm)
    if not memberships:
        return School.objects.none()
    q = Q(pk__in=[])
    for membership in memberships:
        scope_q = membership_school_q(membership)
        if not scope_q:
            return School.objects.all()
        q |= scope_q
    return School.objects.filter(q)


def school_for_user(user, npsn, perm=Perm.SCHOOL_VIEW):
    """One school in the user's scope, or 404 (never reveal that it exists elsewhere)."""
    return get_object_or_404(schools_for_user(user, perm).select_related("district", "regency", "province"), npsn=npsn)


def search_schools(
    queryset, *, q="", province=None, regency=None, district=None, level="", status="", incomplete=False
):
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(npsn__startswith=q))
    if province:
        queryset = queryset.filter(province=province)
    if regency:
        queryset = queryset.filter(regency=regency)
    if district:
        queryset = queryset.filter(district=district)
    if level:
        queryset = queryset.filter(level=level)
    if status:
        queryset = queryset.filter(status=status)
    if incomplete:
        queryset = queryset.filter(INCOMPLETE)
    return queryset


def school_summary(queryset):
    """Counts per jenjang and incomplete profiles, in one query."""
    totals = queryset.aggregate(
        total=Count("id"),
        incomplete=Count("id", filter=INCOMPLETE),
        **{
            f"level_{level}": Count("id", filter=Q(level=level)) for level, _ in School._meta.get_field("level").choices
        },
    )
    return totals
