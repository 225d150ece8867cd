"""The programme's documents drawn by the worker (mutu/core/documents.py): an event's invitations."""

from itertools import groupby

from django.utils.translation import gettext as _

from mutu.core import documents, stamp
from mutu.core.qr import qr_svg

from . import offices
from .models import Event
from .services import ProgrammeError

INVITATIONS = "programme.invitations"


INK = "#000000"  # the letter's own text colour
STAMPED = (
    stamp.Text("name", size=10.5, bold=True, color=INK, align="left"),
    stamp.Text("role", size=10.5, color=INK, align="left"),
    stamp.Text("regency", size=10.5, color=INK, align="left"),
    stamp.Text("code", size=18, bold=True, color=INK, align="left"),
)


@documents.builder(INVITATIONS)
def invitations(params):
    """One letter per participant (of one session, if given), each with the personal attendance code;
    `link` is the check-in address of the site the request came from. The letter is laid out once
    per session, and each participant's name, place and code are stamped on it."""
    event = Event.objects.select_related("cohort__province").get(pk=params["event"])
    participants = event.participants.select_related("regency", "school", "session").order_by(
        "session_id", "regency__code", "role", "name"
    )
    if params.get("session"):
        participants = participants.filter(session_id=params["session"])
    link = params["link"]
    context = {
        "event": event,
        "link": link,
        "qr": qr_svg(link),
        "letterhead": offices.letterhead(event.cohort.province),
    }
    parts = []
    for session, members in groupby(participants, key=lambda participant: participant.session):
        layout = stamp.Layout("programme/invitations_pdf.html", {**context, "session": session}, STAMPED)
        parts.append((layout, [_stamped(participant) for participant in members]))
    name = f"undangan-{event.pk}-sesi-{params['session']}.pdf" if params.get("session") else f"undangan-{event.pk}.pdf"
    return stamp.bound(parts), name, sum(len(pages) for _layout, pages in parts)


def _stamped(participant):
    school = f", {participant.school.name}" if participant.school else ""
    return {
        "name": participant.name,
        "role": f"{participant.get_role_display()}{school}",
        "regency": participant.regency.name,
        "code": " ".join(participant.code),
    }


def request_invitations(*, actor, event, session, link):
    """Queue the letters of the event (or of one of its sessions); ProgrammeError when there is no
    participant to write to, or the session is another event's."""
    participants = event.participants.all()
    title = _("Invitation letters: %(event)s") % {"event": event.name}
    if session is not None:
        found = event.sessions.filter(pk=session).first()
        if found is None:
            raise ProgrammeError(_("This session is not one of the event's."))
        participants = participants.filter(session=found)
        title = _("Invitation letters: %(event)s, %(session)s") % {"event": event.name, "session": found.name}
    if not participants.exists():
        raise ProgrammeError(_("There is no participant to invite yet: add participants first."))
    params = {"event": event.pk, "session": session, "link": link}
    return documents.request(actor=actor, kind=INVITATIONS, params=params, title=title[:200])
