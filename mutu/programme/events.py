"""Mentoring events: sessions and materials, participants from the rosters or from a file, and
attendance (by code or QR on the participant's phone, or by the facilitator's checklist).

A participant file (CSV or XLSX; columns in `COLUMNS`, a template at /programme/participants.csv) is
read by the worker outside any transaction; every row is checked (name, role, kab/kota, NPSN for
school roles, NIP, duplicates in the file and in the event) and the rows are saved in one transaction
only when none is refused: nothing is ever half-saved."""

import datetime
import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutu.accounts.models import Membership, Role
from mutu.core import dates, jobs, uploads
from mutu.core.codes import new_code, normalize
from mutu.core.services import record_audit
from mutu.regions.models import Regency
from mutu.schools.importing import ImportFileError, encoding_name, guess_mapping, is_header, iter_file_rows, plain_name
from mutu.schools.models import School

from . import selectors
from .models import (
    SCHOOL_ROLES,
    Attendance,
    AttendanceCode,
    AttendanceMethod,
    Certificate,
    Event,
    EventMaterial,
    ModelSchoolStatus,
    Participant,
    ParticipantImport,
    ParticipantRole,
    Session,
    TpmpdMember,
)
from .services import ProgrammeError, checked_document, require_manager

# Certificate numbers: literal letters, digits, spaces and . / _ -, the sequence ({seq}, or zero-padded
# to at most 8 digits), the cohort's year and the event's number; never any other format field.
NUMBER_FORMAT = re.compile(r"(?:[A-Za-z0-9 ./_-]|\{seq(?::0[1-8]d)?\}|\{year\}|\{event\}){1,60}")
PARTICIPANT_CODE_LENGTH = 8  # 31^8 ≈ 8.5e11: a personal code printed on the invitation
ATTENDANCE_CODE_LENGTH = 6  # typed from a screen during a session; valid for minutes only
MAX_STORED_ERRORS = 200


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    synonyms: tuple
    required: bool = False
    help: object = ""


COLUMNS = [
    Column("name", gettext_lazy("Name"), ("nama", "nama peserta", "name", "nama lengkap"), True),
    Column(
        "role",
        gettext_lazy("Role"),
        ("peran", "role", "peran peserta", "jenis peserta", "unsur", "jabatan", "jabatan peserta", "sebagai"),
        True,
        gettext_lazy(
            "TPMPD, Pengawas Pembina, Kepala Sekolah (Binaan or Imbas, or found from the school), Guru or Lainnya"
        ),
    ),
    Column(
        "regency",
        gettext_lazy("Kab/kota"),
        (
            "kab/kota",
            "kabupaten/kota",
            "kab / kota",
            "kab kota",
            "kab/kota asal",
            "asal kabupaten/kota",
            "asal kab/kota",
            "asal kabupaten",
            "asal daerah",
            "kabupaten",
            "kota",
            "regency",
        ),
        True,
        gettext_lazy("e.g. Kampar, Kab. Kep. Meranti or Kota Pekanbaru"),
    ),
    Column("npsn", "NPSN", ("npsn", "npsn sekolah"), False, gettext_lazy("required for school roles")),
    Column("nip", "NIP", ("nip",), False, gettext_lazy("18 digits, optional")),
    Column(
        "contact",
        gettext_lazy("Contact"),
        ("kontak", "hp", "no hp", "nomor hp", "telepon", "email", "contact"),
        False,
        gettext_lazy("phone or e-mail, optional"),
    ),
    Column(
        "institution",
        gettext_lazy("Institution"),
        ("instansi", "asal instansi", "unit kerja", "nama instansi", "sekolah", "nama sekolah", "asal sekolah"),
        False,
        gettext_lazy("school or office, optional"),
    ),
]

