"""Certificates: numbered per event for the participants who meet its attendance rule, drawn as PDF
(the shared page laid out once by WeasyPrint, each person stamped on it: `mutu.core.stamp`) with a
QR code to the public verification page, made in the worker for a whole event into one ZIP; one
certificate is drawn on request the same way.

A number, once given, stays: generating again numbers only participants who became eligible since.
Numbers run in sequence (as LPMPs number their letters), so each certificate also carries a random
check code printed beside its number: the public verification needs both, and shows the holder's
name only to someone holding both. A revoked certificate stays, and its verification says so."""

import hmac
import tempfile
import zipfile
from urllib.parse import urlencode

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mutu.core import dates, stamp
from mutu.core.codes import new_code, normalize
from mutu.core.services import record_audit

from . import offices
from .models import Certificate, Event, Participant
from .services import ProgrammeError, require_manager


def eligible(event):
    """Participants present on at least the days the event's rule asks."""
    return (
        Participant.objects.filter(event=event)
        .annotate(days_present=Count("attendances"))
        .filter(days_present__gte=event.required_days)
    )


CHECK_CODE_LENGTH = 6  # 31^6 ≈ 8.9e8 per number: at MUTU_VERIFY_ATTEMPTS an hour, never guessed


def site_of(request):
    """The address certificates point to: the site the request came from, else MUTU_SITE_URL."""
    return (request.build_absolute_uri("/") if request else settings.MUTU_SITE_URL).rstrip("/")


def verification_url(certificate, site):
    query = urlencode({"nomor": certificate.number, "kode": certificate.check_code})
    return f"{site}{reverse('certificate_verify')}?{query}"


@transaction.atomic
def issue_numbers(event):
    """Numbers for the eligible participants that have none yet, in recap order. Returns how many."""
    event = Event.objects.select_for_update().select_related("cohort").get(pk=event.pk)
    start = Certificate.objects.filter(event=event).aggregate(top=Max("seq"))["top"] or 0
    new = eligible(event).filter(certificate__isnull=True).order_by("regency__code", "role", "name", "pk")
    head = offices.letterhead(event.cohort.province)
    rows = []
    for seq, participant in enumerate(new, start=start + 1):
        number = event.certificate_format.format(seq=seq, year=event.cohort.year, event=event.pk)
        rows.append(
            Certificate(
                participant=participant,
                event=event,
                seq=seq,
                number=number,
                check_code=new_code(CHECK_CODE_LENGTH),
                signer_name=head.get("head_name", ""),
                signer_nip=head.get("head_nip", ""),
            )
        )
    Certificate.objects.bulk_create(rows)
    return len(rows)


STAMPED = (
    stamp.Text("revoked", size=16, bold=True, color="#b42318"),
    stamp.Text("number", size=10, color="#555555"),
    stamp.Text("name", size=24, bold=True),
    stamp.Text("role", size=11),
    stamp.Code("qr"),
)


def _shared(certificate):
    """What the certificates of one page layout have in common: the session's dates, the day of
    issue and the signer printed on it."""
    return (
        certificate.participant.session_id,
        timezone.localdate(certificate.issued_at),
        certificate.signer_name,
        certificate.signer_nip,
    )


def _stamped(certificate, site):
    participant = certificate.participant
    where = [
        participant.get_role_display(),
        participant.school.name if participant.school else "",
        participant.regency.name,
    ]
    revoked = ""
    if certificate.revoked_at:
        revoked = _("REVOKED on %(date)s: no longer valid") % {"date": dates.shown(certificate.revoked_at)}
    return {
        "revoked": revoked,
        "number": _("Number: %(number)s · Check code: %(code)s")
        % {"number": certificate.number, "code": certificate.check_code},
        "name": participant.name,
        "role": " · ".join(part for part in where if part),
        "qr": verification_url(certificate, site),
    }


