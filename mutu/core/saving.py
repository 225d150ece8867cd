"""Check, save, say: the one way a page writes. A view hands over the form and the service call; this
checks the form, calls the service (which holds the transaction and the rules) and says what
happened: the success message, or why nothing was saved."""

from django.contrib import messages
from django.utils.translation import gettext as _

from .forms import form_errors


class Refused(Exception):
    """A write the rules refuse; its message says why, for people. Each app's error derives from it."""


def refused(request, reason):
    messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": reason})


def save(request, form, action, success=None, *, labelled=True):
    """Check `form` (None: nothing to check), then `action(cleaned_data)`: its result, with the success
    message (`success(result)`, or "Saved."); or None, with the reason nothing was saved."""
    try:
        if form is not None and not form.is_valid():
            raise Refused(form_errors(form, labelled=labelled))
        result = action(form.cleaned_data if form is not None else None)
    except Refused as exc:
        refused(request, exc)
        return None
    messages.success(request, success(result) if success else _("Saved."))
    return result