ROLE_NAMES = {
    ParticipantRole.TPMPD: ("tpmpd", "anggota tpmpd"),
    ParticipantRole.PENGAWAS: ("pengawas", "pengawas pembina"),
    ParticipantRole.PRINCIPAL_MODEL: ("ks binaan", "kepala sekolah binaan", "kepala sekolah model", "kepsek binaan"),
    ParticipantRole.PRINCIPAL_IMBAS: ("ks imbas", "kepala sekolah imbas", "kepsek imbas"),
    ParticipantRole.TEACHER: ("guru",),
    ParticipantRole.OTHER: ("lainnya", "lain lain", "other"),
}
ROLE_LOOKUP = {name: role for role, names in ROLE_NAMES.items() for name in names} | {
    role.value: role for role in ParticipantRole
}
# "Kepala Sekolah" alone: binaan or imbas, read from what the school is in the cohort.
PRINCIPAL = "principal"
PRINCIPAL_NAMES = ("kepala sekolah", "kepsek", "ks", "kepala satuan pendidikan")
PRINCIPALS = (ParticipantRole.PRINCIPAL_MODEL, ParticipantRole.PRINCIPAL_IMBAS)
_PREFIX = re.compile(r"^(kabupaten|kab|kota administrasi|kota adm|kota)\b\.?\s*")
# Abbreviations LPMPs type in kab/kota names ("Kab. Kep. Meranti").
_ABBREVIATIONS = {"kep": "kepulauan", "kab": "kabupaten"}


def identity(*, name, role, regency, school=None, nip=""):
    """Who a participant is, within one event: their NIP, else their name, role and school or kab/kota."""
    if school and role in PRINCIPALS:
        return f"npsn:{school.npsn}:ks"  # a school has one principal, whatever the file calls them
    if nip:
        return f"nip:{nip}"
    place = f"npsn:{school.npsn}" if school else f"kab:{regency.code}"
    return f"{place}:{role}:{plain_name(name)}"


def _kind_name(role):
    return _("a model school") if role == ParticipantRole.PRINCIPAL_MODEL else _("an imbas school")


def _unique_code(taken):
    while True:
        code = new_code(PARTICIPANT_CODE_LENGTH)
        if code not in taken:
            taken.add(code)
            return code


def session_for(event, regency_id, sessions=None):
    """The session that covers a kab/kota, or None."""
    for session in sessions if sessions is not None else event.sessions.prefetch_related("regencies"):
        if any(r.pk == regency_id for r in session.regencies.all()):
            return session
    return None


# Events, sessions and materials -----------------------------------------------------------------


@transaction.atomic
def save_event(*, actor, cohort, data, facilitators=(), event=None):
    require_manager(actor, cohort)
    event = event or Event(cohort=cohort, created_by=actor)
    for name, value in data.items():
        setattr(event, name, value)
    number_format = event.certificate_format
    if not NUMBER_FORMAT.fullmatch(number_format) or "{seq" not in number_format or "{event}" not in number_format:
        raise ProgrammeError(
            _(
                "The certificate number format holds {seq} (or {seq:04d}, up to 8 digits) and {event} (numbers are "
                "unique across events), and may use {year}, letters, digits, spaces and . / _ -, "
                "e.g. {seq:04d}/SPMI/{event}/{year}."
            )
        )
    event.save()
    event.facilitators.set(facilitators)
    record_audit(actor=actor, action="programme.event", obj=event, province_id=cohort.province_id)
    return event


@transaction.atomic
def save_session(*, actor, event, data, regencies, session=None):
    require_manager(actor, event.cohort)
    if any(r.province_id != event.cohort.province_id for r in regencies) or not regencies:
        raise ProgrammeError(
            _("A session covers one or more kab/kota of %(province)s.") % {"province": event.cohort.province}
        )
    others = Session.objects.filter(event=event, regencies__in=regencies).exclude(pk=getattr(session, "pk", None))
    if others.exists():
        taken = sorted({str(r) for r in regencies if others.filter(regencies=r).exists()})
        message = _("A kab/kota belongs to one session of the event: %(names)s already has one.")
        raise ProgrammeError(message % {"names": ", ".join(taken)})
    session = session or Session(event=event)
    for name, value in data.items():
        setattr(session, name, value)
    session.save()
    session.regencies.set(regencies)
    # Participants of the covered kab/kota meet in this session.
    Participant.objects.filter(event=event, regency__in=regencies).update(session=session)
    record_audit(actor=actor, action="programme.session", obj=session, province_id=event.cohort.province_id)
    return session


@transaction.atomic
def add_material(*, actor, event, title, upload):
    require_manager(actor, event.cohort)
    mime = checked_document(upload)
    material = EventMaterial.objects.create(
        event=event,
        title=title.strip(),
        file=upload,
        original_name=upload.name[:255],
        mime=mime,
        size=upload.size,
        uploaded_by=actor,
    )
    record_audit(actor=actor, action="programme.material", obj=material, province_id=event.cohort.province_id)
    return material


