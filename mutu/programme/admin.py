"""The programme in the admin: to look records up, scoped like every programme page (selectors).

Changes go through Mutu's own pages, where each step's rules hold (designation, attendance,
certificates); the admin writes nothing here but for a superuser.
"""

from django.contrib import admin

from mutu.accounts.permissions import Perm
from mutu.core.admin import MutuPermissionAdmin

from . import selectors
from .models import Certificate, Cohort, Event, ImbasSchool, ModelSchool, Participant


class ProgrammeAdmin(MutuPermissionAdmin):
    view_perm = Perm.PROGRAMME_VIEW
    change_perm = None  # superusers only
    # A country's schools and kab/kota are no drop-down: each admin names its links in raw_id_fields
    # (an id with a look-up window).

    def cohorts(self, request):
        return list(selectors.cohorts_for(request.user))


@admin.register(Cohort)
class CohortAdmin(ProgrammeAdmin):
    list_display = ["name", "province", "year", "imbas_target"]
    list_filter = ["year"]
    search_fields = ["name"]
    list_select_related = ["province"]

    def scoped_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.cohorts_for(request.user).values("pk"))


@admin.register(ModelSchool)
class ModelSchoolAdmin(ProgrammeAdmin):
    raw_id_fields = ["school", "cohort", "replaced_by"]
    list_display = ["school", "cohort", "status", "decree_number"]
    list_filter = ["status"]
    search_fields = ["school__npsn", "school__name"]
    list_select_related = ["school", "cohort"]

    def scoped_queryset(self, request, queryset):
        seen = [
            pk
            for cohort in self.cohorts(request)
            for pk in selectors.model_schools_for(request.user, cohort).values_list("pk", flat=True)
        ]
        return queryset.filter(pk__in=seen)


@admin.register(ImbasSchool)
class ImbasSchoolAdmin(ProgrammeAdmin):
    raw_id_fields = ["school", "model_school", "cohort"]
    list_display = ["school", "model_school", "cohort"]
    search_fields = ["school__npsn", "school__name"]
    list_select_related = ["school", "model_school__school", "cohort"]

    def scoped_queryset(self, request, queryset):
        seen = [
            pk
            for cohort in self.cohorts(request)
            for pk in selectors.imbas_for(request.user, cohort).values_list("pk", flat=True)
        ]
        return queryset.filter(pk__in=seen)


@admin.register(Event)
class EventAdmin(ProgrammeAdmin):
    raw_id_fields = ["cohort"]
    list_display = ["name", "cohort", "kind", "stage", "mode", "days"]
    list_filter = ["kind", "mode"]
    search_fields = ["name"]
    list_select_related = ["cohort"]

    def scoped_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.events_for(request.user).values("pk"))


@admin.register(Participant)
class ParticipantAdmin(ProgrammeAdmin):
    raw_id_fields = ["event", "session", "regency", "school"]
    list_display = ["name", "role", "event", "regency", "school"]
    list_filter = ["role"]
    search_fields = ["name", "nip", "school__npsn"]
    list_select_related = ["event", "regency", "school"]
    exclude = ["code", "key"]  # the personal code opens check-in: it stays on the event's page

    def scoped_queryset(self, request, queryset):
        seen = selectors.participants_in(request.user, selectors.events_for(request.user))
        return queryset.filter(pk__in=seen.values("pk"))


@admin.register(Certificate)
class CertificateAdmin(ProgrammeAdmin):
    raw_id_fields = ["participant", "event"]
    list_display = ["number", "participant", "event", "issued_at", "revoked_at"]
    search_fields = ["number", "participant__name"]
    list_select_related = ["participant", "event"]
    exclude = ["check_code"]  # printed on the certificate only: with the number it proves it

    def scoped_queryset(self, request, queryset):
        seen = selectors.participants_in(request.user, selectors.events_for(request.user))
        return queryset.filter(participant__in=seen.values("pk"))
