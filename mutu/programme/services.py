"""Writes of the programme's cohorts, selection and imbas network, grants and regional support.

Every write checks its actor's scope, runs in a transaction and records the audit trail; a status
move is a django-fsm-2 transition recorded in `StatusChange` with the same transaction."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from mutu.accounts.models import Membership, Role
from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core import dates, uploads
from mutu.core.notifications import notify
from mutu.core.saving import Refused
from mutu.core.services import record_audit
from mutu.schools.models import School

from . import selectors
from .models import (
    Agreement,
    Cohort,
    Grant,
    GrantSpending,
    ImbasSchool,
    ImbasVisit,
    ModelSchool,
    ModelSchoolStatus,
    StatusChange,
    TpmpdMember,
)

DOCUMENT_KINDS = ["pdf", "image", "office"]


class ProgrammeError(Refused):
    """The write is refused; the message says why, for people."""


def require_manager(actor, cohort):
    """Refuse unless the actor runs the cohort (its province's LPMP, or pusat)."""
    if not selectors.manages(actor, cohort):
        raise ProgrammeError(_("Only the LPMP of %(province)s does this.") % {"province": cohort.province})


def checked_document(upload):
    """The upload's type, read from its content, if it is a document (PDF, photo, office file)."""
    try:
        return uploads.check(upload, DOCUMENT_KINDS)
    except uploads.UploadRefused as exc:
        raise ProgrammeError(str(exc)) from exc


def record_move(*, actor, subject, source, target, note=""):
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        actor=actor,
        source=source,
        target=target,
        note=note,
    )


def history(subject):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("actor")


@transaction.atomic
def create_cohort(*, actor, province, year, name, imbas_target=5):
    area = area_for(actor, Perm.PROGRAMME_MANAGE)
    if not (area.national or province.pk in area.provinces):
        raise ProgrammeError(_("Only the LPMP of %(province)s does this.") % {"province": province})
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(
                province=province, year=year, name=name.strip(), imbas_target=imbas_target, created_by=actor
            )
    except IntegrityError as exc:
        raise ProgrammeError(
            _("%(province)s already has a cohort “%(name)s” in %(year)s.")
            % {"province": province, "name": name, "year": year}
        ) from exc
    record_audit(actor=actor, action="programme.cohort", obj=cohort, province_id=province.pk)
    return cohort


def _lpmp(cohort):
    memberships = Membership.objects.active().filter(role=Role.ADMIN_LPMP, province=cohort.province_id)
    return [m.user for m in memberships.select_related("user")]


@transaction.atomic
def may_complete(actor, record):
    """Whether the actor may complete a candidate's criteria: whoever may propose the school (its
    pengawas or Dinas) or the cohort's LPMP, while it is a candidate."""
    if record.status != ModelSchoolStatus.CANDIDATE:
        return False
    if selectors.manages(actor, record.cohort):
        return True
    return School.objects.filter(area_for(actor, Perm.PROGRAMME_PROPOSE).school_q(), pk=record.school_id).exists()


@transaction.atomic
def complete_criteria(*, actor, record, commitment=None, regional_support=False, support_note=""):
    """Complete or correct a candidate's criteria after proposing (the statement, the region's support),
    so that a candidate missing one is fixed instead of refused; each change is audited."""
    record = ModelSchool.objects.select_for_update().select_related("cohort", "school").get(pk=record.pk)
    if not may_complete(actor, record):
        raise ProgrammeError(_("Only a candidate's criteria are completed, by who proposes it or its LPMP."))
    changes = {}
    if commitment:
        checked_document(commitment)
        changes["commitment"] = [record.commitment_name, commitment.name[:255]]
        record.commitment, record.commitment_name = commitment, commitment.name[:255]
    support_note = support_note.strip()
    if (record.regional_support, record.regional_support_note) != (regional_support, support_note):
        changes["regional_support"] = [record.regional_support, regional_support]
        changes["support_note"] = [record.regional_support_note, support_note]
        record.regional_support, record.regional_support_note = regional_support, support_note
    if changes:
        record.save()
        record_audit(
            actor=actor, action="programme.criteria", obj=record, changes=changes, province_id=record.cohort.province_id
        )
    return record