# Participants from the rosters ------------------------------------------------------------------

ROSTERS = {
    ParticipantRole.PRINCIPAL_MODEL: gettext_lazy("principals of the cohort's model schools"),
    ParticipantRole.PRINCIPAL_IMBAS: gettext_lazy("principals of their imbas schools"),
    ParticipantRole.PENGAWAS: gettext_lazy("pengawas of the model schools"),
    ParticipantRole.TPMPD: gettext_lazy("TPMPD members"),
}


def _principal(school, principals):
    return school.principal_name or principals.get(school.pk) or _("Principal of %(school)s") % {"school": school.name}


def roster(event, role, regencies):
    """[(name, role, regency, school, nip)] of a roster, for the kab/kota chosen."""
    cohort = event.cohort
    principals = {
        m.school_id: m.user.full_name or m.user.username
        for m in Membership.objects.active().filter(role=Role.KEPALA_SEKOLAH).select_related("user")
        if m.school_id
    }
    designated = cohort.model_schools.filter(
        status=ModelSchoolStatus.DESIGNATED, school__regency__in=regencies
    ).select_related("school__regency")
    if role == ParticipantRole.PRINCIPAL_MODEL:
        return [(_principal(r.school, principals), role, r.school.regency, r.school, "") for r in designated]
    if role == ParticipantRole.PRINCIPAL_IMBAS:
        imbas = cohort.imbas_schools.filter(school__regency__in=regencies).select_related("school__regency")
        return [(_principal(r.school, principals), role, r.school.regency, r.school, "") for r in imbas]
    if role == ParticipantRole.PENGAWAS:
        found = {}
        memberships = Membership.objects.active().filter(role=Role.PENGAWAS, schools__in=[r.school for r in designated])
        for m in memberships.select_related("user").prefetch_related("schools__regency"):
            school = next(s for s in m.schools.all() if s.regency in regencies)
            found[m.pk] = (m.user.full_name or m.user.username, role, school.regency, None, "")
        return list(found.values())
    if role == ParticipantRole.TPMPD:
        members = TpmpdMember.objects.filter(regency__in=regencies).select_related("regency")
        return [(m.name, role, m.regency, None, m.nip) for m in members]
    return []


@transaction.atomic
def add_from_roster(*, actor, event, role, regencies):
    """Adds the roster's people not yet registered; a second click adds nobody twice."""
    require_manager(actor, event.cohort)
    existing = set(Participant.objects.filter(event=event).values_list("key", flat=True))
    codes = set()
    sessions = list(event.sessions.prefetch_related("regencies"))
    rows = []
    for name, role_, regency, school, nip in roster(event, role, regencies):
        key = identity(name=name, role=role_, regency=regency, school=school, nip=nip)
        if key in existing:
            continue
        existing.add(key)
        session = session_for(event, regency.pk, sessions)
        rows.append(
            Participant(
                event=event,
                session=session,
                name=name[:150],
                role=role_,
                regency=regency,
                school=school,
                nip=nip,
                key=key,
                code=_unique_code(codes),
            )
        )
    _check_capacity(event, len(rows))
    Participant.objects.bulk_create(rows)
    record_audit(
        actor=actor,
        action="programme.participants",
        obj=event,
        province_id=event.cohort.province_id,
        changes={"added": len(rows)},
    )
    return len(rows)


def _check_capacity(event, adding):
    if event.capacity and event.participants.count() + adding > event.capacity:
        raise ProgrammeError(
            _("The event takes %(capacity)s participants; %(count)s would be registered.")
            % {"capacity": event.capacity, "count": event.participants.count() + adding}
        )


def with_kept(participants):
    """The participants with `kept`: whether they attended or hold a certificate, so they stay
    registered (the page offers no "remove" for them, and removing them is refused)."""
    return participants.annotate(
        kept=Exists(Attendance.objects.filter(participant=OuterRef("pk")))
        | Exists(Certificate.objects.filter(participant=OuterRef("pk")))
    )


@transaction.atomic
def remove_participant(*, actor, participant):
    require_manager(actor, participant.event.cohort)
    if with_kept(Participant.objects.filter(pk=participant.pk)).values_list("kept", flat=True).get():
        raise ProgrammeError(_("A participant with attendance or a certificate stays registered."))
    record_audit(
        actor=actor,
        action="programme.participant.remove",
        obj=participant,
        province_id=participant.event.cohort.province_id,
    )
    participant.delete()


