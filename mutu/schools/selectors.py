"""Every read of schools goes through here, scoped by the user's active memberships."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for, area_of

from .models import School

INCOMPLETE = (
    Q(principal_name="") | Q(accreditation="") | Q(address="") | Q(latitude__isnull=True) | Q(longitude__isnull=True)
)


def membership_school_q(membership):
    """The schools one membership covers, as a filter on School."""
    return area_of([membership]).school_q()


def schools_for_user(user, perm=Perm.SCHOOL_VIEW):
    return School.objects.filter(area_for(user, perm).school_q())


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
