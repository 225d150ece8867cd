"""Pages of the sekolah model programme. Views parse, authorise (scoped selectors), call one service
and render; refused writes say why and save nothing."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutu.accounts.models import Membership, Role, User
from mutu.accounts.permissions import Perm, has_perm, require_perm
from mutu.accounts.scopes import area_for
from mutu.core import uploads
from mutu.core.forms import form_errors, search_in
from mutu.core.jobs import settle
from mutu.core.pdf import pdf_response, render_pdf
from mutu.core.qr import qr_svg
from mutu.core.saving import refused, save
from mutu.core.throttle import address_usage, locked_minutes
from mutu.mapping.charts import standards_chart
from mutu.regions.models import Province
from mutu.schools.models import School

from . import certificates, evaluation, events, offices, recap, selectors, services
from .documents import request_invitations
from .forms import (
    AgreementForm,
    CheckInForm,
    CodeForm,
    CohortForm,
    ConfirmForm,
    CriteriaForm,
    EventForm,
    GrantForm,
    ImbasForm,
    ImbasVisitForm,
    ImportForm,
    MaterialForm,
    MoveForm,
    OfficeForm,
    ProposeForm,
    RosterForm,
    RulesForm,
    SessionForm,
    SpendingForm,
    TpmpdForm,
    VerifyForm,
)
from .models import (
    Agreement,
    AttendanceCode,
    Certificate,
    EventMaterial,
    Grant,
    ImbasSchool,
    ImbasVisit,
    ModelSchoolStatus,
    Office,
    ParticipantImport,
    Session,
    TpmpdMember,
    YearlyEvaluation,
)

Error = services.ProgrammeError


def _labelled(changes, states):
    """Status changes with their states' names, as people read them."""
    names = dict(states.choices)
    changes = list(changes)
    for change in changes:
        change.source_label, change.target_label = names.get(change.source, ""), names.get(change.target, "")
    return changes