# Participants from a file -----------------------------------------------------------------------


@dataclass
class Report:
    total_rows: int = 0
    errors: list = field(default_factory=list)  # [row, field, message]
    rows: list = field(default_factory=list)  # Participants to save
    created: int = 0
    committed: bool = False

    def add(self, row, label, message):
        self.errors.append([row, str(label), str(message)])


class _Regions:
    """The province's kab/kota by name as LPMPs write them: with or without "Kab."/"Kabupaten"/"Kota",
    "Kep." for Kepulauan, in any case."""

    def __init__(self, province):
        self.by_name = {}
        self.names = {}
        for regency in Regency.objects.filter(province=province):
            plain = plain_name(regency.name)
            self.by_name[plain] = regency
            self.by_name.setdefault(_PREFIX.sub("", plain), regency)
            self.names[regency.name] = regency

    @staticmethod
    def _spelt_out(plain):
        return " ".join(_ABBREVIATIONS.get(word, word) for word in plain.split())

    def find(self, text):
        plain = self._spelt_out(plain_name(text))
        return self.by_name.get(plain) or self.by_name.get(_PREFIX.sub("", plain))

    def closest(self, text):
        """The kab/kota name nearest to a refused one, to offer in the message (or None)."""
        found = difflib.get_close_matches(self._spelt_out(plain_name(text)), list(self.by_name), n=1, cutoff=0.6)
        return self.by_name[found[0]].name if found else None


def _closest_role(text):
    names = list(ROLE_LOOKUP) + list(PRINCIPAL_NAMES)
    found = difflib.get_close_matches(plain_name(text), names, n=1, cutoff=0.6)
    return found[0] if found else None


def school_kinds(cohort):
    """{school id: the principal role its school has in the cohort}: a designated (or graduated) model
    school's principal is "KS binaan", an imbas school's "KS imbas"."""
    kinds = {
        school_id: ParticipantRole.PRINCIPAL_MODEL
        for school_id in cohort.model_schools.filter(
            status__in=[ModelSchoolStatus.DESIGNATED, ModelSchoolStatus.GRADUATED]
        ).values_list("school_id", flat=True)
    }
    for school_id in cohort.imbas_schools.values_list("school_id", flat=True):
        kinds[school_id] = ParticipantRole.PRINCIPAL_IMBAS
    return kinds