def render(certificates, request=None, site=None):
    """One PDF per certificate: [(certificate, pdf bytes)]; links to `site` (the request's by default).
    The page is laid out once per group of certificates that share it (`_shared`), and each person's
    number, name, role and QR code are stamped on it."""
    site = site or site_of(request)
    groups, letterheads = {}, {}
    for certificate in certificates:
        groups.setdefault((certificate.event_id, *_shared(certificate)), []).append(certificate)
    for members in groups.values():
        first = members[0]
        event = first.participant.event
        context = {
            "certificate": first,
            "event": event,
            "session": first.participant.session,
            "verify_host": site.split("://")[-1],
            "letterhead": letterheads.setdefault(event.cohort.province_id, offices.letterhead(event.cohort.province)),
        }
        layout = stamp.Layout("programme/certificate_pdf.html", context, STAMPED)
        yield from zip(members, stamp.each(layout, [_stamped(c, site) for c in members]), strict=True)


def filename(certificate):
    return f"sertifikat-{slugify(certificate.number)}-{slugify(certificate.participant.name)[:40]}.pdf"


def request_generation(*, actor, event, site):
    from .tasks import generate_certificates

    require_manager(actor, event.cohort)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        busy = locked.certificates_requested_at and not locked.certificates_done_at and not locked.certificates_failure
        if busy:
            return False  # already under way: a second click starts nothing
        Event.objects.filter(pk=event.pk).update(
            certificates_requested_at=timezone.now(), certificates_done_at=None, certificates_failure=""
        )
        record_audit(actor=actor, action="programme.certificates", obj=event, province_id=event.cohort.province_id)
    generate_certificates.enqueue(event.pk, site)  # after the request is saved: the worker reads it
    return True


def generate(event_id, site=None):
    """The worker's job: number the eligible participants, then draw every certificate that is not
    revoked into one ZIP."""
    event = Event.objects.select_related("cohort").get(pk=event_id)
    try:
        issue_numbers(event)
        certificates = Certificate.objects.filter(event=event, revoked_at__isnull=True).select_related(
            "participant__event__cohort__province",
            "participant__session",
            "participant__regency",
            "participant__school",
        )
        with tempfile.TemporaryFile(suffix=".zip") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                for certificate, pdf in render(certificates.iterator(chunk_size=200), site=site):
                    archive.writestr(filename(certificate), pdf)
            handle.seek(0)
            if event.certificates_zip:
                event.certificates_zip.delete(save=False)
            event.certificates_zip.save(f"sertifikat-{event.pk}.zip", File(handle), save=False)
        Event.objects.filter(pk=event.pk).update(
            certificates_zip=event.certificates_zip.name, certificates_done_at=timezone.now()
        )
    except Exception as exc:  # every run ends, with its reason
        Event.objects.filter(pk=event.pk).update(
            certificates_failure=_("The certificates could not be made: %(kind)s.") % {"kind": type(exc).__name__}
        )
        raise


def lookup(number, check_code):
    """The certificate of a number and its check code as printed (spaces and case ignored), or None:
    a number without its code says nothing, not even that it exists."""
    number, check_code = " ".join(number.split()), normalize(check_code)
    if not number or len(number) > 120 or not check_code:
        return None
    found = Certificate.objects.select_related("participant", "event").filter(number__iexact=number).first()
    if found is None or not hmac.compare_digest(found.check_code, check_code):
        return None
    return found


@transaction.atomic
def revoke(*, actor, certificate, reason):
    """Withdraw a certificate given in error: it stays, numbered, and its verification says "dicabut"
    with the date; the participant is not numbered again."""
    require_manager(actor, certificate.event.cohort)
    reason = reason.strip()
    if not reason:
        raise ProgrammeError(_("Say why the certificate is revoked."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at:
        return certificate
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = timezone.now(), actor, reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record_audit(
        actor=actor,
        action="programme.certificate.revoke",
        obj=certificate,
        province_id=certificate.event.cohort.province_id,
        changes={"reason": certificate.revoke_reason},
    )
    return certificate
