"""The named permission vocabulary and which roles hold which permission.

Views check a permission with `require_perm`; selectors then narrow the rows to the scopes of the
memberships that grant it, so holding a permission somewhere never widens what a user sees.
"""

from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied

from .models import Membership, Role


class Perm(StrEnum):
    SCHOOL_VIEW = "school.view"
    SCHOOL_EDIT = "school.edit"
    SCHOOL_IMPORT = "school.import"
    SCHOOL_EXPORT = "school.export"
    AUDIT_VIEW = "audit.view"
    ROUND_VIEW = "round.view"  # progress and rapor mutu of schools in scope
    ROUND_MANAGE = "round.manage"  # open rounds, load instruments, run scoring
    RESPONDENT_MANAGE = "respondent.manage"  # create respondent slots, print codes
    VERVAL = "rapor.verify"  # pengawas verification of sub-indicator scores
    # Raw questionnaire answers, for regional and national analysts only: a school's own staff could
    # tell whose answers a row holds (one kepala sekolah, a handful of guru).
    RESPONSES_EXPORT = "responses.export"
    TOKEN_MANAGE = "token.manage"  # list and revoke the API tokens of users in scope
    CYCLE_VIEW = "cycle.view"  # a school's SPMI cycle: its documents, their state and history
    CYCLE_EDIT = "cycle.edit"  # write the school's own cycle documents and submit them (TPMPS, kepala sekolah)
    CYCLE_REVIEW = "cycle.review"  # take, accept or return submitted documents (pengawas, LPMP)
    CYCLE_CONFIGURE = "cycle.configure"  # a province's entry step and due dates (LPMP, pusat)
    # The sekolah model programme.
    PROGRAMME_VIEW = "programme.view"  # cohorts, model and imbas schools, events and recaps in scope
    PROGRAMME_PROPOSE = "programme.propose"  # propose candidate model schools (pengawas, Dinas)
    PROGRAMME_MANAGE = "programme.manage"  # cohorts, designation, events, participants, certificates (LPMP)
    PROGRAMME_ATTENDANCE = "programme.attendance"  # take attendance of the events one facilitates
    PROGRAMME_REPORT = "programme.report"  # a model school's imbas visits and grant spending (its team)
    # Rapor Pendidikan (the ministry's figures) and planning from it (PBD).
    RP_VIEW = "rp.view"  # the Rapor Pendidikan of schools and regions in scope
    RP_IMPORT = "rp.import"  # upload the official downloads of one's school or region
    PRACTICE_REVIEW = "practice.review"  # publish or return the good practices proposed in one's province (LPMP)


SCHOOL_TEAM = {Perm.CYCLE_VIEW, Perm.CYCLE_EDIT, Perm.PROGRAMME_VIEW, Perm.PROGRAMME_REPORT, Perm.RP_VIEW}
ROLE_PERMS = {
    # Pusat follows every cycle and sets due dates; reviewing schools' documents is LPMP's and pengawas' work.
    Role.ADMIN_PUSAT: set(Perm)
    - {Perm.RESPONDENT_MANAGE, Perm.VERVAL, Perm.CYCLE_EDIT, Perm.CYCLE_REVIEW, Perm.PROGRAMME_REPORT},
    Role.ADMIN_LPMP: set(Perm) - {Perm.RESPONDENT_MANAGE, Perm.VERVAL, Perm.CYCLE_EDIT},
    Role.DINAS: {
        Perm.SCHOOL_VIEW,
        Perm.SCHOOL_EDIT,
        Perm.SCHOOL_IMPORT,
        Perm.SCHOOL_EXPORT,
        Perm.ROUND_VIEW,
        Perm.CYCLE_VIEW,
        Perm.PROGRAMME_VIEW,
        Perm.PROGRAMME_PROPOSE,
        Perm.RP_VIEW,
        Perm.RP_IMPORT,
    },
    Role.PENGAWAS: {
        Perm.SCHOOL_VIEW,
        Perm.SCHOOL_EXPORT,
        Perm.ROUND_VIEW,
        Perm.VERVAL,
        Perm.CYCLE_VIEW,
        Perm.CYCLE_REVIEW,
        Perm.PROGRAMME_VIEW,
        Perm.PROGRAMME_PROPOSE,
        Perm.RP_VIEW,
    },
    Role.FASILITATOR: {
        Perm.SCHOOL_VIEW,
        Perm.ROUND_VIEW,
        Perm.CYCLE_VIEW,
        Perm.PROGRAMME_VIEW,
        Perm.PROGRAMME_ATTENDANCE,
        Perm.RP_VIEW,
    },
    Role.KEPALA_SEKOLAH: {Perm.SCHOOL_VIEW, Perm.SCHOOL_EDIT, Perm.ROUND_VIEW, Perm.RESPONDENT_MANAGE, Perm.RP_IMPORT}
    | SCHOOL_TEAM,
    Role.OPERATOR: {
        Perm.SCHOOL_VIEW,
        Perm.SCHOOL_EDIT,
        Perm.ROUND_VIEW,
        Perm.RESPONDENT_MANAGE,
        Perm.CYCLE_VIEW,
        Perm.PROGRAMME_VIEW,
        Perm.RP_VIEW,
        Perm.RP_IMPORT,
    },
    Role.TPMPS: {Perm.SCHOOL_VIEW, Perm.ROUND_VIEW} | SCHOOL_TEAM,
}


def active_memberships(user):
    """The user's memberships valid today, cached on the user object for the request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_mutu_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active().filter(user=user).select_related("province", "regency", "school").order_by("id")
        )
        user._mutu_memberships = cached
    return cached


def memberships_with(user, perm):
    return [m for m in active_memberships(user) if perm in ROLE_PERMS[m.role]]


def has_perm(user, perm):
    return bool(memberships_with(user, perm))


def require_perm(perm):
    """View decorator: 403 unless one of the user's active memberships grants `perm`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