def check_file(event, path):
    """Every row of a participant file checked; `Report.rows` holds the participants to save when no
    row is refused. Raises ImportFileError for a file that cannot be read at all."""
    report = Report()
    rows = iter_file_rows(path)
    headers = None
    for number, row in enumerate(rows, start=1):
        if is_header(row):
            headers, header_row = row, number
            break
    if headers is None:
        raise ImportFileError(_("The file is empty: the first row must hold the column names."))
    mapping = guess_mapping(headers, COLUMNS)
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in mapping]
    if missing:
        raise ImportFileError(
            _("Columns missing: %(columns)s. Download the template to see them.") % {"columns": ", ".join(missing)}
        )
    regions = _Regions(event.cohort.province_id)
    kinds = school_kinds(event.cohort)
    existing = set(Participant.objects.filter(event=event).values_list("key", flat=True))
    seen = {}
    pending = []  # (row number, values)
    npsns = set()
    for number, row in enumerate(rows, start=header_row + 1):
        if not any(cell.strip() for cell in row):
            continue
        report.total_rows += 1
        if report.total_rows > settings.MUTU_IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows.") % {"limit": settings.MUTU_IMPORT_MAX_ROWS}
            )
        values = {key: (row[index].strip() if index < len(row) else "") for key, index in mapping.items()}
        if any("\x00" in value for value in values.values()):
            report.add(number, "", _("contains a NUL character; save the file again as CSV or XLSX"))
            continue
        pending.append((number, values))
        if values.get("npsn"):
            npsns.add(values["npsn"])
    schools = {s.npsn: s for s in School.objects.filter(npsn__in=npsns).select_related("regency")}
    sessions = list(event.sessions.prefetch_related("regencies"))
    codes = set()
    labels = {c.key: c.label for c in COLUMNS}
    for number, values in pending:
        problems = len(report.errors)
        name = values["name"]
        if not name:
            report.add(number, labels["name"], _("empty"))
        elif len(name) > 150:
            report.add(number, labels["name"], _("longer than 150 characters"))
        plain_role = plain_name(values["role"])
        role = PRINCIPAL if plain_role in PRINCIPAL_NAMES else ROLE_LOOKUP.get(plain_role)
        if role is None:
            closest = _closest_role(values["role"])
            report.add(
                number,
                labels["role"],
                (_("unknown role “%(value)s”: did you mean “%(closest)s”?") if closest else _(
                    "unknown role “%(value)s”: use %(known)s"
                )) % {"value": values["role"], "known": COLUMNS[1].help, "closest": closest},
            )  # fmt: skip
        regency = regions.find(values["regency"])
        if regency is None:
            closest = regions.closest(values["regency"])
            report.add(
                number,
                labels["regency"],
                (_("“%(value)s” is not a kab/kota of %(province)s: did you mean %(closest)s?") if closest else _(
                    "“%(value)s” is not a kab/kota of %(province)s"
                )) % {"value": values["regency"], "province": event.cohort.province, "closest": closest},
            )  # fmt: skip
        school = None
        npsn = values.get("npsn", "")
        if npsn:
            school = schools.get(npsn)
            if school is None:
                report.add(number, "NPSN", _("unknown NPSN %(npsn)s") % {"npsn": npsn})
            elif regency and school.regency_id != regency.pk:
                report.add(
                    number,
                    "NPSN",
                    _("%(school)s lies in %(regency)s, not in %(other)s")
                    % {"school": school.name, "regency": school.regency, "other": regency},
                )
        elif role in SCHOOL_ROLES or role == PRINCIPAL:
            label = ParticipantRole.PRINCIPAL_MODEL.label if role == PRINCIPAL else role.label
            report.add(number, "NPSN", _("required for the role %(role)s") % {"role": label})
        if school is not None and (role == PRINCIPAL or role in PRINCIPALS):
            kind = kinds.get(school.pk)
            if kind is None:
                report.add(
                    number,
                    labels["role"],
                    _("%(school)s is neither a model school nor an imbas school of this cohort: register them as "
                      "Guru or Lainnya, or add the school to the cohort first") % {"school": school.name},
                )  # fmt: skip
            elif role == PRINCIPAL:
                role = kind  # "Kepala Sekolah" of a model school is its KS binaan, of an imbas school KS imbas
            elif role != kind:
                report.add(
                    number,
                    labels["role"],
                    _("%(school)s is %(kind)s in this cohort: its principal is “%(role)s”")
                    % {"school": school.name, "kind": _kind_name(kind), "role": kind.label},
                )
        nip = re.sub(r"\s", "", values.get("nip", ""))
        if nip and not re.fullmatch(r"\d{18}", nip):
            report.add(number, "NIP", _("a NIP has 18 digits"))
        contact = values.get("contact", "")[:150]
        if len(report.errors) > problems:
            continue
        key = identity(name=name, role=role, regency=regency, school=school, nip=nip)
        principal = school is not None and role in PRINCIPALS
        if key in seen:
            message = (
                _("the principal of %(school)s is already in row %(row)s")
                if principal
                else _("the same participant as row %(row)s")
            ) % {"row": seen[key], "school": school.name if school else ""}
            report.add(number, labels["name"], message)
            continue
        if key in existing:
            message = (
                _("the principal of %(school)s is already registered for this event")
                if principal
                else _("already registered for this event")
            ) % {"school": school.name if school else ""}
            report.add(number, labels["name"], message)
            continue
        seen[key] = number
        report.rows.append(
            Participant(
                event=event,
                session=session_for(event, regency.pk, sessions),
                name=name,
                role=role,
                regency=regency,
                school=school,
                nip=nip,
                contact=contact,
                institution=values.get("institution", "")[:200],
                key=key,
                code=_unique_code(codes),
            )
        )
    return report