def propose(*, actor, cohort, school, commitment=None, regional_support=False, support_note="", note=""):
    """A pengawas or Dinas proposes a school of its scope as a candidate, with the checklist: the rapor
    mutu (read, and a school that already meets SNP is refused), the signed commitment statement, the
    regional government's support."""
    if not School.objects.filter(area_for(actor, Perm.PROGRAMME_PROPOSE).school_q(), pk=school.pk).exists():
        raise ProgrammeError(_("You propose schools you supervise or whose region you serve."))
    if school.province_id != cohort.province_id:
        raise ProgrammeError(_("The school is not in %(province)s.") % {"province": cohort.province})
    if cohort.imbas_schools.filter(school=school).exists():
        raise ProgrammeError(_("%(school)s is an imbas school of this cohort.") % {"school": school.name})
    rapor = selectors.latest_rapor([school]).get(school.pk)
    if rapor and rapor[2]:
        raise ProgrammeError(
            _(
                "%(school)s already meets the SNP in its rapor mutu (%(score)s): "
                "model schools are chosen among those that do not yet."
            )
            % {"school": school.name, "score": f"{rapor[0]:.2f}".replace(".", ",")}
        )
    record = ModelSchool(
        cohort=cohort,
        school=school,
        proposed_by=actor,
        regional_support=regional_support,
        regional_support_note=support_note.strip(),
        note=note.strip(),
    )
    if commitment:
        checked_document(commitment)
        record.commitment, record.commitment_name = commitment, commitment.name[:255]
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise ProgrammeError(_("%(school)s is already in this cohort.") % {"school": school.name}) from exc
    record_move(actor=actor, subject=record, source="", target=record.status, note=note)
    record_audit(actor=actor, action="programme.propose", obj=record, province_id=cohort.province_id)
    notify(
        _lpmp(cohort),
        _("%(who)s proposed %(school)s for %(cohort)s.") % {"who": actor, "school": school.name, "cohort": cohort.name},
    )
    return record


MOVES = {"designate", "reject", "graduate", "replace"}


@transaction.atomic
def move(*, actor, record, name, note="", decree_number="", decree_date=None, replacement=None):
    """One status move of a model school by the cohort's LPMP: designate (SK number and date), reject
    (a reason), graduate as mandiri, or replace (by another school of the cohort). A move the state
    does not allow, or without what it needs, changes nothing."""
    record = ModelSchool.objects.select_for_update().select_related("cohort__province", "school").get(pk=record.pk)
    require_manager(actor, record.cohort)
    if name not in MOVES or not can_proceed(getattr(record, name)):
        raise ProgrammeError(
            _("%(school)s is “%(state)s”: this move is not possible now.")
            % {"school": record.school.name, "state": record.get_status_display()}
        )
    note = note.strip()
    if name == "designate":
        if not decree_number.strip() or not decree_date:
            raise ProgrammeError(_("Designation needs the SK number and date."))
        if decree_date > timezone.localdate():
            raise ProgrammeError(_("The SK date cannot lie in the future."))
        if not record.commitment or not record.regional_support:
            raise ProgrammeError(
                _("Designation needs the criteria met: the signed commitment statement and the region's support.")
            )
        record.decree_number, record.decree_date = decree_number.strip(), decree_date
    elif name == "reject":
        if not note:
            raise ProgrammeError(_("Say why the school is not designated."))
        record.rejection_reason = note
    elif name == "replace":
        if not note:
            raise ProgrammeError(_("Say why the school is replaced."))
        if (
            replacement is None
            or replacement.cohort_id != record.cohort_id
            or replacement.pk == record.pk
            or replacement.status != ModelSchoolStatus.CANDIDATE
        ):
            raise ProgrammeError(_("Choose the replacing school among the cohort's candidates."))
        record.replaced_by = replacement
    source = record.status
    getattr(record, name)()
    record.save()
    record_move(actor=actor, subject=record, source=source, target=record.status, note=note)
    _effect_changed(record.cohort)
    record_audit(
        actor=actor,
        action=f"programme.{name}",
        obj=record,
        province_id=record.cohort.province_id,
        changes={"status": [source, record.status]},
    )
    team = Membership.objects.active().filter(school=record.school, role__in=[Role.KEPALA_SEKOLAH, Role.TPMPS])
    notify(
        [m.user for m in team.select_related("user")] + ([record.proposed_by] if record.proposed_by else []),
        _("%(school)s is now “%(state)s” in %(cohort)s.")
        % {"school": record.school.name, "state": record.get_status_display(), "cohort": record.cohort.name},
    )
    return record


def imbas_choices(model_school):
    """The schools of the cohort's province that may still become imbas schools: none already in it."""
    cohort = model_school.cohort
    taken = Q(pk__in=cohort.imbas_schools.values("school_id")) | Q(pk__in=cohort.model_schools.values("school_id"))
    return School.objects.filter(province_id=cohort.province_id).exclude(taken).order_by("name")