def _number(value):
    """A positive id or number from the query string, or None (never an error for a bad one)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _without(data, *names):
    return {key: value for key, value in data.items() if key not in names}


def _cohort(request, pk):
    return get_object_or_404(selectors.cohorts_for(request.user), pk=pk)


def _managed_cohort(request, pk):
    cohort = _cohort(request, pk)
    if not selectors.manages(request.user, cohort):
        raise Http404
    return cohort


def _event(request, pk):
    return get_object_or_404(selectors.events_for(request.user).select_related("cohort__province"), pk=pk)


def _run_event(request, pk):
    event = _event(request, pk)
    if not selectors.runs(request.user, event):
        raise Http404
    return event


def _model_school(request, cohort, pk):
    return get_object_or_404(selectors.model_schools_for(request.user, cohort), pk=pk)


# Cohorts ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def home(request):
    provinces = area_for(request.user, Perm.PROGRAMME_MANAGE).whole_provinces()
    form = (
        CohortForm(request.POST or None, provinces=provinces) if has_perm(request.user, Perm.PROGRAMME_MANAGE) else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                cohort = services.create_cohort(actor=request.user, **form.cleaned_data)
            except Error as exc:
                refused(request, exc)
            else:
                messages.success(request, _("The cohort is created."))
                return redirect("programme:cohort", pk=cohort.pk)
        else:
            refused(request, form_errors(form))
    cohorts = selectors.cohorts_for(request.user).annotate(event_count=Count("events", distinct=True))
    page = Paginator(cohorts.order_by("-year", "name"), 50).get_page(request.GET.get("page"))
    counts = selectors.model_school_counts(request.user, page.object_list)
    for cohort in page.object_list:
        cohort.models, cohort.candidates = (counts.get((cohort.pk, s), 0) for s in ("ditetapkan", "calon"))
    context = {"page": page, "form": form, "offices": provinces.order_by("name") if provinces.count() <= 40 else []}
    return render(request, "programme/home.html", context)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def cohort_page(request, pk):
    cohort = _cohort(request, pk)
    records = (
        selectors.model_schools_for(request.user, cohort)
        .annotate(imbas_count=Count("imbas"))
        .order_by("school__regency__code", "school__name", "pk")
    )
    status = request.GET.get("status", "")
    if status in ModelSchoolStatus.values:
        records = records.filter(status=status)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    rapor = selectors.latest_rapor([r.school_id for r in page.object_list])
    for record in page.object_list:
        record.rapor = rapor.get(record.school_id)
    propose_form = None
    if has_perm(request.user, Perm.PROGRAMME_PROPOSE):
        schools = (
            School.objects.filter(
                area_for(request.user, Perm.PROGRAMME_PROPOSE).school_q(), province=cohort.province_id
            )
            .exclude(pk__in=cohort.model_schools.values("school_id"))
            .exclude(pk__in=cohort.imbas_schools.values("school_id"))
            .select_related("regency")
            .order_by("name")
        )
        propose_form = search_in(request.GET, ProposeForm(schools=schools))
    context = {
        "cohort": cohort,
        "page": page,
        "status": status,
        "statuses": ModelSchoolStatus.choices,
        "manages": selectors.manages(request.user, cohort),
        "propose_form": propose_form,
        "events": selectors.events_for(request.user).filter(cohort=cohort).annotate(n=Count("participants")),
        "coverage": services.coverage(
            cohort, selectors.model_schools_for(request.user, cohort), selectors.imbas_for(request.user, cohort)
        ),
        "query": f"status={status}" if status else "",
        # An empty list says why: a filter, a scope that holds none of the cohort's schools, or none yet.
        "in_cohort": cohort.model_schools.count(),
        "designated_in_cohort": cohort.model_schools.filter(status=ModelSchoolStatus.DESIGNATED).count(),
    }
    return render(request, "programme/cohort.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_PROPOSE)
def propose(request, pk):
    cohort = _cohort(request, pk)
    schools = School.objects.filter(area_for(request.user, Perm.PROGRAMME_PROPOSE).school_q())
    form = ProposeForm(request.POST, request.FILES, schools=schools)
    if not form.is_valid():
        refused(request, form_errors(form))
        return redirect("programme:cohort", pk=pk)
    data = form.cleaned_data
    try:
        record = services.propose(
            actor=request.user,
            cohort=cohort,
            school=data["school"],
            commitment=data["commitment"],
            regional_support=data["regional_support"],
            support_note=data["support_note"],
            note=data["note"],
        )
    except Error as exc:
        refused(request, exc)
        return redirect("programme:cohort", pk=pk)
    messages.success(request, _("%(school)s is proposed.") % {"school": record.school.name})
    return redirect("programme:model_school", pk=pk, record=record.pk)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def model_school(request, pk, record):
    cohort = _cohort(request, pk)
    record = _model_school(request, cohort, record)
    manages = selectors.manages(request.user, cohort)
    imbas = list(record.imbas.select_related("school__district").prefetch_related("visits"))
    grant = Grant.objects.filter(model_school=record).prefetch_related("spending").first()
    reporter = services.may_report(request.user, record)
    context = {
        "cohort": cohort,
        "record": record,
        "rapor": selectors.latest_rapor([record.school_id]).get(record.school_id),
        "history": _labelled(services.history(record), ModelSchoolStatus),
        "manages": manages,
        "moves": [t.name for t in record.get_available_status_transitions()] if manages else [],
        "move_form": MoveForm(),
        "criteria_form": CriteriaForm(
            initial={"regional_support": record.regional_support, "support_note": record.regional_support_note}
        )
        if services.may_complete(request.user, record)
        else None,
        "replacements": cohort.model_schools.filter(status=ModelSchoolStatus.CANDIDATE)
        .exclude(pk=record.pk)
        .select_related("school"),
        "imbas": imbas,
        "suggestions": services.imbas_suggestions(record)
        if manages and record.status == ModelSchoolStatus.DESIGNATED and len(imbas) < cohort.imbas_target
        else [],
        "imbas_form": search_in(request.GET, ImbasForm(schools=services.imbas_choices(record)))
        if manages and record.status == ModelSchoolStatus.DESIGNATED and len(imbas) < cohort.imbas_target
        else None,
        "visit_form": ImbasVisitForm() if reporter else None,
        "grant": grant,
        "grant_form": GrantForm(instance=grant)
        if manages and record.status in (ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED)
        else None,
        "spending_form": SpendingForm() if grant and reporter else None,
        "spent": sum((line.amount for line in grant.spending.all()), 0) if grant else 0,
    }
    return render(request, "programme/model_school.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_VIEW)
def criteria(request, pk, record):
    cohort = _cohort(request, pk)
    record = _model_school(request, cohort, record)
    if not services.may_complete(request.user, record):
        raise Http404
    form = CriteriaForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: services.complete_criteria(
            actor=request.user,
            record=record,
            commitment=data["commitment"],
            regional_support=data["regional_support"],
            support_note=data["support_note"],
        ),
    )
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#criteria")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def move(request, pk, record, name):
    cohort = _managed_cohort(request, pk)
    record = _model_school(request, cohort, record)
    form = MoveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    replacement = None
    if data.get("replacement"):
        replacement = cohort.model_schools.filter(pk=data["replacement"]).first()
    try:
        services.move(
            actor=request.user,
            record=record,
            name=name,
            note=data.get("note", ""),
            decree_number=data.get("decree_number", ""),
            decree_date=data.get("decree_date"),
            replacement=replacement,
        )
    except Error as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("programme:model_school", pk=pk, record=record.pk)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def commitment(request, pk, record):
    record = _model_school(request, _cohort(request, pk), record)
    if not record.commitment:
        raise Http404
    return uploads.download(record.commitment, record.commitment_name or "komitmen")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def imbas_add(request, pk, record):
    cohort = _managed_cohort(request, pk)
    record = _model_school(request, cohort, record)
    form = ImbasForm(request.POST, schools=School.objects.filter(province=cohort.province_id))
    save(
        request,
        form,
        lambda data: services.add_imbas(actor=request.user, model_school=record, **data),
        lambda imbas: (
            _("%(school)s is an imbas school of %(model)s.")
            % {"school": imbas.school.name, "model": record.school.name}
        ),
    )
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#imbas")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def imbas_remove(request, pk, imbas):
    cohort = _managed_cohort(request, pk)
    imbas = get_object_or_404(ImbasSchool, cohort=cohort, pk=imbas)
    try:
        services.remove_imbas(actor=request.user, imbas=imbas)
    except Error as exc:
        refused(request, exc)
    return redirect(reverse("programme:model_school", args=[pk, imbas.model_school_id]) + "#imbas")


@require_POST
@require_perm(Perm.PROGRAMME_REPORT)
def imbas_visit(request, pk, imbas):
    cohort = _cohort(request, pk)
    imbas = get_object_or_404(selectors.imbas_for(request.user, cohort), pk=imbas)
    form = ImbasVisitForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: services.record_imbas_visit(
            actor=request.user, imbas=imbas, data=_without(data, "evidence_file"), evidence=data.get("evidence_file")
        ),
        lambda _visit: _("The visit is recorded."),
    )
    return redirect(reverse("programme:model_school", args=[pk, imbas.model_school_id]) + "#imbas")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def imbas_evidence(request, pk, visit):
    cohort = _cohort(request, pk)
    visit = get_object_or_404(ImbasVisit, imbas__in=selectors.imbas_for(request.user, cohort), pk=visit)
    if not visit.evidence:
        raise Http404
    return uploads.download(visit.evidence, visit.evidence_name or "bukti")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def network(request, pk):
    """Model → imbas schools per kab/kota."""
    cohort = _cohort(request, pk)
    records = selectors.model_schools_for(request.user, cohort).filter(
        status__in=[ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED]
    )
    imbas = selectors.imbas_for(request.user, cohort).annotate(visit_count=Count("visits"))
    by_model = {}
    for row in imbas:
        by_model.setdefault(row.model_school_id, []).append(row)
    regencies = {}
    for record in records:
        record.network = by_model.get(record.pk, [])
        regencies.setdefault(record.school.regency, []).append(record)
    groups = sorted(regencies.items(), key=lambda item: (item[0].kind, item[0].name))
    return render(request, "programme/network.html", {"cohort": cohort, "groups": groups})


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_MANAGE)
def office(request, code):
    """The province's LPMP/BPMP as its letters and certificates carry it."""
    province = get_object_or_404(Province, code=code)
    if not offices.manages_office(request.user, province):
        raise Http404
    current = Office.objects.filter(province=province).first()
    form = OfficeForm(request.POST or None, request.FILES or None, instance=current)
    status = 200
    if request.method == "POST":
        saved = save(
            request,
            form,
            lambda data: offices.save_office(
                actor=request.user,
                province=province,
                data=data,
                logo=data["logo_file"],
                remove_logo=data["remove_logo"],
            ),
            lambda _office: (
                _("The letterhead of %(province)s is saved; letters and certificates made from now on carry it.")
                % {"province": province.name}
            ),
        )
        if saved is not None:
            return redirect("programme:office", code=code)
        status = 422
    context = {"province": province, "office": current, "form": form, "letterhead": offices.letterhead(province)}
    return render(request, "programme/office.html", context, status=status)