def import_file(event, path, *, commit, actor=None, on_error=None):
    """Checks the file, then saves every row in one transaction when none is refused and `commit`."""
    report = check_file(event, path)
    if report.total_rows == 0:
        raise ImportFileError(_("The file has no participant rows below its header."))
    for row, label, message in report.errors:
        if on_error:
            on_error(row, label, message)
    if commit and not report.errors and report.rows:
        with transaction.atomic():
            _check_capacity(event, len(report.rows))
            try:
                Participant.objects.bulk_create(report.rows, batch_size=1000)
            except IntegrityError as exc:  # registered meanwhile by someone else: nothing is saved
                raise ProgrammeError(_("Participants were registered meanwhile; check the file again.")) from exc
            record_audit(
                actor=actor,
                action="programme.participants.import",
                obj=event,
                province_id=event.cohort.province_id,
                changes={"added": len(report.rows)},
            )
        report.created, report.committed = len(report.rows), True
    return report


def queue_import(*, actor, event, upload, dry_run=False):
    """Stores the uploaded file, then has the worker read it (the job is saved before it is queued)."""
    from .tasks import import_participants

    require_manager(actor, event.cohort)
    try:
        uploads.check_named(upload, ["csv", "xlsx"])
    except uploads.UploadRefused as exc:
        raise ProgrammeError(str(exc)) from exc
    job = ParticipantImport.objects.create(
        event=event, uploaded_by=actor, original_name=upload.name[:255], file=upload, dry_run=dry_run
    )
    jobs.queue(job, import_participants)
    return job


def run_import_job(job_id):
    """The worker's step: read and check the file outside any transaction, save when every row is good."""
    job = ParticipantImport.objects.select_related("event__cohort__province", "uploaded_by").get(pk=job_id)
    if not jobs.advance(job, "start"):
        return
    suffix = Path(job.file.name).suffix.lower()
    try:
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            with job.file.open("rb") as stored:
                for chunk in stored.chunks():
                    handle.write(chunk)
            handle.flush()
            encoding = encoding_name(handle.name)
            report = import_file(job.event, handle.name, commit=not job.dry_run, actor=job.uploaded_by)
    except (ImportFileError, ProgrammeError, OSError) as exc:
        jobs.advance(job, "fail", str(exc))
        return
    except Exception as exc:  # noqa: BLE001 — every job ends, with a reason
        jobs.advance(job, "fail", _("Unexpected error: %(kind)s.") % {"kind": type(exc).__name__})
        raise
    jobs.advance(job, "finish", encoding, report, MAX_STORED_ERRORS)


# Attendance -------------------------------------------------------------------------------------


def late(event, session, day, at):
    """Whether a presence recorded at `at` on `day` is late (only when the session's date is known)."""
    date = session.date_of(day) if session else None
    if date is None:
        return False
    start = datetime.datetime.combine(date, event.start_time, tzinfo=timezone.get_current_timezone())
    return at > start + datetime.timedelta(minutes=event.grace_minutes)


@transaction.atomic
def open_code(*, actor, session, day, minutes):
    """A new attendance code for one day of a session, valid from now for `minutes`."""
    event = session.event
    if not selectors.runs(actor, event):
        raise ProgrammeError(_("Only the event's facilitators and its LPMP take attendance."))
    if not 1 <= day <= event.days:
        raise ProgrammeError(_("The event has %(days)s days.") % {"days": event.days})
    if not 1 <= minutes <= 24 * 60:
        raise ProgrammeError(_("A code is valid for 1 minute to 24 hours."))
    date = session.date_of(day)
    if date and date != timezone.localdate():
        raise ProgrammeError(
            _("Day %(day)s of %(session)s is %(date)s: its code is opened on that day.")
            % {"day": day, "session": session.name, "date": dates.shown(date)}
        )
    now = timezone.now()
    while True:
        code = new_code(ATTENDANCE_CODE_LENGTH)
        if not AttendanceCode.objects.filter(code=code).exists():
            break
    return AttendanceCode.objects.create(
        session=session,
        day=day,
        code=code,
        valid_from=now,
        valid_until=now + datetime.timedelta(minutes=minutes),
        created_by=actor,
    )


@transaction.atomic
def close_code(*, actor, code):
    """End an attendance code before its time (the day's session is over): check-ins with it stop."""
    code = AttendanceCode.objects.select_for_update().select_related("session__event__cohort").get(pk=code.pk)
    if not selectors.runs(actor, code.session.event):
        raise ProgrammeError(_("Only the event's facilitators and its LPMP take attendance."))
    now = timezone.now()
    if code.valid_until <= now:
        return code  # closed already (or expired): closing again changes nothing
    code.valid_until = now
    code.save(update_fields=["valid_until"])
    record_audit(
        actor=actor, action="programme.code_close", obj=code, changes={"code": code.code},
        province_id=code.session.event.cohort.province_id,
    )  # fmt: skip
    return code