def imbas_suggestions(model_school, limit=20):
    """Nearby schools that could become imbas schools: same kecamatan first, then the kab/kota, by
    distance where both have coordinates; never a school already in the cohort."""
    school = model_school.school
    candidates = list(
        imbas_choices(model_school).filter(regency_id=school.regency_id).select_related("district")[:2000]
    )

    def distance(other):
        if None in (school.latitude, school.longitude, other.latitude, other.longitude):
            return float("inf")
        return float((school.latitude - other.latitude) ** 2 + (school.longitude - other.longitude) ** 2)

    candidates.sort(key=lambda o: (o.district_id != school.district_id, o.level != school.level, distance(o), o.name))
    return candidates[:limit]


@transaction.atomic
def add_imbas(*, actor, model_school, school, agreed_on=None):
    model_school = (
        ModelSchool.objects.select_for_update().select_related("cohort__province", "school").get(pk=model_school.pk)
    )
    cohort = model_school.cohort
    require_manager(actor, cohort)
    if model_school.status != ModelSchoolStatus.DESIGNATED:
        raise ProgrammeError(_("Imbas schools are chosen for designated model schools."))
    if school.regency_id != model_school.school.regency_id:
        raise ProgrammeError(_("An imbas school lies in the model school's kab/kota."))
    if cohort.model_schools.filter(school=school).exists():
        raise ProgrammeError(_("%(school)s is a model school of this cohort.") % {"school": school.name})
    if model_school.imbas.count() >= cohort.imbas_target:
        raise ProgrammeError(
            _("%(school)s already has its %(n)s imbas schools.")
            % {"school": model_school.school.name, "n": cohort.imbas_target}
        )
    try:
        with transaction.atomic():
            imbas = ImbasSchool.objects.create(
                cohort=cohort, model_school=model_school, school=school, agreed_on=agreed_on, added_by=actor
            )
    except IntegrityError as exc:
        raise ProgrammeError(
            _("%(school)s is already an imbas school in this cohort.") % {"school": school.name}
        ) from exc
    record_audit(actor=actor, action="programme.imbas", obj=imbas, province_id=cohort.province_id)
    _effect_changed(cohort)
    return imbas


@transaction.atomic
def remove_imbas(*, actor, imbas):
    require_manager(actor, imbas.cohort)
    if imbas.visits.exists():
        raise ProgrammeError(_("An imbas school with recorded visits stays."))
    record_audit(actor=actor, action="programme.imbas.remove", obj=imbas, province_id=imbas.cohort.province_id)
    imbas.delete()
    _effect_changed(imbas.cohort)


def _effect_changed(cohort):
    from .effect import queue  # the effect reads the evaluation, which builds on these services

    queue([cohort.pk])


def may_report(actor, model_school):
    """The model school's own team, or its cohort's LPMP."""
    if selectors.manages(actor, model_school.cohort):
        return True
    return School.objects.filter(area_for(actor, Perm.PROGRAMME_REPORT).school_q(), pk=model_school.school_id).exists()


@transaction.atomic
def record_imbas_visit(*, actor, imbas, data, evidence=None):
    if not may_report(actor, imbas.model_school):
        raise ProgrammeError(_("The model school's team records the visits to its imbas schools."))
    if data["ends_on"] < data["starts_on"]:
        raise ProgrammeError(_("The visit cannot end before it starts."))
    visit = ImbasVisit(imbas=imbas, recorded_by=actor, **data)
    if evidence:
        checked_document(evidence)
        visit.evidence, visit.evidence_name = evidence, evidence.name[:255]
    visit.save()
    record_audit(actor=actor, action="programme.imbas_visit", obj=visit, province_id=imbas.cohort.province_id)
    return visit


def coverage(cohort, model_schools, imbas):
    """Per kab/kota: designated model schools, those with fewer imbas schools than the target, imbas
    schools, and those not visited yet. Three queries."""
    designated = model_schools.filter(status=ModelSchoolStatus.DESIGNATED).annotate(n=Count("imbas"))
    rows = {}

    def row(regency):
        return rows.setdefault(regency.pk, {"regency": regency, "models": 0, "short": 0, "imbas": 0, "unvisited": 0})

    for record in designated:
        entry = row(record.school.regency)
        entry["models"] += 1
        entry["short"] += record.n < cohort.imbas_target
    for record in imbas.annotate(visit_count=Count("visits")):
        entry = row(record.school.regency)
        entry["imbas"] += 1
        entry["unvisited"] += record.visit_count == 0
    return sorted(rows.values(), key=lambda r: (r["regency"].kind, r["regency"].name))


