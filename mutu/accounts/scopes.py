"""The one scope rule: what a user's memberships that grant a permission cover, for reading and writing.

`area_for(user, perm)` unions the memberships valid today that grant `perm` into an `Area`:

- national (pusat): everything;
- a province (LPMP): every school of it, and the province's region-bound objects (its instruments,
  its programme, the audit entries and API tokens of its people);
- a region (Dinas): a kab/kota's SD and SMP, or a province's SMA, SMK and SLB (UU 23/2014);
- assigned schools (pengawas, fasilitator) or one school (its staff): those schools only.

Reads use `school_q()` (schools) and `province_q()` (region-bound objects). Writes that place a
school use `allows()`: only national, province and region scopes place schools; a school's own staff
and assigned pengawas read and correct, but never move a school.
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import ROLE_SCOPE, Membership, Scope
from .permissions import memberships_with

# Which Dinas holds which jenjang (UU 23/2014): a kab/kota's the SD and SMP, a province's the rest.
REGENCY_LEVELS = ("SD", "SMP")
PROVINCE_LEVELS = ("SMA", "SMK", "SLB")


@dataclass(frozen=True)
class Area:
    national: bool = False
    provinces: frozenset = frozenset()  # whole provinces
    regencies: frozenset = frozenset()  # a kab/kota's SD and SMP
    province_levels: frozenset = frozenset()  # a province's SMA, SMK and SLB
    assignments: frozenset = frozenset()  # membership ids whose assigned schools are covered
    schools: frozenset = frozenset()  # single schools (their staff)

    def school_q(self, prefix=""):
        """The covered schools, as a filter on School (or, with `prefix`, on a relation to it)."""
        if self.national:
            return Q()
        q = Q(**{f"{prefix}pk__in": []})
        if self.provinces:
            q |= Q(**{f"{prefix}province_id__in": self.provinces})
        if self.regencies:
            q |= Q(**{f"{prefix}regency_id__in": self.regencies, f"{prefix}level__in": REGENCY_LEVELS})
        if self.province_levels:
            q |= Q(**{f"{prefix}province_id__in": self.province_levels, f"{prefix}level__in": PROVINCE_LEVELS})
        if self.assignments:
            assigned = Membership.schools.through.objects.filter(membership_id__in=self.assignments)
            q |= Q(**{f"{prefix}pk__in": assigned.values("school_id")})
        if self.schools:
            q |= Q(**{f"{prefix}pk__in": self.schools})
        return q

    def province_q(self, field="province"):
        """Region-bound objects (`field` names their province) of the whole provinces covered."""
        return Q() if self.national else Q(**{f"{field}_id__in": self.provinces})

    def regency_q(self, field="regency"):
        """Objects bound to a kab/kota (`field` names it) covered as a region: those of whole provinces,
        a Dinas's kab/kota, and every kab/kota of a Dinas provinsi's province. Assigned and single
        schools cover no region."""
        if self.national:
            return Q()
        return Q(**{f"{field}__province_id__in": self.provinces | self.province_levels}) | Q(
            **{f"{field}__in": self.regencies}
        )

    def whole_provinces(self):
        """The provinces covered whole, as a queryset: every one for a national scope."""
        from mutu.regions.models import Province

        return Province.objects.all() if self.national else Province.objects.filter(pk__in=self.provinces)

    def allows(self, province_id, regency_id, level):
        """Whether a school may be placed here (its province, kab/kota and jenjang)."""
        return (
            self.national
            or province_id in self.provinces
            or (regency_id in self.regencies and level in REGENCY_LEVELS)
            or (province_id in self.province_levels and level in PROVINCE_LEVELS)
        )

    def covers_region(self, province_id, regency_id, level):
        """Whether a region's own figures (a province's, or a kab/kota's when `regency_id` is given) of
        a jenjang ("" for all) are this area's: a Dinas's are its kab/kota's SD and SMP, or its
        province's SMA, SMK and SLB."""
        return (
            self.national
            or province_id in self.provinces
            or (regency_id in self.regencies and level in ("", *REGENCY_LEVELS))
            or (province_id in self.province_levels and level in PROVINCE_LEVELS)
        )

    @property
    def unrestricted(self):
        return self.national


UNRESTRICTED = Area(national=True)
NOWHERE = Area()


def area_of(memberships):
    """The union of what these memberships cover."""
    parts = {"provinces": set(), "regencies": set(), "province_levels": set(), "assignments": set(), "schools": set()}
    for membership in memberships:
        kind = ROLE_SCOPE[membership.role]
        if kind == Scope.NATIONAL:
            return UNRESTRICTED
        if kind == Scope.PROVINCE:
            parts["provinces"].add(membership.province_id)
        elif kind == Scope.REGION and membership.regency_id:
            parts["regencies"].add(membership.regency_id)
        elif kind == Scope.REGION and membership.province_id:
            parts["province_levels"].add(membership.province_id)
        elif kind == Scope.ASSIGNED:
            parts["assignments"].add(membership.pk)
        elif kind == Scope.SCHOOL and membership.school_id:
            parts["schools"].add(membership.school_id)
    return Area(**{name: frozenset(ids) for name, ids in parts.items()})


def area_for(user, perm):
    """What the user's memberships valid today that grant `perm` cover."""
    return area_of(memberships_with(user, perm))