def today_sessions(user, today=None):
    """The sessions of the events the user facilitates that meet today, each with its day number and its
    codes still open: what a facilitator needs first in the morning."""
    today = today or timezone.localdate()
    sessions = (
        Session.objects.filter(event__facilitators=user, starts_on__lte=today)
        .select_related("event")
        .order_by("starts_on", "event__name", "name")
    )
    found = []
    for session in sessions:
        day = (today - session.starts_on).days + 1
        if day <= session.event.days:
            session.today = day
            session.open_codes = list(
                session.codes.filter(day=day, valid_from__lte=timezone.now(), valid_until__gt=timezone.now())
            )
            found.append(session)
    return found


class AttendanceRefused(Exception):
    """The code or the participant is not accepted; the message says why, for the participant."""


class DeviceTaken(AttendanceRefused):
    """The device checked in another participant of the session; counted like a wrong code."""


NOT_THIS_EVENT = gettext_lazy(
    "This participant code does not go with today's code. Check the code on your invitation letter, or ask "
    "your facilitator."
)


def code_ended(code, at=None):
    """Why a day code no longer admits anyone (None while it does, or before it opens)."""
    if code is not None and (at or timezone.now()) > code.valid_until:
        return _("This attendance code expired at %(time)s: ask your facilitator for the current one.") % {
            "time": timezone.localtime(code.valid_until).strftime("%H:%M")
        }
    return None


def check_in(*, day_code, participant_code, method=AttendanceMethod.CODE, device=None, given_at=None):
    """A participant marks themselves present with the day's code (typed, from a link or a QR) and
    their personal code. Marking twice changes nothing. Returns (participant, day, already).

    A check-in made on a phone without signal comes later with the phone's time (`given_at`): the
    code's rules hold at that time (open, not ended, on the session's day), it counts when it arrives
    within MUTU_OFFLINE_CHECKIN_HOURS, and it is marked "offline" for the facilitator.

    A personal code that is unknown, of another event or of another session gets one neutral answer:
    the page is no oracle of who is registered where. `device` ({session id: participant id} already
    checked in from this device) keeps one device from checking in a stream of other people."""
    code = AttendanceCode.objects.select_related("session__event").filter(code=normalize(day_code)).first()
    if code is None:
        raise AttendanceRefused(_("This attendance code does not exist: check it with your facilitator."))
    now = timezone.now()
    at = now if given_at is None else _offline_time(code, given_at, now)
    if ended := code_ended(code, at):
        raise AttendanceRefused(ended)
    if at < code.valid_from:
        raise AttendanceRefused(_("This attendance code is not valid yet."))
    holder = (device or {}).get(str(code.session_id))
    participant = (
        Participant.objects.select_related("event", "session").filter(code=normalize(participant_code)).first()
    )
    # Before anything is said of the code: a device that checked someone in answers the same for any
    # other code, real or not, so it cannot sort real codes from made-up ones.
    if holder is not None and (participant is None or holder != participant.pk):
        raise DeviceTaken(
            _("This device has already recorded someone's attendance in this session. Each participant checks in "
              "on their own phone; if that is not possible, the facilitator ticks you on the checklist.")
        )  # fmt: skip
    if participant is None or participant.session_id != code.session_id:
        raise AttendanceRefused(str(NOT_THIS_EVENT))
    try:
        with transaction.atomic():
            Attendance.objects.create(
                participant=participant,
                day=code.day,
                method=method if given_at is None else AttendanceMethod.OFFLINE,
                device_at=given_at and at,
            )
    except IntegrityError:
        return participant, code.day, True
    return participant, code.day, False


CLOCK_AHEAD = datetime.timedelta(minutes=5)  # a phone's clock a little ahead of Mutu's is still believed