# Events -----------------------------------------------------------------------------------------


def _facilitators(cohort):
    ids = (
        Membership.objects.active()
        .filter(Q(role=Role.FASILITATOR) | Q(role=Role.ADMIN_LPMP, province=cohort.province_id))
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("full_name", "username")


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def event_list(request, pk):
    cohort = _cohort(request, pk)
    manages = selectors.manages(request.user, cohort)
    form = EventForm(request.POST or None, facilitators=_facilitators(cohort)) if manages else None
    if request.method == "POST":
        if form is None:
            raise Http404
        event = save(
            request,
            form,
            lambda data: events.save_event(
                actor=request.user,
                cohort=cohort,
                data=_without(data, "facilitators"),
                facilitators=data["facilitators"],
            ),
            lambda _event: _("The event is created: add its sessions and participants."),
        )
        if event:
            return redirect("programme:event", pk=event.pk)
    rows = selectors.events_for(request.user).filter(cohort=cohort).annotate(n=Count("participants"))
    return render(request, "programme/events.html", {"cohort": cohort, "events": rows, "form": form})


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def event_page(request, pk):
    event = _event(request, pk)
    runs = selectors.runs(request.user, event)
    manages = selectors.manages(request.user, event.cohort)
    participants = selectors.participants_for(request.user, event)
    query = request.GET.get("q", "").strip()[:100]
    total = participants.count()
    if query:
        found = Q(name__icontains=query) | Q(school__npsn=query) | Q(nip=query)
        if runs:  # who runs the event hands out the personal codes and looks them up
            found |= Q(code=query.upper())
        participants = participants.filter(found)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    sessions = list(event.sessions.prefetch_related("regencies").annotate(n=Count("participants")))
    for session in sessions:  # one code form per session, each with its own field ids
        session.code_form = CodeForm(prefix=f"c{session.pk}", initial={"day": 1}) if runs else None
    province = event.cohort.province_id
    context = {
        "event": event,
        "cohort": event.cohort,
        "runs": runs,
        "manages": manages,
        "page": page,
        "q": query,
        "total": total,
        "query": f"q={query}" if query else "",
        "sessions": sessions,
        "unsessioned": event.participants.filter(session__isnull=True).count(),
        "materials": event.materials.all(),
        "imports": event.imports.all()[:5] if manages else [],
        "event_form": EventForm(
            instance=event,
            facilitators=_facilitators(event.cohort),
            initial={"facilitators": list(event.facilitators.all())},
        )
        if manages
        else None,
        "session_form": SessionForm(province=province) if manages else None,
        "session_forms": [(s, SessionForm(instance=s, province=province, prefix=f"s{s.pk}")) for s in sessions]
        if manages
        else [],
        "material_form": MaterialForm() if manages else None,
        "roster_form": RosterForm(rosters=events.ROSTERS, province=province) if manages else None,
        "import_form": ImportForm() if manages else None,
        "codes": AttendanceCode.objects.filter(session__event=event).select_related("session")[:10] if runs else [],
        "certificate_count": event.certificates.count(),
        "eligible_count": certificates.eligible(event).count() if runs else None,
        "columns": events.COLUMNS,
    }
    return render(request, "programme/event.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def event_edit(request, pk):
    event = _event(request, pk)
    form = EventForm(request.POST, instance=event, facilitators=_facilitators(event.cohort))
    if not selectors.manages(request.user, event.cohort):
        raise Http404
    save(
        request,
        form,
        lambda data: events.save_event(
            actor=request.user,
            cohort=event.cohort,
            data=_without(data, "facilitators"),
            facilitators=data["facilitators"],
            event=event,
        ),
    )
    return redirect("programme:event", pk=pk)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def session_save(request, pk, session=None):
    event = _run_event(request, pk)
    instance = get_object_or_404(Session, event=event, pk=session) if session else None
    form = SessionForm(
        request.POST, instance=instance, province=event.cohort.province_id, prefix=f"s{session}" if session else None
    )
    save(
        request,
        form,
        lambda data: events.save_session(
            actor=request.user,
            event=event,
            data=_without(data, "regencies"),
            regencies=list(data["regencies"]),
            session=instance,
        ),
    )
    return redirect(reverse("programme:event", args=[pk]) + "#sessions")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def material_add(request, pk):
    event = _run_event(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    save(
        request,
        form,
        lambda data: events.add_material(actor=request.user, event=event, title=data["title"], upload=data["file"]),
    )
    return redirect(reverse("programme:event", args=[pk]) + "#materials")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def material(request, pk, material):
    event = _event(request, pk)
    item = get_object_or_404(EventMaterial, event=event, pk=material)
    return uploads.download(item.file, item.original_name)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def roster_add(request, pk):
    event = _run_event(request, pk)
    form = RosterForm(request.POST, rosters=events.ROSTERS, province=event.cohort.province_id)
    covered = [r for s in event.sessions.prefetch_related("regencies") for r in s.regencies.all()]
    save(
        request,
        form,
        lambda data: events.add_from_roster(
            actor=request.user, event=event, role=data["role"], regencies=list(data["regencies"]) or covered
        ),
        lambda added: (
            _("%(count)s participants added.") % {"count": added}
            if added
            else _("Nobody was added: everyone on this roster is registered already, or the roster is empty.")
        ),
    )
    return redirect(reverse("programme:event", args=[pk]) + "#participants")


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def participant_import(request, pk):
    event = _run_event(request, pk)
    form = ImportForm(request.POST, request.FILES)
    job = save(
        request,
        form,
        lambda data: events.queue_import(actor=request.user, event=event, upload=data["file"], dry_run=data["dry_run"]),
        lambda _job: _("File received."),
    )
    if job is None:
        return redirect(reverse("programme:event", args=[pk]) + "#participants")
    return redirect("programme:import_job", pk=job.pk)


@require_safe
@require_perm(Perm.PROGRAMME_MANAGE)
def import_job(request, pk):
    job = get_object_or_404(ParticipantImport.objects.select_related("event__cohort"), pk=pk)
    if not selectors.manages(request.user, job.event.cohort):
        raise Http404
    job = settle(job, events.fail_import)
    return render(request, "programme/import_job.html", {"job": job, "event": job.event})


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def participant_remove(request, pk, participant):
    event = _run_event(request, pk)
    try:
        events.remove_participant(actor=request.user, participant=get_object_or_404(event.participants, pk=participant))
        messages.success(request, _("The participant is removed."))
    except Error as exc:
        refused(request, exc)
    return redirect(reverse("programme:event", args=[pk]) + "#participants")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def participant_template(request):
    """The participant file's columns, as a CSV template (Excel Indonesia: `;` and a BOM)."""
    header = ";".join(str(c.label) for c in events.COLUMNS)
    response = HttpResponse("\ufeff" + header + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="template-peserta.csv"'
    return response


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def invitations(request, pk):
    """The invitation letters of the event's participants (each with the personal attendance code), as
    one PDF drawn by the worker; only the LPMP running the event's cohort (or pusat) asks for them."""
    event = _event(request, pk)
    if not selectors.manages(request.user, event.cohort):
        raise Http404
    job, _queued = request_invitations(
        actor=request.user,
        event=event,
        session=_number(request.POST.get("session")) or None,
        link=request.build_absolute_uri(reverse("check_in")),
    )
    return redirect("document", pk=job.pk)


# Attendance -------------------------------------------------------------------------------------


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def attendance(request, pk):
    event = _event(request, pk)
    participants = selectors.participants_for(request.user, event)
    session = _number(request.GET.get("session"))
    if session:
        participants = participants.filter(session_id=session)
    page = Paginator(participants, 100).get_page(request.GET.get("page"))
    rows = events.attendance_table(event, participants.filter(pk__in=[p.pk for p in page.object_list]))
    context = {
        "event": event,
        "cohort": event.cohort,
        "rows": rows,
        "page": page,
        "sessions": event.sessions.all(),
        "session": str(session or ""),
        "days": range(1, event.days + 1),
        "query": f"session={session}" if session else "",
        "manages": selectors.manages(request.user, event.cohort),
    }
    return render(request, "programme/attendance.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def checklist(request, pk, session):
    event = _run_event(request, pk)
    session = get_object_or_404(Session, event=event, pk=session)
    typed = None
    if request.method == "POST":
        present, shown = _marks(request.POST.getlist("present")), _marks(request.POST.getlist("shown"))
        reason = request.POST.get("reason", "")
        try:
            added, removed = events.save_checklist(
                actor=request.user, session=session, present=present, shown=shown, reason=reason
            )
        except Error as exc:
            refused(request, exc)
            typed = {"present": set(request.POST.getlist("present")), "reason": reason}  # back as it was ticked
        else:
            messages.success(
                request,
                _("Attendance saved: %(added)s marked, %(removed)s removed.") % {"added": added, "removed": removed},
            )
            return redirect("programme:checklist", pk=pk, session=session.pk)
    rows = events.attendance_table(event, session.participants.select_related("regency", "school", "session"))
    today = timezone.localdate()
    for row in rows:
        for day in row["days"]:
            value = f"{row['participant'].pk}:{day['day']}"
            day["value"], day["marked"] = value, day["state"] in ("present", "late")
            day["ticked"] = value in typed["present"] if typed else day["marked"]
            day["future"] = bool(day["date"] and day["date"] > today)
    context = {"event": event, "session": session, "rows": rows, "dates": session.dates(), "typed": typed}
    return render(request, "programme/checklist.html", context, status=400 if typed else 200)


def _marks(values):
    """{(participant id, day)} from the checklist's "id:day" values; anything else is left out."""
    marks = set()
    for value in values:
        person, _sep, day = value.partition(":")
        if _number(person) and _number(day):
            marks.add((int(person), int(day)))
    return marks


@require_POST
@require_perm(Perm.PROGRAMME_VIEW)
def code_open(request, pk, session):
    event = _run_event(request, pk)
    session = get_object_or_404(Session, event=event, pk=session)
    form = CodeForm(request.POST, prefix=f"c{session.pk}")
    code = save(
        request,
        form,
        lambda data: events.open_code(actor=request.user, session=session, **data),
        lambda code: _("Attendance code %(code)s is open.") % {"code": code.code},
    )
    if code is None:
        return redirect(reverse("programme:event", args=[pk]) + "#sessions")
    return redirect("programme:code", pk=pk, code=code.pk)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def code_page(request, pk, code):
    """The code to show on the screen of a daring session, or to print at the venue: its link and QR."""
    event = _run_event(request, pk)
    code = get_object_or_404(AttendanceCode.objects.select_related("session"), session__event=event, pk=code)
    link = request.build_absolute_uri(reverse("check_in_code", args=[code.code]))
    context = {
        "event": event,
        "code": code,
        "link": link,
        "qr": qr_svg(link, scale=6),
        "expired": timezone.now() > code.valid_until,
    }
    return render(request, "programme/code.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_VIEW)
def code_close(request, pk, code):
    event = _run_event(request, pk)
    code = get_object_or_404(AttendanceCode, session__event=event, pk=code)
    try:
        events.close_code(actor=request.user, code=code)
    except Error as exc:
        refused(request, exc)
    else:
        messages.success(
            request, _("Code %(code)s is closed: nobody checks in with it any more.") % {"code": code.code}
        )
    return redirect("programme:code", pk=pk, code=code.pk)


def _check_in_usage(request, increment=False):
    return address_usage(
        request, "attendance-code", settings.MUTU_CODE_ATTEMPTS, settings.MUTU_CODE_WINDOW_SECONDS, increment=increment
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, code=""):
    """A participant's own attendance, on their phone: the day's code (from the screen, a link or the
    venue's QR) and their personal code. Wrong codes are counted per address as respondent codes are."""
    form = CheckInForm(request.POST or None, initial={"day_code": code})
    done = None
    status = 200
    device = _checked_in_here(request)
    if request.method == "POST" and form.is_valid():
        # A right pair of codes always passes, even behind an address locked by others' typos (a venue
        # behind one NAT); only wrong codes count, and only they are refused while locked.
        minutes = locked_minutes(_check_in_usage(request))
        try:
            participant, day, already = events.check_in(
                day_code=form.cleaned_data["day_code"],
                participant_code=form.cleaned_data["participant_code"],
                method="qr" if code else "kode",
                device=device,
            )
            done = {"participant": participant, "day": day, "already": already}
            device[str(participant.session_id)] = participant.pk
        except events.DeviceTaken as exc:
            _check_in_usage(request, increment=True)
            form.add_error(None, str(exc))
            status = 409
        except events.AttendanceRefused as exc:
            message = str(exc)
            if minutes is not None:
                message = _("Too many wrong codes from this connection: try again in %(minutes)s minutes.") % {
                    "minutes": minutes
                }
                status = 429
            else:
                _check_in_usage(request, increment=True)
                status = 422
            form.add_error(None, message)
    response = render(request, "programme/check_in.html", {"form": form, "done": done}, status=status)
    if done:
        response.set_signed_cookie(
            CHECKED_IN_COOKIE,
            json.dumps(device),
            salt=CHECKED_IN_COOKIE,
            max_age=CHECKED_IN_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


CHECKED_IN_COOKIE = "mutu_hadir"
CHECKED_IN_DAYS = 14  # longer than any event


def _checked_in_here(request):
    """{session id: participant id} this device has checked in (a signed cookie)."""
    try:
        value = json.loads(request.get_signed_cookie(CHECKED_IN_COOKIE, default="{}", salt=CHECKED_IN_COOKIE))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# Recaps -----------------------------------------------------------------------------------------


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def recap_page(request, pk):
    """The recap of a whole cohort, one stage (`?tahap=`) or one event (`?event=`); `?hadir=1` counts
    those who attended; `?format=xlsx|pdf` downloads it."""
    cohort = _cohort(request, pk)
    visible = selectors.events_for(request.user).filter(cohort=cohort)
    scope_events = visible
    title = _("Participants of %(cohort)s") % {"cohort": cohort.name}
    event_id, stage = _number(request.GET.get("event")), _number(request.GET.get("tahap"))
    if event_id:
        event = get_object_or_404(visible, pk=event_id)
        scope_events = visible.filter(pk=event.pk)
        title = _("Participants of %(event)s") % {"event": event.name}
    elif stage:
        scope_events = visible.filter(stage=stage)
        title = _("Participants of stage %(stage)s of %(cohort)s") % {"stage": stage, "cohort": cohort.name}
    attended = request.GET.get("hadir") == "1"
    participants = selectors.participants_in(request.user, scope_events)
    table = recap.build(participants, title=title + (" — " + _("attended") if attended else ""), attended=attended)
    filename = (
        f"rekap-{cohort.pk}"
        + (f"-kegiatan-{event_id}" if event_id else "")
        + (f"-tahap-{stage}" if stage and not event_id else "")
        + ("-hadir" if attended else "")
    )
    context = {
        "cohort": cohort,
        "recap": table,
        "events": visible,
        "stages": sorted(set(visible.values_list("stage", flat=True))),
        "event_id": str(event_id or ""),
        "stage": str(stage or ""),
        "attended": attended,
        "undated": recap.undated_sessions(scope_events),
        "query": request.GET.urlencode(),
    }
    if request.GET.get("format") == "xlsx":
        return recap.RecapExporter(table, filename).xlsx_response()
    if request.GET.get("format") == "pdf":
        return pdf_response(render_pdf(request, "programme/recap_pdf.html", context), filename)
    return render(request, "programme/recap.html", context)


# Certificates -----------------------------------------------------------------------------------


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def certificates_generate(request, pk):
    event = _run_event(request, pk)
    try:
        started = certificates.request_generation(actor=request.user, event=event, site=certificates.site_of(request))
    except Error as exc:
        refused(request, exc)
    else:
        if started:
            messages.success(request, _("The certificates are being made; this page shows when they are ready."))
        else:
            messages.info(request, _("The certificates are already being made."))
    return redirect(reverse("programme:event", args=[pk]) + "#certificates")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def certificates_zip(request, pk):
    event = _run_event(request, pk)
    if not event.certificates_zip or not event.certificates_done_at:
        raise Http404
    return uploads.download(event.certificates_zip, f"sertifikat-{event.pk}.zip")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def certificate_pdf(request, pk, certificate):
    event = _event(request, pk)
    visible = selectors.participants_for(request.user, event)
    item = get_object_or_404(
        Certificate.objects.select_related("participant__event__cohort", "participant__session"),
        event=event,
        participant__in=visible,
        pk=certificate,
    )
    ((item, pdf),) = certificates.render([item], request)
    return pdf_response(pdf, certificates.filename(item).removesuffix(".pdf"))


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def certificate_revoke(request, pk, certificate):
    event = _event(request, pk)
    item = get_object_or_404(Certificate, event=event, pk=certificate)
    try:
        certificates.revoke(actor=request.user, certificate=item, reason=request.POST.get("reason", ""))
    except Error as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Certificate %(number)s is revoked.") % {"number": item.number})
    return redirect(reverse("programme:attendance", args=[pk]) + f"#participant-{item.participant_id}")


@never_cache
@require_safe
def certificate_verify(request):
    """Public: confirms a certificate number and its check code with its holder's name, event and
    whether it was revoked, and nothing else."""
    form = VerifyForm(request.GET or None)
    found, status = None, 200
    if form.is_bound:
        minutes = locked_minutes(_verify_usage(request))
        if minutes is not None:
            message = _("Too many numbers checked from this connection: try again in %(minutes)s minutes.")
            form.add_error(None, message % {"minutes": minutes})
            status = 429
        elif form.is_valid():
            _verify_usage(request, increment=True)
            found = certificates.lookup(form.cleaned_data["nomor"], form.cleaned_data["kode"])
            if found is None:
                form.add_error(None, _("No certificate has this number and check code."))
                status = 404
    return render(request, "programme/verify.html", {"form": form, "found": found}, status=status)


def _verify_usage(request, increment=False):
    return address_usage(
        request,
        "certificate-verify",
        settings.MUTU_VERIFY_ATTEMPTS,
        settings.MUTU_CODE_WINDOW_SECONDS,
        increment=increment,
    )


# Grants, regional support, evaluation ---------------------------------------------------------


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def grant_save(request, pk, record):
    cohort = _managed_cohort(request, pk)
    record = _model_school(request, cohort, record)
    form = GrantForm(request.POST, instance=Grant.objects.filter(model_school=record).first())
    save(request, form, lambda data: services.save_grant(actor=request.user, model_school=record, data=data))
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#grant")


@require_POST
@require_perm(Perm.PROGRAMME_REPORT)
def spending_add(request, pk, record):
    cohort = _cohort(request, pk)
    record = _model_school(request, cohort, record)
    grant = get_object_or_404(Grant, model_school=record)
    form = SpendingForm(request.POST)
    save(request, form, lambda data: services.add_spending(actor=request.user, grant=grant, data=data))
    return redirect(reverse("programme:model_school", args=[pk, record.pk]) + "#grant")


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def grants(request, pk):
    cohort = _cohort(request, pk)
    records = selectors.model_schools_for(request.user, cohort)
    summary = services.realisation(
        Grant.objects.filter(model_school__in=records).select_related("model_school__school")
    )
    return render(request, "programme/grants.html", {"cohort": cohort, "summary": summary})


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def regional(request, pk):
    cohort = _cohort(request, pk)
    manages = selectors.manages(request.user, cohort)
    province = cohort.province_id
    tpmpd_form = TpmpdForm(prefix="t", province=province) if manages else None
    agreement_form = AgreementForm(prefix="n", province=province) if manages else None
    if request.method == "POST":
        if not manages:
            raise Http404
        if request.POST.get("form") == "tpmpd":
            tpmpd_form = TpmpdForm(request.POST, prefix="t", province=province)
            saved = save(
                request,
                tpmpd_form,
                lambda data: services.add_tpmpd_member(actor=request.user, cohort=cohort, data=data),
            )
        else:
            agreement_form = AgreementForm(request.POST, request.FILES, prefix="n", province=province)
            saved = save(
                request,
                agreement_form,
                lambda data: services.save_agreement(
                    actor=request.user, cohort=cohort, data=_without(data, "upload"), upload=data.get("upload")
                ),
            )
        if saved:
            return redirect("programme:regional", pk=pk)
    area = area_for(request.user, Perm.PROGRAMME_VIEW)
    scope = Q() if manages else area.regency_q()
    context = {
        "cohort": cohort,
        "manages": manages,
        "members": TpmpdMember.objects.filter(scope, regency__province=province).select_related("regency"),
        "agreements": Agreement.objects.filter(scope, cohort=cohort).select_related("regency"),
        "tpmpd_form": tpmpd_form,
        "agreement_form": agreement_form,
    }
    return render(request, "programme/regional.html", context)


@require_safe
@require_perm(Perm.PROGRAMME_VIEW)
def agreement_file(request, pk, agreement):
    cohort = _cohort(request, pk)
    scope = Q() if selectors.manages(request.user, cohort) else area_for(request.user, Perm.PROGRAMME_VIEW).regency_q()
    item = get_object_or_404(Agreement.objects.filter(scope), cohort=cohort, pk=agreement)
    if not item.file:
        raise Http404
    return uploads.download(item.file, item.file_name or "kesepakatan.pdf")


def _evaluation_years(cohort):
    """The years a cohort is evaluated in: from its own to this one (at most ten)."""
    return range(cohort.year, max(cohort.year, min(timezone.localdate().year, cohort.year + 10)) + 1)


def _evaluation_year(request, cohort):
    years = _evaluation_years(cohort)
    chosen = _number(request.GET.get("year"))
    return chosen if chosen in years else years[-1]


@require_http_methods(["GET", "HEAD", "POST"])
@require_perm(Perm.PROGRAMME_VIEW)
def evaluation_page(request, pk):
    cohort = _cohort(request, pk)
    year = _evaluation_year(request, cohort)
    manages = selectors.manages(request.user, cohort)
    rules_form = RulesForm(initial=RulesForm.initial_for(evaluation.rules_of(cohort))) if manages else None
    if request.method == "POST":
        if not manages:
            raise Http404
        if request.POST.get("form") == "rules":
            rules_form = RulesForm(request.POST)
            save(
                request,
                rules_form,
                lambda _data: evaluation.set_rules(actor=request.user, cohort=cohort, rules=rules_form.rules()),
            )
            return redirect(reverse("programme:evaluation", args=[pk]) + f"?year={year}")
        try:
            count = evaluation.compute(actor=request.user, cohort=cohort, year=year)
            messages.success(request, _("%(count)s scorecards computed.") % {"count": count})
        except Error as exc:
            refused(request, exc)
        return redirect(reverse("programme:evaluation", args=[pk]) + f"?year={year}")
    moved = evaluation.refresh(cohort, year)  # a scorecard reads its inputs as they are now
    records = selectors.model_schools_for(request.user, cohort)
    rows = YearlyEvaluation.objects.filter(model_school__in=records, year=year).select_related("model_school__school")
    effect = evaluation.effect(cohort, year)
    groups = ("model", _("Model schools")), ("imbas", _("Imbas schools")), ("other", _("Other schools"))
    largest = max([abs(r[k]["mean"]) for r in effect for k, _n in groups if r[k]["mean"] is not None] + [0.5])
    chart = standards_chart(
        [r["regency"] for r in effect],
        [(name, [r[key]["mean"] for r in effect]) for key, name in groups],
        scale=largest,
        label=_("The programme's effect per kab/kota"),
    )
    context = {
        "cohort": cohort,
        "year": year,
        "rows": rows,
        "manages": manages,
        "effect": effect,
        "chart": chart,
        "confirm_form": ConfirmForm(),
        "moved": moved,
        "rules_form": rules_form,
        "years": _evaluation_years(cohort),
        "min_group": settings.MUTU_MIN_GROUP_SIZE,
    }
    return render(request, "programme/evaluation.html", context)


@require_POST
@require_perm(Perm.PROGRAMME_MANAGE)
def evaluation_confirm(request, pk, item, action):
    cohort = _managed_cohort(request, pk)
    item = get_object_or_404(YearlyEvaluation, model_school__cohort=cohort, pk=item)
    form = ConfirmForm(request.POST)
    try:
        if action == "confirm":
            if not form.is_valid():
                raise Error(form_errors(form))
            evaluation.confirm(actor=request.user, evaluation=item, **form.cleaned_data)
        elif action == "reopen":
            evaluation.reopen(actor=request.user, evaluation=item, note=request.POST.get("note", ""))
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except Error as exc:
        refused(request, exc)
    return redirect(reverse("programme:evaluation", args=[pk]) + f"?year={item.year}")
