"""The programme's documents drawn by the worker (mutu/core/documents.py): an event's invitations."""

from django.utils.translation import gettext as _

from mutu.core import documents
from mutu.core.pdf import render_pdf
from mutu.core.qr import qr_svg

from . import offices
from .models import Event

INVITATIONS = "programme.invitations"


@documents.builder(INVITATIONS)
def invitations(params):
    """One letter per participant (of one session, if given), each with the personal attendance code;
    `link` is the check-in address of the site the request came from."""
    event = Event.objects.select_related("cohort__province").get(pk=params["event"])
    participants = event.participants.select_related("regency", "school", "session")
    if params.get("session"):
        participants = participants.filter(session_id=params["session"])
    link = params["link"]
    context = {
        "event": event,
        "participants": participants,
        "link": link,
        "qr": qr_svg(link),
        "letterhead": offices.letterhead(event.cohort.province),
    }
    pdf = render_pdf(None, "programme/invitations_pdf.html", context)
    return pdf, f"undangan-{event.pk}.pdf", participants.count()


def request_invitations(*, actor, event, session, link):
    title = _("Invitation letters: %(event)s") % {"event": event.name}
    params = {"event": event.pk, "session": session, "link": link}
    return documents.request(actor=actor, kind=INVITATIONS, params=params, title=title)