def _offline_time(code, given_at, now):
    """The phone's time of an offline check-in, once it is believable; else the reason it is not."""
    shown = timezone.localtime(given_at).strftime("%d-%m-%Y %H:%M")
    if given_at > now + CLOCK_AHEAD:
        raise AttendanceRefused(
            _("This check-in says it was made at %(time)s, later than now: the phone's clock is wrong. Ask your "
              "facilitator to tick you on the checklist.") % {"time": shown}
        )  # fmt: skip
    hours = settings.MUTU_OFFLINE_CHECKIN_HOURS
    if now - given_at > datetime.timedelta(hours=hours):
        raise AttendanceRefused(
            _("This check-in was made without signal at %(time)s and arrived more than %(hours)s hours later: it "
              "is not counted. Ask your facilitator to tick you on the checklist.") % {"time": shown, "hours": hours}
        )  # fmt: skip
    day = code.session.date_of(code.day)
    if given_at < code.valid_from or (day and timezone.localdate(given_at) != day):
        raise AttendanceRefused(
            _("This check-in was made without signal at %(time)s, before this code opened (%(opens)s): it is not "
              "counted.") % {"time": shown, "opens": timezone.localtime(code.valid_from).strftime("%d-%m-%Y %H:%M")}
        )  # fmt: skip
    return min(given_at, now)


@transaction.atomic
def save_checklist(*, actor, session, present, shown=None, reason=""):
    """The facilitator's checklist of a session: `present` is the set of (participant id, day) ticked,
    `shown` the set that was ticked when the page was drawn (None: the marks as they stand). A tick is
    added; a mark the facilitator saw and unticked is removed; a participant's own check-in made since
    the page was drawn stays; removing a mark needs a reason, kept in the audit. A day that has not
    come cannot be ticked. Submitting the same list again changes nothing."""
    event = session.event
    if not selectors.runs(actor, event):
        raise ProgrammeError(_("Only the event's facilitators and its LPMP take attendance."))
    ids = set(session.participants.values_list("pk", flat=True))
    wanted = {(p, d) for p, d in present if p in ids and 1 <= d <= event.days}
    existing = list(Attendance.objects.filter(participant__session=session).only("pk", "participant_id", "day"))
    current = {(a.participant_id, a.day) for a in existing}
    unticked = (current if shown is None else current & set(shown)) - wanted
    added = sorted(wanted - current)
    today = timezone.localdate()
    future = sorted({d for _p, d in added if session.date_of(d) and session.date_of(d) > today})
    if future:  # as for day codes: nobody is present on a day that has not come
        raise ProgrammeError(
            _("Day %(day)s (%(date)s) has not come yet: its attendance is taken on that day.")
            % {"day": future[0], "date": dates.shown(session.date_of(future[0]))}
        )
    if unticked and not reason.strip():
        raise ProgrammeError(_("Say why the attendance marks that were unticked are removed."))
    Attendance.objects.filter(pk__in=[a.pk for a in existing if (a.participant_id, a.day) in unticked]).delete()
    Attendance.objects.bulk_create(
        [Attendance(participant_id=p, day=d, method=AttendanceMethod.CHECKLIST, recorded_by=actor) for p, d in added]
    )
    record_audit(
        actor=actor,
        action="programme.checklist",
        obj=session,
        province_id=event.cohort.province_id,
        changes={
            "added": [f"{p}:{d}" for p, d in added],
            "removed": [f"{p}:{d}" for p, d in sorted(unticked)],
            "reason": reason.strip(),
        },
    )
    return len(added), len(unticked)


def attendance_table(event, participants):
    """Per participant: their days (present, late or absent; unknown while the date is not set), the
    days present, and whether they meet the event's rule. Two queries."""
    participants = list(participants.prefetch_related("attendances"))
    today = timezone.localdate()
    rows = []
    for participant in participants:
        marks = {a.day: a for a in participant.attendances.all()}
        session = participant.session
        days = []
        for day in range(1, event.days + 1):
            date = session.date_of(day) if session else None
            mark = marks.get(day)
            if mark:
                state = (
                    "late"
                    if mark.method != AttendanceMethod.CHECKLIST and late(event, session, day, mark.checked_in_at)
                    else "present"
                )
            elif date and date < today:
                state = "absent"
            else:
                state = "pending"
            offline = mark.checked_in_at if mark and mark.method == AttendanceMethod.OFFLINE else None
            days.append({"day": day, "date": date, "state": state, "offline": offline})
        rows.append(
            {
                "participant": participant,
                "days": days,
                "present": len(marks),
                "eligible": len(marks) >= event.required_days,
            }
        )
    return rows