# Grants -----------------------------------------------------------------------------------------


@transaction.atomic
def save_grant(*, actor, model_school, data):
    require_manager(actor, model_school.cohort)
    if model_school.status not in (ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED):
        raise ProgrammeError(_("A grant goes to a designated model school."))
    if data.get("refund") and data["refund"] > data["amount"]:
        raise ProgrammeError(_("The refund cannot be more than the grant."))
    spent = GrantSpending.objects.filter(grant__model_school=model_school).aggregate(total=Sum("amount"))["total"]
    if spent and spent + (data.get("refund") or 0) > data["amount"]:
        raise ProgrammeError(_("Rp %(spent)s is already reported as spent: the grant cannot be less than that and its refund.") % {  # noqa: E501
            "spent": f"{spent:,.0f}".replace(",", ".")})  # fmt: skip
    start = data["agreement_date"]
    for field, label in (("transferred_on", _("transfer")), ("refunded_on", _("refund")),
                         ("report_done_on", _("spending report"))):  # fmt: skip
        if data.get(field) and data[field] < start:
            raise ProgrammeError(_("The %(what)s cannot come before the agreement (%(date)s).") % {
                "what": label, "date": dates.shown(start)})  # fmt: skip
    grant, _created = Grant.objects.update_or_create(model_school=model_school, defaults=data)
    record_audit(actor=actor, action="programme.grant", obj=grant, province_id=model_school.cohort.province_id)
    return grant


@transaction.atomic
def add_spending(*, actor, grant, data):
    grant = Grant.objects.select_for_update().select_related("model_school__cohort").get(pk=grant.pk)
    if not may_report(actor, grant.model_school):
        raise ProgrammeError(_("The model school's team reports how its grant is spent."))
    spent = grant.spending.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if spent + data["amount"] > grant.amount - grant.refund:
        raise ProgrammeError(
            _("The spending would exceed the grant (Rp %(left)s left).")
            % {"left": f"{grant.amount - grant.refund - spent:,.0f}".replace(",", ".")}
        )
    line = GrantSpending.objects.create(grant=grant, **data)
    record_audit(actor=actor, action="programme.spending", obj=line, province_id=grant.model_school.cohort.province_id)
    return line


def realisation(grants):
    """The cohort's grant realisation: granted, spent, refunded, left, reports done. Two queries."""
    grants = list(grants.annotate(spent=Sum("spending__amount")))
    granted = sum((g.amount for g in grants), Decimal(0))
    spent = sum((g.spent or Decimal(0) for g in grants), Decimal(0))
    refunded = sum((g.refund for g in grants), Decimal(0))
    return {
        "grants": grants,
        "granted": granted,
        "spent": spent,
        "refunded": refunded,
        "left": granted - spent - refunded,
        "reports": sum(1 for g in grants if g.report_done_on),
        "share": float(spent / granted) if granted else None,
    }


# Regional support -------------------------------------------------------------------------------


@transaction.atomic
def add_tpmpd_member(*, actor, cohort, data):
    require_manager(actor, cohort)
    if data["regency"].province_id != cohort.province_id:
        raise ProgrammeError(_("The kab/kota is not in %(province)s.") % {"province": cohort.province})
    try:
        with transaction.atomic():
            member = TpmpdMember.objects.create(**data)
    except IntegrityError as exc:
        raise ProgrammeError(
            _("%(name)s is already a TPMPD member of %(regency)s.") % {"name": data["name"], "regency": data["regency"]}
        ) from exc
    record_audit(actor=actor, action="programme.tpmpd", obj=member, province_id=cohort.province_id)
    return member


@transaction.atomic
def save_agreement(*, actor, cohort, data, upload=None):
    require_manager(actor, cohort)
    if data["regency"].province_id != cohort.province_id:
        raise ProgrammeError(_("The kab/kota is not in %(province)s.") % {"province": cohort.province})
    agreement = Agreement.objects.filter(cohort=cohort, regency=data["regency"]).first() or Agreement(cohort=cohort)
    for field, value in data.items():
        setattr(agreement, field, value)
    if upload:
        checked_document(upload)
        agreement.file, agreement.file_name = upload, upload.name[:255]
    agreement.save()
    record_audit(actor=actor, action="programme.agreement", obj=agreement, province_id=cohort.province_id)
    return agreement
